//! The brute-force floor, measured in the same run: a streaming read of as
//! many bytes per slot as a scan must touch, over the ticked symbol's
//! slots, timed per tick like a backend. Two widths: the `(Q, T)` row an
//! exact brute-force scan reads ([`ROW_BYTES`]), and what `cpu` reads per
//! slot today ([`liqscan_core::cpu::SCAN_BYTES_PER_SLOT`]).
//!
//! The buffers are read again on every tick, as a scanner's columns are,
//! so a book that fits in a cache level is read from it, here and by the
//! scanners alike.

use std::hint::black_box;
use std::time::Instant;

use liqscan_core::gen::Scenario;
use liqscan_core::latency::{Recorder, Summary};

/// Bytes of a slot's `(Q, T)` row: `Q` an `i32`, `T` an `i128`, what the
/// rule reads for every slot (`liqscan_core::spec::PositionConst`).
pub const ROW_BYTES: usize = std::mem::size_of::<i32>() + std::mem::size_of::<i128>();

/// Series key of the floor at [`ROW_BYTES`] a slot.
pub const ROW_FLOOR: &str = "floor-rows";
/// Series key of the floor at `cpu`'s bytes a slot; named by role, not by
/// width, so tables, plots and tests follow `cpu` when its width changes.
pub const SCAN_FLOOR: &str = "floor-scan";

/// The series key of the floor reading `bytes_per_slot` bytes a slot.
pub fn floor_key(bytes_per_slot: usize) -> &'static str {
    if bytes_per_slot == ROW_BYTES {
        ROW_FLOOR
    } else {
        SCAN_FLOOR
    }
}

/// The sum of `words`, read front to back (the compiler vectorises it):
/// the least work that touches every byte.
#[inline(never)]
pub fn stream_sum(words: &[u64]) -> u64 {
    words.iter().fold(0u64, |sum, &w| sum.wrapping_add(w))
}

/// One buffer per symbol, of `bytes_per_slot` bytes for each of its slots.
#[derive(Debug, Clone)]
pub struct Floor {
    pub bytes_per_slot: usize,
    buffers: Vec<Vec<u64>>,
}

impl Floor {
    /// Buffers for `slots[s]` slots of each symbol `s`, filled (so every
    /// page is mapped before a tick reads it).
    pub fn new(slots: &[u64], bytes_per_slot: usize) -> Self {
        let buffers = slots
            .iter()
            .map(|&n| {
                let words = (n as usize * bytes_per_slot).div_ceil(8);
                (0..words as u64).collect()
            })
            .collect();
        Self {
            bytes_per_slot,
            buffers,
        }
    }

    /// Bytes read for a tick of `symbol`.
    pub fn bytes(&self, symbol: usize) -> usize {
        self.buffers[symbol].len() * 8
    }

    /// Reads `symbol`'s buffer once.
    pub fn read(&self, symbol: usize) -> u64 {
        stream_sum(&self.buffers[symbol])
    }
}

/// Slots per symbol as the scenario loads them: every loaded position keeps
/// its slot (a liquidated one leaves a hole every brute-force scan still
/// reads).
pub fn slots_per_symbol(scenario: &Scenario) -> Vec<u64> {
    let mut slots = vec![0u64; scenario.market.len()];
    for p in &scenario.positions {
        slots[p.symbol.index()] += 1;
    }
    slots
}

/// Times one read of the ticked symbol's buffer per tick of the scenario,
/// recording all but the first `warmup` (ns).
pub fn run_floor(floor: &Floor, scenario: &Scenario, warmup: usize) -> Summary {
    let mut latency = Recorder::default();
    for (i, tick) in scenario.ticks.iter().enumerate() {
        let t0 = Instant::now();
        black_box(floor.read(black_box(tick.symbol.index())));
        let elapsed = t0.elapsed();
        if i >= warmup {
            latency.record_duration(elapsed);
        }
    }
    latency.summary()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_byte_of_the_ticked_symbol() {
        let floor = Floor::new(&[3, 0, 8], ROW_BYTES);
        assert_eq!(ROW_BYTES, 20);
        // 60 bytes round up to 8 words; the sum of 0..8 is 28.
        assert_eq!((floor.bytes(0), floor.read(0)), (64, 28));
        assert_eq!((floor.bytes(1), floor.read(1)), (0, 0));
        assert_eq!(floor.bytes(2), 160);
        assert_eq!(stream_sum(&[u64::MAX, 2]), 1, "wrapping");
    }
}
