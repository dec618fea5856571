//! Where a scan's events go: JSON lines on a writer ([`EventWriter`]), or a
//! list in memory (the demo's).

use std::io::{self, BufWriter, Write};

use anyhow::{anyhow, Result};
use liqscan_core::report::Event;

/// Where a scan's events go.
pub trait Events {
    fn event(&mut self, event: Event) -> Result<()>;

    /// After the last event of a tick that had some: write them out now
    /// unless `backlogged` (more decided ticks are waiting: the sink writes
    /// them out after those, before it waits).
    fn end_tick(&mut self, backlogged: bool) -> Result<()> {
        let _ = backlogged;
        Ok(())
    }

    /// Writes out every event so far.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

impl Events for Vec<Event> {
    fn event(&mut self, event: Event) -> Result<()> {
        self.push(event);
        Ok(())
    }
}

/// Events as JSON lines, each tick's written out whole, so a reader sees
/// them at once and a stop leaves whole lines. Counts the events it has
/// written, to say so if a write fails.
pub struct EventWriter<W: Write> {
    /// `None` once a write failed: what it still buffers is dropped, not retried.
    out: Option<BufWriter<W>>,
    name: String,
    line: Vec<u8>,
    /// Events flushed to `out`.
    written: u64,
    /// Events in the buffer.
    pending: u64,
}

impl<W: Write> EventWriter<W> {
    pub fn new(out: W, name: String) -> Self {
        Self {
            out: Some(BufWriter::new(out)),
            name,
            line: Vec::new(),
            written: 0,
            pending: 0,
        }
    }

    fn failed(&mut self, error: io::Error) -> anyhow::Error {
        if let Some(out) = self.out.take() {
            let _ = out.into_parts();
        }
        anyhow::Error::new(error).context(format!(
            "writing events to {} ({} events written)",
            self.name, self.written
        ))
    }

    fn out(&mut self) -> Result<&mut BufWriter<W>> {
        self.out.as_mut().ok_or_else(|| {
            anyhow!(
                "writing events to {} ({} events written): failed before",
                self.name,
                self.written
            )
        })
    }
}

impl<W: Write> Events for EventWriter<W> {
    fn event(&mut self, event: Event) -> Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, &event)?;
        self.line.push(b'\n');
        let line = std::mem::take(&mut self.line);
        let written = self.out()?.write_all(&line);
        self.line = line;
        match written {
            Ok(()) => {
                self.pending += 1;
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }

    fn end_tick(&mut self, backlogged: bool) -> Result<()> {
        if backlogged {
            return Ok(());
        }
        self.flush()
    }

    fn flush(&mut self) -> Result<()> {
        if self.out.is_none() || self.pending == 0 {
            // Nothing new; or the failure was reported when it happened.
            return Ok(());
        }
        match self.out()?.flush() {
            Ok(()) => {
                self.written += self.pending;
                self.pending = 0;
                Ok(())
            }
            Err(e) => Err(self.failed(e)),
        }
    }
}
