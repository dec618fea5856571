//! The virtual board: a card model served through a device file, so that
//! the driver's real path ([`MmioBus`](crate::MmioBus) over memory-mapped
//! files, volatile accesses, the result ring in shared memory) runs without
//! a card.
//!
//! # The file
//! [`FILE_BYTES`] bytes: the register window (`spec::registers`, at offset
//! 0, [`WINDOW_BYTES`] bytes) then the result ring (`registers::ring`, at
//! offset [`WINDOW_BYTES`]). [`serve`] creates it under a temporary name
//! in the same directory, fills the identification and other read-only
//! registers from the card, and renames it to its path only when it is
//! ready, so a host that finds the file finds a working board. It removes
//! the file when it stops.
//!
//! # The loop
//! Shared memory has no write strobe, so the server sees the host's writes
//! as changes of the writable words, which the map's rules make enough
//! (every write that starts something carries a new sequence number):
//! * a new `TICK_SEQ` (read first, with acquire ordering, so that
//!   everything the host wrote before it is seen) → after the other
//!   changes below, `TICK_SYMBOL`, `TICK_PRICE` and `TICK_SEQ` are written
//!   to the card;
//! * a new `CMD_PRODUCER` → the new entries' words that differ from what
//!   the card holds are written, then the producer (at most the last
//!   `CMD_ENTRIES` entries: a host further ahead has overrun the ring, and
//!   the card says so);
//! * `CONTROL` and `SCRATCH` → written when they change; `ERRORS_CLEAR`
//!   non-zero → written, and zeroed in the file (atomically).
//!
//! Then, if the host wrote or the card has work, it clocks the card through
//! the DMA engine ([`Dma`]: records into the ring, then the producer index;
//! the stream held with `ready = false` while the ring is full by the
//! host's consumer index), writes the heartbeat (the simulated cycle count,
//! `registers::ring::HEARTBEAT`), and mirrors the card's read-only
//! registers into the window. The batch of cycles per loop starts at
//! [`ServeOptions::min_batch`] after a host write and doubles while the
//! card stays busy, up to [`ServeOptions::max_batch`].
//!
//! # Idle cost and latency
//! With nothing to do the server does not clock the card (its heartbeat
//! stands still). For [`ServeOptions::spin`] (200 µs) after the last
//! activity it only yields the CPU between looks, so back-to-back ticks are
//! picked up within microseconds; after that it sleeps, from 20 µs doubling
//! to [`ServeOptions::max_sleep`] (1 ms). An idle server thus wakes about a
//! thousand times a second for a few microseconds (well under 1% of a
//! core), and the first host write after a pause waits up to 1 ms plus the
//! timer's slack. A host of a virtual board should therefore wait longer
//! than a card's few milliseconds: [`HOST_TIMEOUT`].

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use liqscan_core::spec::registers::{
    reg, ring, Access, CMD_BASE, CMD_ENTRIES, CMD_WORDS, MAP, WINDOW_BYTES,
};

use crate::card::Card;
use crate::dma::{Dma, RingMemory};
use crate::error::DriverError;
use crate::mmio::Mapping;

/// Bytes of the virtual board's file: the register window, then the ring.
pub const FILE_BYTES: usize = WINDOW_BYTES as usize + ring::BYTES;

/// A timeout for a host of a virtual board: it covers the server's idle
/// sleep and a scheduler that deschedules it for a while.
pub const HOST_TIMEOUT: Duration = Duration::from_secs(1);

/// The first sleep of an idle server.
const FIRST_SLEEP: Duration = Duration::from_micros(20);

/// How the server paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// Cycles clocked in the first loop after a host write.
    pub min_batch: u64,
    /// Most cycles clocked in one loop while the card stays busy.
    pub max_batch: u64,
    /// How long after the last activity the server keeps looking without sleeping.
    pub spin: Duration,
    /// Longest sleep of an idle server.
    pub max_sleep: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            min_batch: 64,
            max_batch: 4096,
            spin: Duration::from_micros(200),
            max_sleep: Duration::from_millis(1),
        }
    }
}

/// Serves `card` at `path` until `stop` is set; see the module documentation.
pub fn serve<C: Card>(card: C, path: &Path, stop: &AtomicBool) -> Result<(), DriverError> {
    serve_with(card, path, stop, &ServeOptions::default())
}

/// [`serve`] with its pacing set.
pub fn serve_with<C: Card>(
    card: C,
    path: &Path,
    stop: &AtomicBool,
    options: &ServeOptions,
) -> Result<(), DriverError> {
    let name = path.file_name().ok_or_else(|| {
        DriverError::io(
            path,
            "create",
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"),
        )
    })?;
    let temporary = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temporary)
        .map_err(|e| DriverError::io(&temporary, "create", e))?;
    let mut removal = Removal(temporary.clone());
    file.set_len(FILE_BYTES as u64)
        .map_err(|e| DriverError::io(&temporary, "size", e))?;
    let window = Mapping::map(&file, &temporary, 0, WINDOW_BYTES as usize)?;
    let ring = Mapping::map(&file, &temporary, u64::from(WINDOW_BYTES), ring::BYTES)?;
    let mut server = Server::new(card, window, ring, *options)?;
    fs::rename(&temporary, path).map_err(|e| DriverError::io(path, "rename into place", e))?;
    removal.0 = path.to_owned();
    server.run(stop)
}

/// Removes the file when the server stops, however it stops.
struct Removal(PathBuf);

impl Drop for Removal {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// The host-written words as last forwarded to the card.
#[derive(Debug, Clone, Copy)]
struct Seen {
    control: u32,
    scratch: u32,
    producer: u32,
    seq: u32,
}

/// The ring in the shared file, as the DMA engine writes it.
struct SharedRing<'a>(&'a Mapping);

impl RingMemory for SharedRing<'_> {
    fn load(&self, byte: usize) -> Result<u32, DriverError> {
        Ok(self.0.atomic(byte)?.load(Ordering::Acquire))
    }

    fn store(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.0.atomic(byte)?.store(value, Ordering::Relaxed);
        Ok(())
    }

    fn publish(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.0.atomic(byte)?.store(value, Ordering::Release);
        Ok(())
    }
}

/// The registers mirrored from the card after each run.
const MIRRORED: [u32; 10] = [
    reg::CYCLES_LO,
    reg::CYCLES_HI,
    reg::LAST_SCAN_CYCLES,
    reg::TICKS,
    reg::RESULTS,
    reg::STALL_CYCLES,
    reg::TICK_DONE_SEQ,
    reg::ERRORS,
    reg::CMD_CONSUMER,
    reg::STATUS,
];

struct Server<C> {
    card: C,
    window: Mapping,
    ring: Mapping,
    dma: Dma,
    seen: Seen,
    /// Command entry words as the card holds them.
    entries: Vec<u32>,
    options: ServeOptions,
}

impl<C: Card> Server<C> {
    /// Fills the window from the card: every read-only and read-write
    /// register as the card reads it, the command entries zero (and zeroed
    /// on the card, so the two agree).
    fn new(
        mut card: C,
        window: Mapping,
        ring: Mapping,
        options: ServeOptions,
    ) -> Result<Self, DriverError> {
        for register in MAP.iter().flat_map(|block| block.registers) {
            for word in 0..register.words {
                let offset = register.offset + 4 * word;
                let value = match register.access {
                    Access::Ro | Access::Rw => card.read(offset)?,
                    Access::Wo => {
                        card.write(offset, 0)?;
                        0
                    }
                };
                window
                    .atomic(offset as usize)?
                    .store(value, Ordering::Relaxed);
            }
        }
        let seen = Seen {
            control: card.read(reg::CONTROL)?,
            scratch: card.read(reg::SCRATCH)?,
            producer: card.read(reg::CMD_PRODUCER)?,
            seq: card.read(reg::TICK_SEQ)?,
        };
        let cycles = card.simulated_cycles() as u32;
        ring.atomic(ring::HEARTBEAT)?
            .store(cycles, Ordering::Release);
        Ok(Self {
            card,
            window,
            ring,
            dma: Dma::new(0),
            seen,
            entries: vec![0; (CMD_ENTRIES * CMD_WORDS) as usize],
            options,
        })
    }

    fn word(&self, offset: u32) -> Result<&AtomicU32, DriverError> {
        self.window.atomic(offset as usize)
    }

    fn run(&mut self, stop: &AtomicBool) -> Result<(), DriverError> {
        let mut batch = self.options.min_batch;
        let mut busy = true;
        let mut last_activity = Instant::now();
        let mut sleep = FIRST_SLEEP;
        while !stop.load(Ordering::Relaxed) {
            let wrote = self.forward_host_writes()?;
            if wrote || busy {
                let activity = self
                    .dma
                    .run(&mut self.card, &mut SharedRing(&self.ring), batch)?;
                self.mirror()?;
                busy = activity.busy;
                batch = if wrote || !busy {
                    self.options.min_batch
                } else {
                    (batch * 2).min(self.options.max_batch)
                };
                last_activity = Instant::now();
                sleep = FIRST_SLEEP;
            } else if last_activity.elapsed() < self.options.spin {
                std::thread::yield_now();
            } else {
                std::thread::sleep(sleep);
                sleep = (sleep * 2).min(self.options.max_sleep);
            }
        }
        Ok(())
    }

    /// Forwards what the host changed since the last look; true if anything.
    fn forward_host_writes(&mut self) -> Result<bool, DriverError> {
        // The two sequence numbers first: what the host wrote before them
        // is visible after these acquire loads.
        let seq = self.word(reg::TICK_SEQ)?.load(Ordering::Acquire);
        let producer = self.word(reg::CMD_PRODUCER)?.load(Ordering::Acquire);
        let control = self.word(reg::CONTROL)?.load(Ordering::Relaxed);
        let scratch = self.word(reg::SCRATCH)?.load(Ordering::Relaxed);
        let clear = self.word(reg::ERRORS_CLEAR)?.swap(0, Ordering::AcqRel);
        let mut wrote = false;
        if control != self.seen.control {
            self.card.write(reg::CONTROL, control)?;
            self.seen.control = control;
            wrote = true;
        }
        if scratch != self.seen.scratch {
            self.card.write(reg::SCRATCH, scratch)?;
            self.seen.scratch = scratch;
            wrote = true;
        }
        if clear != 0 {
            self.card.write(reg::ERRORS_CLEAR, clear)?;
            wrote = true;
        }
        if producer != self.seen.producer {
            self.forward_entries(producer)?;
            self.card.write(reg::CMD_PRODUCER, producer)?;
            self.seen.producer = producer;
            wrote = true;
        }
        if seq != self.seen.seq {
            let symbol = self.word(reg::TICK_SYMBOL)?.load(Ordering::Relaxed);
            let price = self.word(reg::TICK_PRICE)?.load(Ordering::Relaxed);
            self.card.write(reg::TICK_SYMBOL, symbol)?;
            self.card.write(reg::TICK_PRICE, price)?;
            self.card.write(reg::TICK_SEQ, seq)?;
            self.seen.seq = seq;
            wrote = true;
        }
        Ok(wrote)
    }

    /// Writes the words of the entries committed since the last producer
    /// that differ from what the card holds.
    fn forward_entries(&mut self, producer: u32) -> Result<(), DriverError> {
        let new = producer.wrapping_sub(self.seen.producer);
        if new > u32::MAX / 2 {
            // Backwards: nothing to forward; the card flags it.
            return Ok(());
        }
        let count = new.min(CMD_ENTRIES);
        for n in 0..count {
            let entry = producer.wrapping_sub(count - n) % CMD_ENTRIES;
            for word in 0..CMD_WORDS {
                let index = (entry * CMD_WORDS + word) as usize;
                let offset = CMD_BASE + 4 * index as u32;
                let value = self.word(offset)?.load(Ordering::Relaxed);
                if value != self.entries[index] {
                    self.card.write(offset, value)?;
                    self.entries[index] = value;
                }
            }
        }
        Ok(())
    }

    /// Copies the card's changing read-only registers into the window.
    fn mirror(&mut self) -> Result<(), DriverError> {
        for offset in MIRRORED {
            let value = self.card.read(offset)?;
            self.word(offset)?.store(value, Ordering::Release);
        }
        Ok(())
    }
}
