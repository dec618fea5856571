//! The bounded channels between the stages and their back-pressure: a
//! sender that finds its channel full counts a stall, then waits for room.
//! Nothing is ever dropped. crossbeam's bounded channels hold their slots
//! from the start, so a message sent or received allocates nothing.

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam::channel::{Sender, TrySendError};

/// Lines the feed may read ahead of the scanner.
pub const FEED_AHEAD: usize = 1024;

/// Buffers of decided ticks (ticks with liquidations) the scanner may have
/// handed to the sink and not had back: it waits for one when all are out.
pub const DECIDED_BUFFERS: usize = 64;

/// Liquidations a decided tick's buffer holds before it grows (once, then
/// keeps its size).
pub const HITS_PER_BUFFER: usize = 64;

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
    use crossbeam::channel::bounded;

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
