//! The sink stage: turns each decided tick into its events (exact decimals
//! recomputed from the spec integers, the backend's shortfall
//! cross-checked) and writes them, each tick's out as soon as it is decided
//! unless more decided ticks are already waiting; logs the scanner's notes;
//! adds up the latency intervals and writes them to the interval log.

use std::sync::Arc;

use anyhow::{Context, Result};
use crossbeam::channel::{Receiver, Sender, TryRecvError};
use liqscan_core::report::event;
use liqscan_core::Market;
use tracing::warn;

use super::hist_log::HistLog;
use super::latency::Interval;
use super::scanner::{Decided, Note, ToSink};
use super::writer::Events;

/// The sink stage.
pub struct Sink<E> {
    market: Arc<Market>,
    /// The backend's name, in the error of a shortfall that disagrees.
    backend: String,
    /// The input's name and what one of its lines is called, in notes.
    file: String,
    noun: &'static str,
    events: E,
    log: Option<HistLog>,
    /// Every interval so far, added up.
    totals: Interval,
}

impl<E: Events> Sink<E> {
    pub fn new(
        market: Arc<Market>,
        backend: &str,
        (file, noun): (&str, &'static str),
        events: E,
        log: Option<HistLog>,
    ) -> Self {
        Self {
            market,
            backend: backend.to_owned(),
            file: file.to_owned(),
            noun,
            events,
            log,
            totals: Interval::new(std::time::Instant::now()),
        }
    }

    /// Writes a decided tick's events, out at once unless `backlogged`;
    /// returns the emptied buffer.
    pub fn decided(&mut self, mut decided: Decided, backlogged: bool) -> Result<Decided> {
        for (hit, position) in decided.hits.iter().zip(&decided.closed) {
            let event = event(&self.market, decided.tick, position, *hit)
                .with_context(|| format!("backend {}", self.backend))?;
            self.events.event(event)?;
        }
        self.events.end_tick(backlogged)?;
        decided.clear();
        Ok(decided)
    }

    pub fn note(&mut self, note: Note) {
        match note {
            Note::Stale { line, stale } => warn!("{}:{line}: stale {stale}, ignored", self.file),
            Note::Skipped(bad) => warn!("skipped bad {}: {bad}", self.noun),
        }
    }

    /// Adds an interval to the totals and writes it to the log; returns it
    /// to be recorded into again.
    pub fn interval(&mut self, interval: Box<Interval>) -> Result<Box<Interval>> {
        if let Some(log) = &mut self.log {
            log.write(&interval)?;
        }
        self.totals.add(&interval);
        Ok(interval)
    }

    /// Writes out every event so far.
    pub fn flush(&mut self) -> Result<()> {
        self.events.flush()
    }

    /// Writes out every event and the log, after `result` (the run's): its
    /// error comes first, a failure to flush after it is noted; returns the
    /// totals and the events.
    pub fn close(mut self, result: Result<()>) -> Result<(Interval, E)> {
        let flushed = self.events.flush().and_then(|()| match &mut self.log {
            Some(log) => log.finish(),
            None => Ok(()),
        });
        match (result, flushed) {
            (Ok(()), flushed) => flushed?,
            (Err(error), Err(flush)) => {
                note!("error: {flush:#}");
                return Err(error);
            }
            (Err(error), Ok(())) => return Err(error),
        }
        Ok((self.totals, self.events))
    }

    /// Every decided tick's events, written; the latency totals so far.
    pub fn totals(&self) -> &Interval {
        &self.totals
    }
}

/// The sink's thread: handles what the scanner sends until it is done,
/// giving back each buffer and interval, and writes out what it has before
/// it waits for more.
pub fn serve<E: Events>(
    sink: &mut Sink<E>,
    from_scanner: &Receiver<ToSink>,
    buffers: &Sender<Decided>,
    intervals: &Sender<Box<Interval>>,
) -> Result<()> {
    loop {
        let message = match from_scanner.try_recv() {
            Ok(message) => message,
            Err(TryRecvError::Empty) => {
                sink.flush()?;
                match from_scanner.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(()),
                }
            }
            Err(TryRecvError::Disconnected) => return Ok(()),
        };
        match message {
            ToSink::Decided(decided) => {
                let backlogged = !from_scanner.is_empty();
                let buffer = sink.decided(decided, backlogged)?;
                // Never full: there are as many buffers as its room.
                let _ = buffers.try_send(buffer);
            }
            ToSink::Note(note) => sink.note(note),
            ToSink::Interval(interval) => {
                let interval = sink.interval(interval)?;
                let _ = intervals.try_send(interval);
            }
        }
    }
}
