//! liqscan-driver: the host driver of the liqscan board and the virtual
//! board that serves a card model through a device file.
//!
//! The board's register map, command and record formats and the result
//! ring are `liqscan_core::spec::registers`; `docs/driver.md` describes the
//! model. Layers:
//! * [`Bus`]: word accesses to the register window and the result ring;
//!   [`MmioBus`] maps device files ([`mmio`] holds all of the crate's
//!   `unsafe`), [`CardBus`] puts a [`Card`] in the same process.
//! * [`Board`]: the card as a liqscan-core `Engine` (`board`): identification,
//!   the command ring with credits, the doorbell, the result ring, the
//!   shadow book, timeouts. [`Failover`] continues on the `cpu` scanner when
//!   the board fails.
//! * [`Card`]: a card's ports, cycle by cycle; [`CardModel`] is the exact
//!   model of `liqscan_top`'s register semantics that the hardware's tests
//!   and the driver's own tests check against.
//! * [`virtual_board`]: serves a [`Card`] through a file that [`MmioBus`]
//!   maps; [`Dma`] plays the card's DMA engine for it and for [`CardBus`].

pub mod board;
pub mod bus;
pub mod card;
pub mod card_bus;
pub mod card_model;
mod commands;
pub mod dma;
pub mod error;
pub mod failover;
pub mod identify;
mod link;
pub mod mmio;
pub mod mmio_bus;
pub mod results;
pub mod virtual_board;

pub use board::{Board, BoardOptions, BoardStats};
pub use bus::{Bus, BusCounts};
pub use card::Card;
pub use card_bus::{CardBus, HostRing};
pub use card_model::CardModel;
pub use dma::Dma;
pub use error::{DriverError, ErrorFlags, Mismatch};
pub use failover::Failover;
pub use format::{Command, Record, ResultRecord};
pub use identify::Identity;
pub use liqscan_core::board_format as format;
pub use mmio_bus::{DeviceMap, MmioBus};
pub use results::ScanStats;
pub use virtual_board::{serve, serve_with, ServeOptions};
