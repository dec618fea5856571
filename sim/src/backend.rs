//! Every scanning backend by name: liqscan-core's software scanners, the
//! verilated circuit and the board, built here because this crate sees them all.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use liqscan_core::{CpuScanner, Engine, EngineError, IndexedScanner, Market};
use liqscan_driver::board::DEFAULT_TIMEOUT;
use liqscan_driver::virtual_board::HOST_TIMEOUT;
use liqscan_driver::{Board, BoardOptions, DeviceMap, DriverError, Failover, MmioBus};
use tracing::{debug, info, warn};

use crate::engine::SimEngine;

/// A backend of the `Engine` trait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Backend {
    /// The board when `--device` names one that identifies itself correctly, else `cpu`.
    Auto,
    /// Brute force over every slot of the tick's symbol (the reference).
    Cpu,
    /// Output-sensitive: per-position liquidation price sets, indexed.
    Indexed,
    /// The verilated RustHDL circuit, in process, cycle by cycle.
    Sim,
    /// A board (or a virtual board) through its device files, failing over to `cpu`.
    Board,
}

/// A name that is no backend's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown backend {0:?} (one of auto, cpu, indexed, sim, board)")]
pub struct UnknownBackend(pub String);

/// Where a board's device files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The register window; with no `ring`, a virtual board's file (window, then ring).
    pub window: PathBuf,
    /// The result ring's DMA buffer of a card.
    pub ring: Option<PathBuf>,
}

impl Device {
    /// A virtual board's single file.
    pub fn is_virtual(&self) -> bool {
        self.ring.is_none()
    }

    /// How long a tick may go without progress before the driver gives up:
    /// a card's few milliseconds, or a virtual board's second (its server
    /// sleeps when idle and may be descheduled).
    pub fn default_timeout(&self) -> Duration {
        if self.is_virtual() {
            HOST_TIMEOUT
        } else {
            DEFAULT_TIMEOUT
        }
    }

    fn open(&self) -> Result<MmioBus, DriverError> {
        match &self.ring {
            None => MmioBus::open_virtual(&self.window),
            Some(ring) => MmioBus::open(&DeviceMap::new(&self.window, 0), &DeviceMap::new(ring, 0)),
        }
    }
}

/// What a backend is built with beyond the market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Lanes of the circuit (`sim` only).
    pub lanes: usize,
    /// The board's device files (`board`, `auto`).
    pub device: Option<Device>,
    /// The board's timeout; `None` for the device's default.
    pub board_timeout: Option<Duration>,
    /// Host threads for the Verilator model's lanes (`sim` only; 1 or 2).
    pub sim_threads: usize,
}

impl Options {
    pub fn lanes(lanes: usize) -> Self {
        Self {
            lanes,
            device: None,
            board_timeout: None,
            sim_threads: 1,
        }
    }
}

impl Backend {
    /// The in-process backends, which need nothing but the market.
    pub const ALL: [Backend; 3] = [Backend::Cpu, Backend::Indexed, Backend::Sim];
    /// Every name the command lines take.
    pub const NAMES: [Backend; 5] = [
        Backend::Auto,
        Backend::Cpu,
        Backend::Indexed,
        Backend::Sim,
        Backend::Board,
    ];

    /// The name `Engine::name` reports and the command lines take.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::Cpu => "cpu",
            Backend::Indexed => "indexed",
            Backend::Sim => "sim",
            Backend::Board => "board",
        }
    }

    /// A fresh in-process engine for `market`; `lanes` is the circuit's (for `sim` only).
    pub fn engine(self, market: Arc<Market>, lanes: usize) -> Result<Box<dyn Engine>, EngineError> {
        self.open(market, &Options::lanes(lanes))
    }

    /// A fresh engine for `market`. `auto` logs which backend it took and why.
    pub fn open(
        self,
        market: Arc<Market>,
        options: &Options,
    ) -> Result<Box<dyn Engine>, EngineError> {
        Ok(match self {
            Backend::Cpu => Box::new(CpuScanner::new(market)),
            Backend::Indexed => Box::new(IndexedScanner::new(market)),
            Backend::Sim => {
                let sim = SimEngine::with_threads(market, options.lanes, options.sim_threads)?;
                let threads = sim.threads();
                if threads < options.sim_threads {
                    warn!(
                        "the Verilator model runs its scans on {threads} thread(s), not {}",
                        options.sim_threads
                    );
                }
                Box::new(sim)
            }
            Backend::Board => {
                let device = options.device.as_ref().ok_or_else(|| {
                    EngineError::Unavailable("the board backend needs --device".into())
                })?;
                Box::new(open_board(market, device, options.board_timeout)?)
            }
            Backend::Auto => match &options.device {
                None => {
                    // The usual case, said at debug level: the summary names the backend.
                    debug!("backend auto: cpu (no --device given)");
                    Box::new(CpuScanner::new(market))
                }
                Some(device) => match open_board(market.clone(), device, options.board_timeout) {
                    Ok(board) => {
                        info!("backend auto: board at {}", device.window.display());
                        Box::new(board)
                    }
                    Err(why) => {
                        warn!(
                            "backend auto: cpu, the board at {} cannot be used: {why}",
                            device.window.display()
                        );
                        Box::new(CpuScanner::new(market))
                    }
                },
            },
        })
    }
}

/// The board at `device`, identified, behind a failover to `cpu`.
fn open_board(
    market: Arc<Market>,
    device: &Device,
    timeout: Option<Duration>,
) -> Result<Failover<MmioBus>, EngineError> {
    let options = BoardOptions {
        timeout: timeout.unwrap_or_else(|| device.default_timeout()),
    };
    let bus = device.open().map_err(EngineError::from)?;
    let board = Board::open_with(bus, market, options).map_err(EngineError::from)?;
    Ok(Failover::new(board))
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = UnknownBackend;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Backend::NAMES
            .into_iter()
            .find(|b| b.name() == name)
            .ok_or_else(|| UnknownBackend(name.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_the_engines() {
        let market = Arc::new(Market::new(false));
        for backend in Backend::NAMES {
            assert_eq!(backend.name().parse(), Ok(backend));
        }
        for backend in Backend::ALL {
            if let Ok(engine) = backend.engine(market.clone(), 1) {
                assert_eq!(engine.name(), backend.name());
            }
        }
        assert!("gpu".parse::<Backend>().is_err());
    }

    #[test]
    fn auto_without_a_device_is_cpu_and_board_needs_one() {
        let market = Arc::new(Market::new(false));
        let auto = Backend::Auto
            .open(market.clone(), &Options::lanes(8))
            .unwrap();
        assert_eq!(auto.name(), "cpu");
        let board = Backend::Board.open(market, &Options::lanes(8));
        assert!(matches!(board, Err(EngineError::Unavailable(m)) if m.contains("--device")));
    }

    #[test]
    fn auto_falls_back_to_cpu_when_the_device_is_missing() {
        let market = Arc::new(Market::new(false));
        let options = Options {
            lanes: 8,
            device: Some(Device {
                window: PathBuf::from("/nonexistent/liqscan-board"),
                ring: None,
            }),
            board_timeout: None,
            sim_threads: 1,
        };
        assert_eq!(
            Backend::Auto.open(market.clone(), &options).unwrap().name(),
            "cpu"
        );
        assert!(Backend::Board.open(market, &options).is_err());
    }
}
