//! A card as the virtual board and [`CardBus`](crate::CardBus) drive it:
//! register accesses on its AXI4-Lite port and clock cycles that stream
//! result records out of its AXI4-Stream port. The Verilator model of
//! `liqscan_top` implements it (in liqscan-sim), and so does the
//! [`CardModel`](crate::CardModel).

use crate::error::DriverError;
use crate::format::Record;

/// A card's ports, driven cycle by cycle.
pub trait Card {
    /// Lanes `L` of the build.
    fn lanes(&self) -> usize;

    /// One AXI4-Lite write of `value` to byte `offset` of the register window.
    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError>;

    /// One AXI4-Lite read of byte `offset` of the register window (no read
    /// has a side effect).
    fn read(&mut self, offset: u32) -> Result<u32, DriverError>;

    /// Clocks `cycles` cycles with the stream's `tready = ready`, appending
    /// the beats the card delivered (at most one a cycle, none when `ready`
    /// is false) to `out`.
    fn clock(&mut self, cycles: u64, ready: bool, out: &mut Vec<Record>)
        -> Result<(), DriverError>;

    /// Clock cycles simulated so far.
    fn simulated_cycles(&self) -> u64;
}

impl<C: Card + ?Sized> Card for &mut C {
    fn lanes(&self) -> usize {
        (**self).lanes()
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        (**self).write(offset, value)
    }

    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        (**self).read(offset)
    }

    fn clock(
        &mut self,
        cycles: u64,
        ready: bool,
        out: &mut Vec<Record>,
    ) -> Result<(), DriverError> {
        (**self).clock(cycles, ready, out)
    }

    fn simulated_cycles(&self) -> u64 {
        (**self).simulated_cycles()
    }
}
