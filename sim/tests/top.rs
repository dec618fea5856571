//! The verilated `liqscan_top` driven by the driver's `Board` in the same
//! process (`CardBus`), against the `cpu` scanner: a generated book loaded
//! through the command ring, ticks rung at the doorbell, the liquidations
//! equal to the `cpu` scanner's bit for bit, and every record the stream
//! delivers checked on its own (the tick's `seq` on each, one completion
//! last, its count, its cycles against the timing contract), under random
//! `tready` back-pressure. What needs the card's own bus (the counters at
//! the end, an access outside the map) is read from the verilated top
//! directly.

use std::time::{Duration, Instant};

use liqscan_core::gen::{generate, GenConfig};
use liqscan_core::spec;
use liqscan_core::spec::registers::{errors, reg};
use liqscan_core::{CpuScanner, Engine, Liquidation};
use liqscan_driver::{Board, BoardOptions, Card, CardBus, DriverError, Record, ScanStats};
use liqscan_sim::{SimError, TopModel};
use liqscan_testkit::board::{self as format, Record as Beat};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The verilated top under random back-pressure, keeping every beat it
/// streams: each run of the DMA engine is cut into bursts of 1 to 48
/// cycles, each with `tready` low at random (never high where the engine
/// holds the stream).
struct Jittered {
    top: TopModel,
    rng: ChaCha8Rng,
    /// Probability that a burst has `tready` high.
    ready: f64,
    /// Every beat since the log was last taken.
    beats: Vec<Record>,
}

impl Card for Jittered {
    fn lanes(&self) -> usize {
        self.top.lanes()
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        Card::write(&mut self.top, offset, value)
    }

    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        Card::read(&mut self.top, offset)
    }

    fn clock(
        &mut self,
        cycles: u64,
        ready: bool,
        out: &mut Vec<Record>,
    ) -> Result<(), DriverError> {
        let mut left = cycles;
        while left > 0 {
            let burst = self.rng.gen_range(1..=48).min(left);
            let ready = ready && self.rng.gen_bool(self.ready);
            let from = out.len();
            Card::clock(&mut self.top, burst, ready, out)?;
            self.beats.extend_from_slice(&out[from..]);
            left -= burst;
        }
        Ok(())
    }

    fn simulated_cycles(&self) -> u64 {
        self.top.simulated_cycles()
    }
}

type TopBoard = Board<CardBus<Jittered>>;

fn jittered(board: &mut TopBoard) -> &mut Jittered {
    board.bus_mut().card_mut()
}

/// The beats of doorbell `seq`, decoded: its liquidation records (slot,
/// shortfall) and its completion, which must come last and alone.
fn records_of(seq: u32, beats: &[Record]) -> (Vec<(u32, i128)>, Beat) {
    let decoded: Vec<Beat> = beats
        .iter()
        .map(|words| format::decode(words).unwrap_or_else(|e| panic!("doorbell {seq}: {e}")))
        .collect();
    let (&completion, liquidations) = decoded
        .split_last()
        .unwrap_or_else(|| panic!("doorbell {seq}: no record"));
    assert!(
        matches!(completion, Beat::Completion { seq: s, .. } if s == seq),
        "doorbell {seq}: the last record is {completion:?}"
    );
    let hits = liquidations
        .iter()
        .map(|r| match *r {
            Beat::Liquidation {
                seq: s,
                slot,
                shortfall,
            } => {
                assert_eq!(s, seq, "a liquidation record of another tick");
                (slot, shortfall)
            }
            other => panic!("doorbell {seq}: {other:?} before the completion"),
        })
        .collect();
    (hits, completion)
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
    let card = Jittered {
        top,
        rng: ChaCha8Rng::seed_from_u64(seed),
        ready: 0.5,
        beats: Vec::new(),
    };
    let options = BoardOptions {
        timeout: Duration::from_secs(5),
    };
    let mut board = Board::open_with(CardBus::new(card), market.clone(), options)
        .unwrap_or_else(|e| panic!("{e}"));
    board.load(&all).unwrap_or_else(|e| panic!("{e}"));
    let load_cycles = jittered(&mut board).simulated_cycles();
    jittered(&mut board).beats.clear();

    let (mut events, mut stall_total) = (0u64, 0u64);
    let (mut got, mut want) = (Vec::<Liquidation>::new(), Vec::<Liquidation>::new());
    for (i, tick) in scenario.ticks.iter().enumerate() {
        // The board's doorbells count from the TICK_SEQ it found: 0 at reset.
        let seq = i as u32 + 1;
        // The slots the scan covers, holes included.
        let (_, n) = board.layout().region(tick.symbol);
        got.clear();
        board
            .tick(*tick, &mut got)
            .unwrap_or_else(|e| panic!("tick {seq}: {e}"));
        want.clear();
        cpu.tick(*tick, &mut want).unwrap();
        assert_eq!(got, want, "tick {seq} ({tick:?})");

        // The stream itself: this tick's records and nothing else.
        let beats = std::mem::take(&mut jittered(&mut board).beats);
        let (hits, completion) = records_of(seq, &beats);
        let mut shortfalls: Vec<i128> = hits.iter().map(|&(_, s)| s).collect();
        let mut expected: Vec<i128> = want.iter().map(|l| l.shortfall).collect();
        shortfalls.sort_unstable();
        expected.sort_unstable();
        assert_eq!(shortfalls, expected, "tick {seq}: the records' shortfalls");
        let Beat::Completion {
            cycles,
            count,
            stalls,
            ..
        } = completion
        else {
            unreachable!()
        };
        assert_eq!(
            count as usize,
            want.len(),
            "tick {seq}: the completion's count"
        );
        assert_eq!(
            u64::from(cycles),
            spec::scan_cycles(u64::from(n), lanes as u64) + u64::from(stalls),
            "tick {seq}: completion cycles of a {n}-slot scan"
        );
        assert_eq!(board.last_scan(), Some(ScanStats { cycles, stalls }));
        events += u64::from(count);
        stall_total += u64::from(stalls);
    }
    board.check_errors().unwrap_or_else(|e| panic!("{e}"));

    // The card's own registers, read on its bus.
    let ticks = scenario.ticks.len() as u32;
    let top = &mut jittered(&mut board).top;
    assert_eq!(top.read(reg::STATUS).unwrap(), 0);
    assert_eq!(top.read(reg::TICKS).unwrap(), ticks);
    assert_eq!(top.read(reg::TICK_DONE_SEQ).unwrap(), ticks);
    assert_eq!(top.read(reg::RESULTS).unwrap() as u64, events);
    assert_eq!(top.read(reg::STALL_CYCLES).unwrap() as u64, stall_total);
    assert_eq!(top.read(reg::ERRORS).unwrap(), 0);
    assert!(matches!(
        top.read(0x03C),
        Err(SimError::BusError {
            access: "read",
            offset: 0x03C
        })
    ));
    assert_eq!(top.read(reg::ERRORS).unwrap(), errors::BAD_ADDRESS);
    println!(
        "L={lanes}: {} positions, {ticks} ticks, {events} liquidations, {stall_total} stall cycles; \
         load {load_cycles} cycles, {} cycles in all, {:.2} s",
        scenario.positions.len(),
        top.simulated_cycles(),
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
