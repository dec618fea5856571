//! Stopping a scan: SIGINT and SIGTERM caught, and the request to stop that
//! the feed and the scanner check before each line, with a channel that
//! wakes a scanner waiting for its next line.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use crossbeam::channel::{bounded, Receiver, Sender};
use signal_hook::consts::{SIGINT, SIGTERM};

/// SIGINT and SIGTERM, caught once [`Signals::catch`] is called (before
/// that, or never for the demo's scans, they end the process as usual). A
/// second one while the first is being handled ends the process at once
/// (exit 130 or 143), as an impatient operator expects.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    caught: Arc<AtomicUsize>,
}

impl Signals {
    pub fn catch(&self) -> Result<()> {
        let pending = Arc::new(AtomicBool::new(false));
        for signal in [SIGINT, SIGTERM] {
            let code = 128 + signal;
            signal_hook::flag::register_conditional_shutdown(signal, code, pending.clone())
                .and_then(|_| signal_hook::flag::register(signal, pending.clone()))
                .and_then(|_| {
                    signal_hook::flag::register_usize(signal, self.caught.clone(), signal as usize)
                })
                .context("installing the signal handlers")?;
        }
        Ok(())
    }

    /// The signal caught, if any.
    pub fn caught(&self) -> Option<i32> {
        match self.caught.load(Ordering::Relaxed) {
            0 => None,
            signal => i32::try_from(signal).ok(),
        }
    }
}

pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// A scan's stop: requested by a signal, or by the run when a stage has
/// failed. The feed reads no line after it; the scanner finishes the line
/// in hand and takes no other.
#[derive(Debug)]
pub struct Stop {
    signals: Signals,
    requested: AtomicBool,
    wake: Sender<()>,
    woken: Receiver<()>,
}

impl Stop {
    pub fn new(signals: Signals) -> Self {
        let (wake, woken) = bounded(1);
        // The scanner waits on it beside its line (see `channel`).
        super::channel::room_to_wait_for_messages(&woken);
        Self {
            signals,
            requested: AtomicBool::new(false),
            wake,
            woken,
        }
    }

    /// Whether to stop: two relaxed loads, no lock.
    #[inline]
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed) || self.signals.caught().is_some()
    }

    /// Asks the stages to stop, and wakes a scanner waiting for a line.
    pub fn request(&self) {
        self.requested.store(true, Ordering::Relaxed);
        let _ = self.wake.try_send(());
    }

    /// Ready (with a message or disconnected) once a stop is requested.
    pub fn woken(&self) -> &Receiver<()> {
        &self.woken
    }

    pub fn signals(&self) -> &Signals {
        &self.signals
    }
}
