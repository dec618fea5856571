//! The host's two windows onto the board: the card's register window (32-bit
//! registers at byte offsets, `spec::registers::reg`) and the result ring in
//! host memory (`spec::registers::ring`), which the card's DMA engine writes.

use crate::error::DriverError;

/// Word accesses to the register window and the result ring.
///
/// # Ordering
/// A bus delivers accesses in program order as the card and its DMA engine
/// see them: a write reaches its target after every earlier access, and a
/// read completes before any later access is made. The driver relies on it
/// twice: a command entry's words reach the card before the `CMD_PRODUCER`
/// write that commits them (and the doorbell's symbol and price before
/// `TICK_SEQ`), and the records the ring's producer index counts are read
/// after the index.
pub trait Bus {
    /// Reads the register at byte `offset` of the window.
    fn read(&mut self, offset: u32) -> Result<u32, DriverError>;

    /// Writes the register at byte `offset` of the window (a posted write).
    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError>;

    /// Reads the word at byte `byte` of the result ring (host memory).
    fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError>;

    /// Writes the word at byte `byte` of the result ring (host memory).
    fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError>;
}

impl<B: Bus + ?Sized> Bus for &mut B {
    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        (**self).read(offset)
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        (**self).write(offset, value)
    }

    fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
        (**self).ring_read(byte)
    }

    fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        (**self).ring_write(byte, value)
    }
}

/// Accesses counted by kind: register reads are the expensive ones (a
/// round trip over PCIe, about a microsecond), register writes are posted,
/// ring accesses stay in host memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BusCounts {
    pub reads: u64,
    pub writes: u64,
    pub ring_reads: u64,
    pub ring_writes: u64,
}

impl BusCounts {
    /// The accesses counted in `self` since `earlier`.
    pub fn since(&self, earlier: &BusCounts) -> BusCounts {
        BusCounts {
            reads: self.reads - earlier.reads,
            writes: self.writes - earlier.writes,
            ring_reads: self.ring_reads - earlier.ring_reads,
            ring_writes: self.ring_writes - earlier.ring_writes,
        }
    }
}

/// A bus that counts what goes through it.
#[derive(Debug)]
pub(crate) struct Counted<B> {
    pub bus: B,
    pub counts: BusCounts,
}

impl<B: Bus> Counted<B> {
    pub fn new(bus: B) -> Self {
        Self {
            bus,
            counts: BusCounts::default(),
        }
    }
}

impl<B: Bus> Bus for Counted<B> {
    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.counts.reads += 1;
        self.bus.read(offset)
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        self.counts.writes += 1;
        self.bus.write(offset, value)
    }

    fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
        self.counts.ring_reads += 1;
        self.bus.ring_read(byte)
    }

    fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.counts.ring_writes += 1;
        self.bus.ring_write(byte, value)
    }
}
