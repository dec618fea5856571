//! The card's DMA engine, played in software for card models: it clocks the
//! card with the stream held while the host's ring is full, writes the
//! records it streams into the result ring, then the ring's producer index,
//! then the heartbeat. The virtual board and [`CardBus`](crate::CardBus)
//! run it.

use liqscan_core::spec::registers::{reg, ring, status, RECORD_WORDS, RING_RECORDS};

use crate::card::Card;
use crate::error::DriverError;
use crate::format::Record;

/// Host memory holding the result ring, as the DMA engine writes it.
pub trait RingMemory {
    /// The word at byte `byte` of the ring.
    fn load(&self, byte: usize) -> Result<u32, DriverError>;
    /// Stores the word at byte `byte` of the ring.
    fn store(&mut self, byte: usize, value: u32) -> Result<(), DriverError>;
    /// Stores the producer index, after every earlier store.
    fn publish(&mut self, byte: usize, value: u32) -> Result<(), DriverError>;
}

/// What one run of the engine saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    /// Records written to the ring.
    pub records: usize,
    /// The card has work left: a scan, a rung tick or commands to apply.
    pub busy: bool,
}

/// The DMA engine's state: records written so far.
#[derive(Debug, Default)]
pub struct Dma {
    producer: u32,
    beats: Vec<Record>,
}

impl Dma {
    /// An engine whose ring's producer index starts at `producer`.
    pub fn new(producer: u32) -> Self {
        Self {
            producer,
            beats: Vec::new(),
        }
    }

    /// Records written so far (wrapping): the ring's producer index.
    pub fn producer(&self) -> u32 {
        self.producer
    }

    /// Clocks `card` for up to `cycles` cycles: as many as the ring has room
    /// for with the stream ready (at most one record a cycle), or all of
    /// them with the stream held when the ring is full. Then writes the
    /// records, the producer index and the heartbeat.
    pub fn run<C: Card, M: RingMemory>(
        &mut self,
        card: &mut C,
        memory: &mut M,
        cycles: u64,
    ) -> Result<Activity, DriverError> {
        let consumer = memory.load(ring::CONSUMER)?;
        let used = self.producer.wrapping_sub(consumer);
        if used > RING_RECORDS {
            return Err(DriverError::Bus(format!(
                "the host's ring consumer index {consumer} is not within {RING_RECORDS} \
                 records behind the producer index {}",
                self.producer
            )));
        }
        let free = u64::from(RING_RECORDS - used);
        self.beats.clear();
        if free == 0 {
            card.clock(cycles, false, &mut self.beats)?;
        } else {
            card.clock(cycles.min(free), true, &mut self.beats)?;
        }
        if self.beats.len() as u64 > free {
            return Err(DriverError::Card(format!(
                "{} stream beats with room for {free} (beats with tready low)",
                self.beats.len()
            )));
        }
        for beat in &self.beats {
            let at =
                ring::RECORDS + (self.producer % RING_RECORDS) as usize * RECORD_WORDS as usize * 4;
            for (i, &word) in beat.iter().enumerate() {
                memory.store(at + 4 * i, word)?;
            }
            self.producer = self.producer.wrapping_add(1);
        }
        if !self.beats.is_empty() {
            memory.publish(ring::PRODUCER, self.producer)?;
        }
        memory.publish(ring::HEARTBEAT, card.simulated_cycles() as u32)?;
        // One register: `BUSY` holds until the tick's completion record has
        // left on the stream, so with the three bits clear every record is
        // in the ring and nothing is left to do.
        let status = card.read(reg::STATUS)?;
        Ok(Activity {
            records: self.beats.len(),
            busy: status & (status::BUSY | status::TICK_PENDING | status::CMD_PENDING) != 0,
        })
    }
}
