//! The verilated `liqscan_top` against the `cpu` scanner: a generated book
//! loaded through the command ring, ticks rung at the doorbell, and every
//! record of the stream checked bit for bit (slots mapped back to position
//! ids) with the `cpu` scanner's liquidations, the completion records
//! against the timing contract, and random `tready` back-pressure.

use std::collections::HashMap;
use std::time::Instant;

use liqscan_core::gen::{generate, GenConfig};
use liqscan_core::spec;
use liqscan_core::spec::registers::{control, errors, reg, CMD_BASE, CMD_ENTRIES, CMD_WORDS};
use liqscan_core::{CpuScanner, Engine, Liquidation};
use liqscan_sim::{SimError, TopModel};
use liqscan_testkit::board::{self, Record};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The host's side of the command ring.
struct Host {
    top: TopModel,
    producer: u32,
    consumer: u32,
    /// Entries filled and not committed.
    filled: u32,
}

impl Host {
    fn command(&mut self, words: &[u32]) {
        while self.producer + self.filled - self.consumer >= CMD_ENTRIES {
            if self.filled > 0 {
                self.commit();
            } else {
                self.consumer = self.top.read(reg::CMD_CONSUMER).unwrap();
            }
        }
        let entry = (self.producer + self.filled) % CMD_ENTRIES;
        for (i, word) in words.iter().enumerate() {
            let offset = CMD_BASE + (entry * CMD_WORDS + i as u32) * 4;
            self.top.write(offset, *word).unwrap();
        }
        self.filled += 1;
    }

    fn commit(&mut self) {
        self.producer += self.filled;
        self.filled = 0;
        self.top.write(reg::CMD_PRODUCER, self.producer).unwrap();
    }
}

/// `held`: the scenario has rows of hits enough to fill the result FIFO,
/// so back-pressure must hold some scan.
fn agree(lanes: usize, positions: usize, ticks: usize, seed: u64, held: bool) {
    let started = Instant::now();
    let scenario = generate(&GenConfig {
        positions,
        symbols: 6,
        ticks,
        seed,
    })
    .unwrap();
    let market = scenario.market.clone();
    let mut cpu = CpuScanner::new(market.clone());
    let all: Vec<_> = scenario.positions.iter().collect();
    cpu.load(&all).unwrap();

    let top = TopModel::new(lanes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(top.lanes(), lanes);
    let mut host = Host {
        top,
        producer: 0,
        consumer: 0,
        filled: 0,
    };
    let at_equal = if market.liquidate_at_equal {
        control::AT_EQUAL
    } else {
        0
    };
    host.top.write(reg::CONTROL, at_equal).unwrap();

    // Each symbol's positions in a region of whole rows; slot → id.
    let mut ids: HashMap<u32, u64> = HashMap::new();
    let mut counts = vec![0u64; market.len()];
    let mut next_row = 0u32;
    for id in market.ids() {
        for (j, b) in market.units(id).brackets.iter().enumerate() {
            host.command(&board::bracket(id.0, j as u32, b));
        }
        let mine: Vec<_> = scenario
            .positions
            .iter()
            .filter(|p| p.symbol == id)
            .collect();
        let first = next_row * lanes as u32;
        for (i, p) in mine.iter().enumerate() {
            let slot = first + i as u32;
            host.command(&board::position(slot, Some(p.constants(&market))));
            ids.insert(slot, p.id);
        }
        host.command(&board::region(id.0, next_row, mine.len() as u32));
        counts[id.index()] = mine.len() as u64;
        next_row += (mine.len() as u32).div_ceil(lanes as u32);
    }
    host.commit();
    let load_cycles = host.top.simulated_cycles();

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut events, mut stall_total) = (0u64, 0u64);
    let (mut beats, mut cpu_out) = (Vec::new(), Vec::new());
    for (i, tick) in scenario.ticks.iter().enumerate() {
        let seq = i as u32 + 1;
        host.top.write(reg::TICK_SYMBOL, tick.symbol.0).unwrap();
        host.top.write(reg::TICK_PRICE, tick.price).unwrap();
        host.top.write(reg::TICK_SEQ, seq).unwrap();
        // Random back-pressure: bursts of cycles with tready low or high.
        beats.clear();
        let mut waited = 0u64;
        let completion = loop {
            let ready = rng.gen_bool(0.6);
            host.top.clock(rng.gen_range(1..=24), ready, &mut beats);
            if let Some(last) = beats.last() {
                if let Ok(record @ Record::Completion { .. }) = board::decode(last) {
                    break record;
                }
            }
            waited += 1;
            assert!(waited < 100_000, "tick {seq}: no completion record");
        };
        let mut got: Vec<Liquidation> = beats[..beats.len() - 1]
            .iter()
            .map(|words| match board::decode(words) {
                Ok(Record::Liquidation {
                    seq: s,
                    slot,
                    shortfall,
                }) => {
                    assert_eq!(s, seq, "a liquidation record of another tick");
                    let position = ids
                        .remove(&slot)
                        .unwrap_or_else(|| panic!("tick {seq}: slot {slot} holds no position"));
                    Liquidation {
                        position,
                        shortfall,
                    }
                }
                other => panic!("tick {seq}: {other:?} before the completion"),
            })
            .collect();
        got.sort_unstable();
        cpu_out.clear();
        cpu.tick(*tick, &mut cpu_out).unwrap();
        assert_eq!(got, cpu_out, "tick {seq} ({tick:?})");
        let Record::Completion {
            seq: s,
            cycles,
            count,
            stalls,
        } = completion
        else {
            unreachable!()
        };
        assert_eq!((s, count as usize), (seq, cpu_out.len()));
        let n = counts[tick.symbol.index()];
        assert_eq!(
            u64::from(cycles),
            spec::scan_cycles(n, lanes as u64) + u64::from(stalls),
            "tick {seq}: completion cycles of a {n}-slot scan"
        );
        events += count as u64;
        stall_total += u64::from(stalls);
    }
    let ticks = scenario.ticks.len() as u32;
    assert_eq!(host.top.read(reg::TICKS).unwrap(), ticks);
    assert_eq!(host.top.read(reg::TICK_DONE_SEQ).unwrap(), ticks);
    assert_eq!(host.top.read(reg::RESULTS).unwrap() as u64, events);
    assert_eq!(
        host.top.read(reg::STALL_CYCLES).unwrap() as u64,
        stall_total
    );
    assert_eq!(host.top.read(reg::ERRORS).unwrap(), 0);
    assert!(matches!(
        host.top.read(0x03C),
        Err(SimError::BusError {
            access: "read",
            offset: 0x03C
        })
    ));
    assert_eq!(host.top.read(reg::ERRORS).unwrap(), errors::BAD_ADDRESS);
    println!(
        "L={lanes}: {} positions, {ticks} ticks, {events} liquidations, {stall_total} stall cycles; \
         load {load_cycles} cycles, {} cycles in all, {:.2} s",
        scenario.positions.len(),
        host.top.simulated_cycles(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        events > 20,
        "the scenario liquidated only {events} positions"
    );
    if held {
        assert!(stall_total > 0, "back-pressure never held a scan");
    }
}

#[test]
fn top_matches_cpu_eight_lanes() {
    agree(8, 4_000, 400, 21, true);
}

#[test]
fn top_matches_cpu_one_lane() {
    agree(1, 1_000, 200, 22, false);
}
