//! The host's side of the result ring: it polls the producer index in host
//! memory, reads a tick's records and advances the consumer index, never
//! touching a card register unless something is wrong.

use liqscan_core::spec::registers::{ring, RECORD_WORDS, RING_RECORDS};

use crate::bus::Bus;
use crate::error::DriverError;
use crate::format::{Record, ResultRecord};
use crate::link::{Link, Wait};

/// Records read between writes of the consumer index within one batch.
const FREE_EVERY: u32 = 1024;

/// How a scan went, from its completion record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanStats {
    /// Cycles from the accepting edge to `done`, stalls included.
    pub cycles: u32,
    /// Busy cycles the result stream held the scan.
    pub stalls: u32,
}

/// The consumer index and the records read.
#[derive(Debug)]
pub(crate) struct ResultRing {
    consumer: u32,
}

impl ResultRing {
    /// Starts reading at `producer`: records already in the ring are not this host's.
    pub fn attach(producer: u32) -> Self {
        Self { consumer: producer }
    }

    /// Reads records until the completion record of doorbell `seq`,
    /// appending its liquidations `(slot, shortfall)` to `hits`. Fails on a
    /// record of another kind or doorbell, on a completion whose count
    /// disagrees, and when neither a record nor the heartbeat moves for the
    /// timeout. `context` names the tick in errors.
    pub fn collect<B: Bus>(
        &mut self,
        link: &mut Link<B>,
        seq: u32,
        hits: &mut Vec<(u32, i128)>,
        context: &dyn Fn() -> String,
    ) -> Result<ScanStats, DriverError> {
        let mut wait = Wait::start();
        let mut heartbeat = None;
        loop {
            let producer = link.ring_read(ring::PRODUCER)?;
            if producer != self.consumer {
                let available = producer.wrapping_sub(self.consumer);
                if available > RING_RECORDS {
                    return Err(link.anomaly(format!(
                        "{}: the ring's producer index {producer} is more than {RING_RECORDS} \
                         records past the consumer index {}",
                        context(),
                        self.consumer
                    )));
                }
                for _ in 0..available {
                    let record = self.read_record(link)?;
                    if self.consumer % FREE_EVERY == 0 {
                        // A long batch frees the ring as it goes.
                        link.ring_write(ring::CONSUMER, self.consumer)?;
                    }
                    match ResultRecord::decode(&record) {
                        Ok(ResultRecord::Liquidation {
                            seq: s,
                            slot,
                            shortfall,
                        }) if s == seq => hits.push((slot, shortfall)),
                        Ok(ResultRecord::Completion {
                            seq: s,
                            cycles,
                            count,
                            stalls,
                        }) if s == seq => {
                            link.ring_write(ring::CONSUMER, self.consumer)?;
                            if count as usize != hits.len() {
                                return Err(link.anomaly(format!(
                                    "{}: the completion record counts {count} liquidations, \
                                     {} liquidation records came",
                                    context(),
                                    hits.len()
                                )));
                            }
                            return Ok(ScanStats { cycles, stalls });
                        }
                        // A record of a tick given up before this one (by
                        // an earlier session that failed over): it came late.
                        Ok(r) if (1..1 << 31).contains(&seq.wrapping_sub(r.seq())) => {}
                        other => {
                            link.ring_write(ring::CONSUMER, self.consumer)?;
                            let what = match other {
                                Ok(r) => format!("{r:?}"),
                                Err(kind) => format!("a record of unknown kind {kind}"),
                            };
                            return Err(link.anomaly(format!(
                                "{}: the ring holds {what}, expected a record of doorbell {seq}",
                                context()
                            )));
                        }
                    }
                }
                link.ring_write(ring::CONSUMER, self.consumer)?;
                wait.progress();
                continue;
            }
            if wait.check_due() {
                let beat = link.ring_read(ring::HEARTBEAT)?;
                if heartbeat != Some(beat) {
                    heartbeat = Some(beat);
                    wait.progress();
                }
            }
            if wait.idle(link.timeout) {
                return Err(link.timed_out(format!(
                    "{}: {} liquidation records and no completion",
                    context(),
                    hits.len()
                )));
            }
        }
    }

    /// Reads the record at the consumer index and advances it (the index
    /// is written back by the caller, after the reads).
    fn read_record<B: Bus>(&mut self, link: &mut Link<B>) -> Result<Record, DriverError> {
        let at =
            ring::RECORDS + (self.consumer % RING_RECORDS) as usize * RECORD_WORDS as usize * 4;
        let mut record = Record::default();
        for (i, word) in record.iter_mut().enumerate() {
            *word = link.ring_read(at + 4 * i)?;
        }
        self.consumer = self.consumer.wrapping_add(1);
        Ok(record)
    }
}
