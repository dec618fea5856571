//! [`CardBus`]: a [`Bus`] straight onto a [`Card`] in the same process, with
//! the result ring in a plain vector: register accesses are the card's own,
//! and the card runs (with the DMA engine played by [`Dma`]) whenever the
//! host reads, as long as it has work. For tests of the driver against a
//! card model, the [`CardModel`](crate::CardModel) or the Verilator model,
//! without files or threads.

use liqscan_core::spec::registers::ring;

use crate::bus::Bus;
use crate::card::Card;
use crate::dma::{Dma, RingMemory};
use crate::error::DriverError;

/// Cycles the card runs per host read while it has work.
pub const CYCLES_PER_READ: u64 = 256;

/// The result ring in a plain vector of host memory, for a card in the
/// same process.
#[derive(Debug)]
pub struct HostRing(Vec<u32>);

impl Default for HostRing {
    fn default() -> Self {
        Self(vec![0; ring::BYTES / 4])
    }
}

impl HostRing {
    fn word(&self, byte: usize) -> Result<usize, DriverError> {
        if byte % 4 != 0 || byte / 4 >= self.0.len() {
            return Err(DriverError::Bus(format!(
                "ring word at byte {byte:#x} outside the ring or misaligned"
            )));
        }
        Ok(byte / 4)
    }
}

impl RingMemory for HostRing {
    fn load(&self, byte: usize) -> Result<u32, DriverError> {
        Ok(self.0[self.word(byte)?])
    }

    fn store(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        let i = self.word(byte)?;
        self.0[i] = value;
        Ok(())
    }

    fn publish(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.store(byte, value)
    }
}

/// A card on an in-process bus.
#[derive(Debug)]
pub struct CardBus<C> {
    card: C,
    ring: HostRing,
    dma: Dma,
    /// The host wrote since the card last went idle.
    work: bool,
    cycles_per_read: u64,
}

impl<C: Card> CardBus<C> {
    pub fn new(card: C) -> Self {
        Self::with_cycles_per_read(card, CYCLES_PER_READ)
    }

    /// A bus that runs the card `cycles` cycles per host read.
    pub fn with_cycles_per_read(card: C, cycles: u64) -> Self {
        Self {
            card,
            ring: HostRing::default(),
            dma: Dma::new(0),
            work: true,
            cycles_per_read: cycles.max(1),
        }
    }

    pub fn card(&self) -> &C {
        &self.card
    }

    pub fn card_mut(&mut self) -> &mut C {
        &mut self.card
    }

    /// Runs the card if it may have work: the host wrote, or it was busy.
    fn run(&mut self) -> Result<(), DriverError> {
        if self.work {
            let activity = self
                .dma
                .run(&mut self.card, &mut self.ring, self.cycles_per_read)?;
            self.work = activity.busy || activity.records > 0;
        }
        Ok(())
    }
}

impl<C: Card> Bus for CardBus<C> {
    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.run()?;
        self.card.read(offset)
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        self.work = true;
        self.card.write(offset, value)
    }

    fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
        self.run()?;
        self.ring.load(byte)
    }

    fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.work = true;
        self.ring.store(byte, value)
    }
}
