//! The bounded channels between the stages and their back-pressure: a
//! sender that finds its channel full counts a stall, then waits for room.
//! Nothing is ever dropped. crossbeam's bounded channels hold their slots
//! from the start, so a message sent or received allocates nothing.
//!
//! A wait is made ready too. crossbeam allocates the first time a thread
//! waits on any channel (its waiting context, kept by the thread), and the
//! first time any thread waits on a given end of a channel (the list of
//! waiting threads, kept by the channel, emptied but not freed after). So
//! before the scanner's first line, the pipeline makes each of those: the
//! lists of every end the scanner may wait on as its channels are made
//! ([`Links::new`], and `Stop::new` for the stop's wake-up), its context as
//! its thread starts serving ([`ready_to_wait`]). Without them, the first
//! wait for a line, a buffer or room after warm-up allocates.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crossbeam::channel::{bounded, never, Receiver, Select, Sender, TrySendError};

use super::feed::Fed;
use super::latency::Interval;
use super::scanner::{Decided, ToSink};

/// Lines the feed may read ahead of the scanner.
pub const FEED_AHEAD: usize = 1024;

/// Buffers of decided ticks (ticks with liquidations) the scanner may have
/// handed to the sink and not had back: it waits for one when all are out.
pub const DECIDED_BUFFERS: usize = 64;

/// Liquidations a decided tick's buffer holds before it grows (once, then
/// keeps its size).
pub const HITS_PER_BUFFER: usize = 64;

/// Messages the sink's channel holds (decided ticks, notes, intervals).
pub const SINK_AHEAD: usize = 4 * DECIDED_BUFFERS;

/// Every channel between the stages, both ends, made before any stage
/// runs; each end is then moved to its stage's thread.
#[derive(Debug)]
pub struct Links {
    pub to_scanner: Sender<Fed>,
    pub from_feed: Receiver<Fed>,
    pub to_sink: Sender<ToSink>,
    pub from_scanner: Receiver<ToSink>,
    /// Decided ticks' buffers, emptied by the sink: all but the scanner's
    /// first one wait here at the start.
    pub buffers_back: Sender<Decided>,
    pub buffers: Receiver<Decided>,
    /// Latency intervals, emptied by the sink: one waits here at the start.
    pub intervals_back: Sender<Box<Interval>>,
    pub intervals: Receiver<Box<Interval>>,
}

impl Links {
    pub fn new() -> Self {
        let (to_scanner, from_feed) = bounded(FEED_AHEAD);
        let (to_sink, from_scanner) = bounded(SINK_AHEAD);
        let (buffers_back, buffers) = bounded(DECIDED_BUFFERS);
        let (intervals_back, intervals) = bounded(2);
        // The ends the scanner waits on: for a line, for a buffer back, for
        // room in the sink's channel (not for an interval: it takes one only
        // if one is back).
        room_to_wait_for_messages(&from_feed);
        room_to_wait_for_messages(&buffers);
        room_to_wait_for_room(
            &to_sink,
            &from_scanner,
            || ToSink::Decided(Decided::empty()),
        );
        // The scanner holds one buffer; the others wait here.
        for _ in 1..DECIDED_BUFFERS {
            let _ = buffers_back.try_send(Decided::buffer());
        }
        let _ = intervals_back.try_send(Box::new(Interval::new(Instant::now())));
        Self {
            to_scanner,
            from_feed,
            to_sink,
            from_scanner,
            buffers_back,
            buffers,
            intervals_back,
            intervals,
        }
    }
}

impl Default for Links {
    fn default() -> Self {
        Self::new()
    }
}

/// Makes room in the list of threads waiting for a message on `messages`,
/// which must be empty (as a new channel is), so that the first wait on it
/// allocates nothing: an attempt to select a receive that is not ready
/// registers it in that list, as a wait does, and withdraws it.
pub fn room_to_wait_for_messages<T>(messages: &Receiver<T>) {
    assert!(
        messages.is_empty(),
        "room to wait is made on an empty channel"
    );
    let mut select = Select::new();
    select.recv(messages);
    assert!(select.try_select().is_err(), "nothing to receive");
}

/// Makes room in the list of threads waiting for room on `to`, which must
/// be empty (`from` is its other end): fills it with `filler`'s messages,
/// registers and withdraws a send as [`room_to_wait_for_messages`] does a
/// receive, and takes the fillers out again.
pub fn room_to_wait_for_room<T>(to: &Sender<T>, from: &Receiver<T>, filler: impl Fn() -> T) {
    assert!(to.is_empty(), "room to wait is made on an empty channel");
    while to.try_send(filler()).is_ok() {}
    let mut select = Select::new();
    select.send(to);
    assert!(select.try_select().is_err(), "no room to send");
    while from.try_recv().is_ok() {}
}

/// Makes the calling thread's context for waiting on channels, so that its
/// first wait allocates nothing: an attempt to select a receive from a
/// channel that never delivers takes the context, as a wait does.
pub fn ready_to_wait() {
    let nothing = never::<()>();
    let mut select = Select::new();
    select.recv(&nothing);
    assert!(select.try_select().is_err(), "never ready");
}

/// Sends `message`, waiting while the channel is full and counting in
/// `stalls` each send that had to wait. The message comes back if the
/// receiver is gone.
pub fn send<T>(to: &Sender<T>, message: T, stalls: &AtomicU64) -> Result<(), T> {
    match to.try_send(message) {
        Ok(()) => Ok(()),
        Err(TrySendError::Full(message)) => {
            stalls.fetch_add(1, Ordering::Relaxed);
            to.send(message).map_err(|e| e.into_inner())
        }
        Err(TrySendError::Disconnected(message)) => Err(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full channel makes the sender wait (counted), never drop.
    #[test]
    fn a_full_channel_stalls_the_sender_and_loses_nothing() {
        let (to, from) = bounded(1);
        let stalls = AtomicU64::new(0);
        send(&to, 1, &stalls).unwrap();
        assert_eq!(stalls.load(Ordering::Relaxed), 0);
        let reader = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            from.iter().collect::<Vec<i32>>()
        });
        send(&to, 2, &stalls).unwrap();
        assert_eq!(stalls.load(Ordering::Relaxed), 1);
        drop(to);
        assert_eq!(reader.join().unwrap(), [1, 2]);
        let (to, from) = bounded(1);
        drop(from);
        assert_eq!(send(&to, 3, &stalls), Err(3));
    }
}
