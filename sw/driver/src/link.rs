//! The board's bus as the driver uses it: counted accesses, the no-progress
//! timeout, and the errors that name the card's `ERRORS` flags.

use std::time::{Duration, Instant};

use liqscan_core::spec::registers::reg;

use crate::bus::{Bus, BusCounts, Counted};
use crate::error::{DriverError, ErrorFlags};

/// Polls of host memory spent spinning before a waiting loop starts to
/// yield the CPU between polls (a few microseconds of spinning).
const SPINS: u32 = 4096;

#[derive(Debug)]
pub(crate) struct Link<B> {
    bus: Counted<B>,
    /// Longest wait without progress.
    pub timeout: Duration,
}

impl<B: Bus> Link<B> {
    pub fn new(bus: B, timeout: Duration) -> Self {
        Self {
            bus: Counted::new(bus),
            timeout,
        }
    }

    pub fn counts(&self) -> BusCounts {
        self.bus.counts
    }

    pub fn bus(&self) -> &B {
        &self.bus.bus
    }

    pub fn bus_mut(&mut self) -> &mut B {
        &mut self.bus.bus
    }

    pub fn into_bus(self) -> B {
        self.bus.bus
    }

    pub fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.bus.read(offset)
    }

    pub fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        self.bus.write(offset, value)
    }

    pub fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
        self.bus.ring_read(byte)
    }

    pub fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.bus.ring_write(byte, value)
    }

    /// The card's `ERRORS`, or why it could not be read.
    pub fn error_flags(&mut self) -> ErrorFlags {
        match self.read(reg::ERRORS) {
            Ok(flags) => ErrorFlags::Read(flags),
            Err(e) => ErrorFlags::Unreadable(e.to_string()),
        }
    }

    /// An anomaly in `context`, with the card's `ERRORS`.
    pub fn anomaly(&mut self, context: String) -> DriverError {
        let errors = self.error_flags();
        DriverError::Anomaly { context, errors }
    }

    /// No progress in `context` for the timeout, with the card's `ERRORS`.
    pub fn timed_out(&mut self, context: String) -> DriverError {
        let errors = self.error_flags();
        DriverError::Timeout {
            context,
            timeout: self.timeout,
            errors,
        }
    }
}

/// A waiting loop's pacing and its no-progress deadline.
#[derive(Debug)]
pub(crate) struct Wait {
    last_progress: Instant,
    polls: u32,
}

impl Wait {
    pub fn start() -> Self {
        Self {
            last_progress: Instant::now(),
            polls: 0,
        }
    }

    /// Something moved: the deadline starts again.
    pub fn progress(&mut self) {
        self.last_progress = Instant::now();
        self.polls = 0;
    }

    /// Pauses between polls (spinning at first, then yielding the CPU);
    /// true when `timeout` has passed without progress. The clock is read
    /// every 64 polls.
    pub fn idle(&mut self, timeout: Duration) -> bool {
        self.polls = self.polls.saturating_add(1);
        if self.polls < SPINS {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
        self.polls % 64 == 0 && self.last_progress.elapsed() >= timeout
    }

    /// Whether this poll is one on which to look for slow signs of life
    /// (the ring's heartbeat): every 64 polls.
    pub fn check_due(&self) -> bool {
        self.polls % 64 == 63
    }
}
