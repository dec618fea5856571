//! A counting global allocator, for the tests that assert that a piece of
//! code allocates nothing: the system allocator, counting each allocation
//! (and reallocation) a thread makes into the [`Counter`] that thread is
//! charged to, if any. Threads are charged to nothing until they say
//! otherwise, so a test counts only the thread, and the stretch of it, it
//! cares about, whatever the test harness and other tests' threads do.
//!
//! A test crate installs it once:
//!
//! ```text
//! #[global_allocator]
//! static ALLOCATOR: CountingAlloc = CountingAlloc;
//! ```
//!
//! and then charges a thread with [`charge`] (from now on) or [`charged`]
//! (while a closure runs), and reads the counter with [`Counter::get`],
//! from any thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Allocations charged to it, from any number of threads.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub const fn new() -> Self {
        Self(AtomicU64::new(0))
    }

    /// A counter of its own for a caller that cannot name a `static` one
    /// (a test run more than once at a time): leaked, a few bytes a call.
    pub fn leaked() -> &'static Self {
        Box::leak(Box::new(Self::new()))
    }

    /// Allocations charged so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

thread_local! {
    // Const-initialised and without a destructor: reading it never allocates.
    static CHARGED: Cell<Option<&'static Counter>> = const { Cell::new(None) };
}

/// Charges the calling thread's allocations to `counter` from now on (to
/// nothing for `None`); returns what they were charged to before.
pub fn charge(counter: Option<&'static Counter>) -> Option<&'static Counter> {
    CHARGED.with(|charged| charged.replace(counter))
}

/// Runs `f` with the calling thread's allocations charged to `counter`,
/// then charges them as before.
pub fn charged<R>(counter: &'static Counter, f: impl FnOnce() -> R) -> R {
    let before = charge(Some(counter));
    let result = f();
    charge(before);
    result
}

/// The system allocator, counting (see the module).
#[derive(Debug)]
pub struct CountingAlloc;

impl CountingAlloc {
    fn count() {
        // A thread being torn down, its locals gone, is charged to nothing.
        if let Ok(Some(counter)) = CHARGED.try_with(Cell::get) {
            counter.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is passed on unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counting touches only a thread-local `Cell`
// and an atomic, neither of which allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's contract for `realloc`, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // This crate's own unit tests run under it, so it can be checked here.
    #[global_allocator]
    static ALLOCATOR: CountingAlloc = CountingAlloc;

    static MINE: Counter = Counter::new();

    /// Only the charged thread and stretch count; a nested charge restores
    /// the outer one.
    #[test]
    fn counts_only_what_it_is_charged_with() {
        let outer = Counter::leaked();
        let before = (MINE.get(), outer.get());
        let kept = charged(outer, || {
            let inner = charged(&MINE, || vec![1u8; 100]);
            // Charged to `outer` again.
            let mut grown = Vec::<u64>::with_capacity(1);
            grown.extend(0..100);
            (inner, grown)
        });
        assert_eq!(MINE.get() - before.0, 1, "one allocation");
        assert!(outer.get() - before.1 >= 2, "one, then at least one growth");
        // Not charged: not counted.
        let unseen = (MINE.get(), outer.get());
        let other = std::thread::spawn(|| vec![0u8; 1000]).join().unwrap();
        drop(vec![2u8; 10]);
        assert_eq!((MINE.get(), outer.get()), unseen);
        assert!(charge(None).is_none(), "charged to nothing again");
        drop((kept, other));
    }
}
