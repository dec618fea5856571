//! Cache lines asked for ahead of use, so that the misses of independent
//! loads overlap instead of following one another: `indexed`'s book
//! changes know, from the event and one id map entry, every line they will
//! touch, and ask for all of them before reading any.
//!
//! A prefetch is a hint: it never faults, changes no value and no program
//! order, and on a target without the instruction it does nothing.

/// The line size of every x86-64 and AArch64 core in use.
const LINE: usize = 64;

/// Asks for the cache line holding `value`'s first byte.
#[inline(always)]
pub(crate) fn line<T>(value: &T) {
    at((value as *const T).cast());
}

/// Asks for every cache line `values` spans.
#[inline(always)]
pub(crate) fn lines<T>(values: &[T]) {
    let start = values.as_ptr().cast::<u8>();
    let bytes = std::mem::size_of_val(values);
    // From the line holding the first byte to the one holding the last.
    let first = start.wrapping_sub(start as usize % LINE);
    let mut offset = 0;
    while offset < bytes + (start as usize % LINE) {
        at(first.wrapping_add(offset));
        offset += LINE;
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn at(address: *const u8) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    // SAFETY: `prefetcht0` needs SSE, which is part of the x86-64 baseline
    // (every x86-64 processor has it, and Rust's x86-64 targets assume it);
    // a prefetch reads nothing architecturally and never faults, whatever
    // the address (here always one inside or just before a live object).
    unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast()) }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn at(_address: *const u8) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hints only: every value stays as it was, at the edges of a buffer
    /// and for an empty slice too.
    #[test]
    fn prefetching_changes_nothing() {
        let values: Vec<u64> = (0..1000).collect();
        line(&values[0]);
        line(&values[999]);
        lines(&values[3..700]);
        lines(&values[..0]);
        lines(&values);
        assert!(values.iter().copied().eq(0..1000));
    }
}
