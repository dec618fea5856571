//! liqscan_top's result stream alone in the rust-hdl simulator against the
//! records its lanes' results and completions must become: ticks of result
//! rows on random lanes (back to back or with gaps, each held until
//! `res_ready` takes it) and an owed completion per tick, read out under
//! `tready` always high, toggling every cycle, random, or mostly low. Every
//! record must leave exactly once and in order (rows in the order they were
//! taken, a row's lanes in ascending order, a tick's completion after its
//! liquidations with their count), held unchanged while `tready` is low;
//! the one-cycle events must follow each beat; with `tready` always high a
//! row's records must leave on consecutive cycles.

mod common;

use common::{check_verilog, new_uut, settle};
use liqscan_core::spec::registers::RECORD_WORDS;
use liqscan_core::spec::SUM_BITS;
use liqscan_hw::top::ResultStream;
use liqscan_testkit::board::{self, Record};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

/// What the consumer does with `tready`.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Ready {
    Always,
    Toggling,
    Random,
    MostlyLow,
}

/// A result of one lane: `(lane, slot, shortfall)`.
type Hit = (usize, u32, i128);

struct Tick {
    seq: u32,
    rows: Vec<Vec<Hit>>,
    cycles: u32,
    stalls: u32,
}

fn random_ticks<const L: usize>(rng: &mut ChaCha8Rng, ticks: usize) -> Vec<Tick> {
    let limit = 1i128 << (SUM_BITS - 1);
    (0..ticks)
        .map(|t| {
            let rows = (0..rng.gen_range(0..8))
                .map(|_| loop {
                    let lanes: Vec<usize> = (0..L).filter(|_| rng.gen_bool(0.5)).collect();
                    let row: Vec<Hit> = lanes
                        .into_iter()
                        .map(|lane| {
                            let shortfall = match rng.gen_range(0..4) {
                                0 => -limit,
                                1 => limit - 1,
                                2 => rng.gen::<i64>().into(),
                                _ => rng.gen_range(-limit..limit),
                            };
                            (lane, rng.gen(), shortfall)
                        })
                        .collect();
                    if !row.is_empty() {
                        break row;
                    }
                })
                .collect();
            Tick {
                seq: 1000 + t as u32,
                rows,
                cycles: rng.gen(),
                stalls: rng.gen(),
            }
        })
        .collect()
}

fn expected_records(ticks: &[Tick]) -> Vec<Record> {
    let mut records = vec![];
    for tick in ticks {
        let count = tick.rows.iter().map(Vec::len).sum::<usize>();
        for row in &tick.rows {
            for &(_, slot, shortfall) in row {
                records.push(Record::Liquidation {
                    seq: tick.seq,
                    slot,
                    shortfall,
                });
            }
        }
        records.push(Record::Completion {
            seq: tick.seq,
            cycles: tick.cycles,
            count: count as u32,
            stalls: tick.stalls,
        });
    }
    records
}

/// Where the lanes' side of the bench is.
enum Phase {
    /// Presenting row `row` of tick `tick` after `gap` idle cycles.
    Row {
        tick: usize,
        row: usize,
        gap: u32,
    },
    /// The tick's rows are all taken; the completion is owed after `wait` cycles.
    Wait {
        tick: usize,
        wait: u32,
    },
    /// The completion is owed until the stream takes it.
    Completion {
        tick: usize,
    },
    Done,
}

#[derive(Copy, Clone, PartialEq)]
struct Beat {
    valid: bool,
    last: bool,
    data: [u32; RECORD_WORDS as usize],
}

fn run<const L: usize>(seed: u64, ready: Ready, ticks: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ticks = random_ticks::<L>(&mut rng, ticks);
    let expected = expected_records(&ticks);
    let mut uut: Box<ResultStream<L>> = new_uut();
    let mut phase = if ticks.is_empty() {
        Phase::Done
    } else {
        Phase::Row {
            tick: 0,
            row: 0,
            gap: 0,
        }
    };
    let mut records: Vec<Record> = vec![];
    // The cycle each record left in, and the beat and `tready` of the last cycle.
    let mut cycles_of: Vec<u64> = vec![];
    let mut prev: Option<(Beat, bool)> = None;
    let mut held_off = 0u64;
    let mut cycle = 0u64;
    while records.len() < expected.len() {
        assert!(
            cycle < 200_000,
            "{ready:?}: {} of {} records",
            records.len(),
            expected.len()
        );
        // The lanes' side: a row (held until taken), or an owed completion.
        let (seq, presented) = match phase {
            Phase::Row { tick, row, gap } => {
                let t = &ticks[tick];
                if t.rows.is_empty() || gap > 0 {
                    (t.seq, None)
                } else {
                    (t.seq, Some(&t.rows[row]))
                }
            }
            Phase::Wait { tick, .. } | Phase::Completion { tick } => (ticks[tick].seq, None),
            Phase::Done => (0, None),
        };
        let u = &mut uut;
        u.seq.next = u64::from(seq).into();
        for lane in 0..L {
            let hit = presented.and_then(|row| row.iter().find(|h| h.0 == lane));
            u.res_valid[lane].next = hit.is_some();
            // A lane without a result shows noise, which must not leak.
            let (slot, shortfall) =
                hit.map_or_else(|| (rng.gen(), rng.gen::<i64>().into()), |h| (h.1, h.2));
            u.res_slot[lane].next = u64::from(slot).into();
            u.res_shortfall[lane].next = Signed::from(num_bigint::BigInt::from(shortfall));
        }
        let owed = matches!(phase, Phase::Completion { .. });
        u.completion.next = owed;
        let (noise_cycles, noise_stalls) = (rng.gen::<u32>(), rng.gen::<u32>());
        let (cycles, stalls) = match phase {
            Phase::Completion { tick } => (ticks[tick].cycles, ticks[tick].stalls),
            _ => (noise_cycles, noise_stalls),
        };
        u.completion_cycles.next = u64::from(cycles).into();
        u.completion_stalls.next = u64::from(stalls).into();
        let tready = match ready {
            Ready::Always => true,
            Ready::Toggling => cycle % 2 == 1,
            Ready::Random => rng.gen_bool(0.5),
            Ready::MostlyLow => rng.gen_bool(0.1),
        };
        u.m_axis_tready.next = tready;
        u.clock.next = Clock { clk: false };
        settle(&mut **u);

        let tdata = u.m_axis_tdata.val();
        let beat = Beat {
            valid: u.m_axis_tvalid.val(),
            last: u.m_axis_tlast.val(),
            data: std::array::from_fn(|i| tdata.get_bits::<32>(32 * i).to_u32()),
        };
        // The events of the last cycle's beat, and the AXI4-Stream rule: a
        // valid record stays, unchanged, until `tready`.
        let last_beat = prev.filter(|(b, r)| b.valid && *r).map(|(b, _)| b);
        assert_eq!(
            u.result_sent.val(),
            last_beat.is_some_and(|b| !b.last),
            "cycle {cycle}"
        );
        assert_eq!(
            u.tick_done.val(),
            last_beat.is_some_and(|b| b.last),
            "cycle {cycle}"
        );
        if let Some(b) = last_beat.filter(|b| b.last) {
            assert_eq!(u.done_seq.val().to_u32(), b.data[1], "cycle {cycle}");
        }
        if let Some((p, p_ready)) = prev {
            if p.valid && !p_ready {
                assert!(beat == p, "cycle {cycle}: the record changed before tready");
            }
        }
        if beat.valid && tready {
            let record = board::decode(&beat.data).unwrap_or_else(|e| panic!("cycle {cycle}: {e}"));
            assert_eq!(
                beat.last,
                matches!(record, Record::Completion { .. }),
                "tlast"
            );
            let at = records.len();
            assert!(
                at < expected.len(),
                "cycle {cycle}: an extra record {record:?}"
            );
            assert_eq!(
                record, expected[at],
                "{ready:?}: record {at} (cycle {cycle})"
            );
            records.push(record);
            cycles_of.push(cycle);
        }
        prev = Some((beat, tready));

        // What this edge takes from the lanes' side.
        let res_ready = u.res_ready.val();
        held_off += u64::from(!res_ready);
        let taken_completion = u.completion_taken.val();
        assert!(
            !taken_completion || owed,
            "cycle {cycle}: a completion taken that is not owed"
        );
        phase = match phase {
            Phase::Row { tick, row, gap } if gap > 0 => Phase::Row {
                tick,
                row,
                gap: gap - 1,
            },
            Phase::Row { tick, row, .. } if ticks[tick].rows.is_empty() || res_ready => {
                let next = if ticks[tick].rows.is_empty() {
                    row
                } else {
                    row + 1
                };
                if next < ticks[tick].rows.len() {
                    let gap = if rng.gen_bool(0.5) {
                        0
                    } else {
                        rng.gen_range(1..4)
                    };
                    Phase::Row {
                        tick,
                        row: next,
                        gap,
                    }
                } else {
                    // The sequencer owes the completion once every row is pushed.
                    Phase::Wait {
                        tick,
                        wait: rng.gen_range(3..8),
                    }
                }
            }
            Phase::Wait { tick, wait } if wait > 0 => Phase::Wait {
                tick,
                wait: wait - 1,
            },
            Phase::Wait { tick, .. } => Phase::Completion { tick },
            Phase::Completion { tick } if taken_completion => {
                if tick + 1 < ticks.len() {
                    Phase::Row {
                        tick: tick + 1,
                        row: 0,
                        gap: rng.gen_range(0..3),
                    }
                } else {
                    Phase::Done
                }
            }
            other => other,
        };
        u.clock.next = Clock { clk: true };
        settle(&mut **u);
        cycle += 1;
    }
    // Nothing more comes out.
    for _ in 0..40 {
        let u = &mut uut;
        u.m_axis_tready.next = true;
        u.completion.next = false;
        for lane in 0..L {
            u.res_valid[lane].next = false;
        }
        u.clock.next = Clock { clk: false };
        settle(&mut **u);
        assert!(!u.m_axis_tvalid.val(), "a record after the last");
        u.clock.next = Clock { clk: true };
        settle(&mut **u);
    }
    if ready == Ready::MostlyLow {
        assert!(
            held_off > 1_000,
            "the stream never held the lanes ({held_off} cycles)"
        );
    }
    if ready == Ready::Always {
        // A row's records leave on consecutive cycles: the serializer moves
        // one record per cycle when nothing holds it.
        let mut at = 0;
        for tick in &ticks {
            for row in &tick.rows {
                let run = &cycles_of[at..at + row.len()];
                assert!(
                    run.windows(2).all(|w| w[1] == w[0] + 1),
                    "row of {} records left on cycles {run:?}",
                    row.len()
                );
                at += row.len();
            }
            at += 1;
        }
    }
    let liquidations = records
        .iter()
        .filter(|r| matches!(r, Record::Liquidation { .. }))
        .count();
    assert!(
        liquidations > 200,
        "only {liquidations} liquidation records"
    );
}

#[test]
fn every_record_once_and_in_order_with_tready_always_high() {
    run::<4>(0x5354_0001, Ready::Always, 120);
    run::<8>(0x5354_0002, Ready::Always, 80);
}

#[test]
fn every_record_once_and_in_order_with_tready_toggling() {
    run::<4>(0x5354_0011, Ready::Toggling, 120);
    run::<8>(0x5354_0012, Ready::Toggling, 80);
}

#[test]
fn every_record_once_and_in_order_with_random_tready() {
    run::<4>(0x5354_0021, Ready::Random, 120);
    run::<8>(0x5354_0022, Ready::Random, 80);
}

#[test]
fn back_pressure_holds_the_lanes_and_drops_nothing() {
    run::<8>(0x5354_0031, Ready::MostlyLow, 80);
}

#[test]
fn result_stream_synthesizes() {
    check_verilog::<ResultStream<8>>("result_stream");
}
