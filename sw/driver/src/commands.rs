//! The host's side of the command ring: entries written into the window,
//! committed by `CMD_PRODUCER`, with credit accounting so the host never
//! runs more than `CMD_ENTRIES` entries ahead of the card's
//! `CMD_CONSUMER`, which it reads only when its credit runs out.

use liqscan_core::layout::SlotWrites;
use liqscan_core::spec::registers::{reg, CMD_BASE, CMD_ENTRIES, CMD_WORDS};
use liqscan_core::spec::PositionConst;

use crate::bus::Bus;
use crate::error::DriverError;
use crate::format::Command;
use crate::link::{Link, Wait};

/// Entries written before they are committed without waiting for the end
/// of an update: the card applies the first while the host writes the next.
const COMMIT_EVERY: u32 = CMD_ENTRIES / 4;

/// Producer, commit and credit state.
#[derive(Debug)]
pub(crate) struct CommandRing {
    /// Entries written.
    producer: u32,
    /// Entries committed (`CMD_PRODUCER` as last written).
    committed: u32,
    /// `CMD_CONSUMER` as last read.
    consumer: u32,
    /// Reads of `CMD_CONSUMER` (each when out of credit).
    pub credit_reads: u64,
}

impl CommandRing {
    /// The ring as the card holds it: `CMD_PRODUCER` and `CMD_CONSUMER`.
    pub fn attach(producer: u32, consumer: u32) -> Self {
        Self {
            producer,
            committed: producer,
            consumer,
            credit_reads: 0,
        }
    }

    fn credit(&self) -> u32 {
        CMD_ENTRIES - self.producer.wrapping_sub(self.consumer)
    }

    /// Writes `command` into the next entry (waiting for credit if needed).
    pub fn push<B: Bus>(
        &mut self,
        link: &mut Link<B>,
        command: Command,
    ) -> Result<(), DriverError> {
        if self.credit() == 0 {
            self.wait_for_credit(link)?;
        }
        let (words, used) = command.encode();
        let entry = CMD_BASE + (self.producer % CMD_ENTRIES) * CMD_WORDS * 4;
        for (i, &word) in words[..used].iter().enumerate() {
            link.write(entry + 4 * i as u32, word)?;
        }
        self.producer = self.producer.wrapping_add(1);
        if self.producer.wrapping_sub(self.committed) >= COMMIT_EVERY {
            self.commit(link)?;
        }
        Ok(())
    }

    /// Commits the entries written (one `CMD_PRODUCER` write, after them).
    pub fn commit<B: Bus>(&mut self, link: &mut Link<B>) -> Result<(), DriverError> {
        if self.committed != self.producer {
            link.write(reg::CMD_PRODUCER, self.producer)?;
            self.committed = self.producer;
        }
        Ok(())
    }

    /// Commits, then reads `CMD_CONSUMER` until a quarter of the ring is
    /// free (or every entry is applied), so that a slow card costs one read
    /// per quarter ring rather than one per entry.
    fn wait_for_credit<B: Bus>(&mut self, link: &mut Link<B>) -> Result<(), DriverError> {
        self.commit(link)?;
        let mut wait = Wait::start();
        loop {
            let consumer = link.read(reg::CMD_CONSUMER)?;
            self.credit_reads += 1;
            if self.producer.wrapping_sub(consumer) > CMD_ENTRIES {
                return Err(link.anomaly(format!(
                    "CMD_CONSUMER reads {consumer} with {} command entries committed",
                    self.producer
                )));
            }
            if consumer != self.consumer {
                self.consumer = consumer;
                wait.progress();
            }
            if self.credit() >= COMMIT_EVERY {
                return Ok(());
            }
            if wait.idle(link.timeout) {
                return Err(link.timed_out(format!(
                    "waiting for the card to apply command entries ({consumer} of {} applied)",
                    self.producer
                )));
            }
        }
    }
}

/// The layout's slot and region writes as commands.
pub(crate) struct Commands<'a, B> {
    pub link: &'a mut Link<B>,
    pub ring: &'a mut CommandRing,
}

impl<B: Bus> SlotWrites for Commands<'_, B> {
    type Error = DriverError;

    fn position(&mut self, slot: u32, position: Option<PositionConst>) -> Result<(), DriverError> {
        self.ring
            .push(self.link, Command::Position { slot, position })
    }

    fn region(&mut self, symbol: u32, base_row: u32, count: u32) -> Result<(), DriverError> {
        self.ring.push(
            self.link,
            Command::Region {
                symbol,
                base_row,
                count,
            },
        )
    }
}
