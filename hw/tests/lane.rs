//! The lane in the rust-hdl simulator against the spec's integer reference
//! (`SymbolUnits::margin_sum` + `spec::liquidates`), one position per clock
//! with random clock-enable stalls, and its Verilog through yosys and
//! Verilator's lint.

mod common;

use common::{
    check_verilog, clocked, cycle, extreme_units, log_uniform, new_uut, random_units, run_pipeline,
};
use liqscan_core::spec::{self, PositionConst, SymbolUnits};
use liqscan_hw::lane::{Lane, BRACKETS};
use liqscan_hw::mul::width;
use liqscan_hw::table;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

clocked!(true, enable_next: Lane);

/// A lane input: `None` is an idle slot (garbage data, `in_valid` low).
#[derive(Debug, Clone)]
struct Slot {
    position: Option<PositionConst>,
    tag: u32,
    garbage: (i32, i128),
}

/// What the lane must output for a slot: (valid, hit, tag, shortfall);
/// tag and shortfall are don't-care (zero) for idle slots.
type LaneOut = (bool, bool, u32, i128);

/// One scan: a symbol's table, a mark and a run of slots.
struct Batch {
    units: SymbolUnits,
    price: u32,
    at_equal: bool,
    slots: Vec<Slot>,
}

const OFFSET_MIN: i128 = -(1 << (spec::OFFSET_BITS - 1));
const OFFSET_MAX: i128 = (1 << (spec::OFFSET_BITS - 1)) - 1;

fn to_signed<const N: usize>(x: i128) -> Signed<N> {
    let mask = (1u128 << N) - 1;
    signed_cast(((x as u128) & mask).to_bits::<N>())
}

fn from_signed<const N: usize>(x: Signed<N>) -> i128 {
    let shift = 128 - N;
    ((x.inner().to_u128() << shift) as i128) >> shift
}

/// Loads the batch's table the way the scanner does: a `load_brackets`
/// pulse, then row 0, 1, 2, 3 (caps and amounts) on the four load edges. The
/// pipeline keeps running meanwhile (draining the previous batch), and the
/// bracket ports carry random words before and after the load edges, which
/// the lane must not take.
fn load_table(uut: &mut Lane, batch: &Batch, rng: &mut ChaCha8Rng) {
    let brackets = &batch.units.brackets;
    let scramble = |uut: &mut Lane, rng: &mut ChaCha8Rng| {
        let mask = |bits: usize| (1u128 << bits) - 1;
        for row in uut.rows.iter_mut() {
            row.cap.next = rng.gen::<u64>().into();
            row.maint.next = (rng.gen::<u128>() & mask(width::MAINT)).to_bits();
            row.weight_long.next = ((rng.gen::<u128>() & mask(width::WEIGHT)) as u64).into();
            row.weight_short.next = ((rng.gen::<u128>() & mask(width::WEIGHT)) as u64).into();
        }
    };
    scramble(uut, rng);
    uut.load_brackets.next = true;
    cycle(uut);
    uut.load_brackets.next = false;
    for m in 0..table::ROWS {
        for (r, row) in uut.rows.iter_mut().enumerate() {
            let b = &brackets[table::BANKS * m + r];
            row.cap.next = b.cap.into();
            row.maint.next = b.maint.to_bits();
            row.weight_long.next = b.weight_long.into();
            row.weight_short.next = b.weight_short.into();
        }
        cycle(uut);
        scramble(uut, rng);
    }
    uut.price.next = u64::from(batch.price).into();
    uut.at_equal.next = batch.at_equal;
}

fn apply_slot(uut: &mut Lane, slot: &Slot) {
    let (qty, offset) = match slot.position {
        Some(p) => (p.qty_lots, p.offset),
        None => slot.garbage,
    };
    uut.in_valid.next = slot.position.is_some();
    uut.in_tag.next = u64::from(slot.tag).into();
    uut.in_qty.next = to_signed(qty.into());
    uut.in_offset.next = to_signed(offset);
}

fn read_lane(uut: &Lane) -> LaneOut {
    if !uut.out_valid.val() {
        return (false, uut.out_hit.val(), 0, 0);
    }
    (
        true,
        uut.out_hit.val(),
        uut.out_tag.val().to_u32(),
        from_signed(uut.out_shortfall.val()),
    )
}

fn expect_lane(batch: &Batch, slot: &Slot) -> LaneOut {
    match slot.position {
        None => (false, false, 0, 0),
        Some(p) => {
            let sum = batch.units.margin_sum(p, batch.price);
            (true, spec::liquidates(sum, batch.at_equal), slot.tag, -sum)
        }
    }
}

fn idle_slot(rng: &mut ChaCha8Rng) -> Slot {
    Slot {
        position: None,
        tag: rng.gen(),
        garbage: (rng.gen(), rng.gen_range(OFFSET_MIN..=OFFSET_MAX)),
    }
}

/// `T` for a position: realistic, on or next to the liquidation boundary,
/// uniform over 108 bits, or an extreme.
fn random_offset(rng: &mut ChaCha8Rng, units: &SymbolUnits, price: u32, qty: i32) -> i128 {
    let realistic = |rng: &mut ChaCha8Rng| {
        let entry = (i64::from(price) + rng.gen_range(-1000..=1000))
            .clamp(1, spec::PRICE_MAX as i64) as u32;
        let margin = log_uniform(
            rng,
            u128::from(spec::AMOUNT_LIMIT) * 10u128.pow(units.quote_decimals) - 1,
        );
        units.position_const(qty, entry, margin as i128).offset
    };
    match rng.gen_range(0..10) {
        0..=2 => realistic(rng),
        3..=7 => {
            // sum = delta exactly: 0, ±1 or a little further.
            let base = units.margin_sum(
                PositionConst {
                    qty_lots: qty,
                    offset: 0,
                },
                price,
            );
            let delta = match rng.gen_range(0..4) {
                0 => 0,
                1 => 1,
                2 => -1,
                _ => rng.gen_range(-1_000_000..=1_000_000),
            };
            let offset = delta - base;
            if (OFFSET_MIN..=OFFSET_MAX).contains(&offset) {
                offset
            } else {
                realistic(rng)
            }
        }
        8 => rng.gen_range(OFFSET_MIN..=OFFSET_MAX),
        _ => [OFFSET_MIN, OFFSET_MAX, 0, -1][rng.gen_range(0..4)],
    }
}

/// `|Q|` giving a notional in bracket `b`'s range (or a plain random one).
fn random_qty(rng: &mut ChaCha8Rng, units: &SymbolUnits, price: u32) -> i32 {
    let abs = match rng.gen_range(0..8) {
        0 => [1, spec::QTY_MAX][rng.gen_range(0..2)],
        1 | 2 => log_uniform(rng, u128::from(spec::QTY_MAX)) as u64,
        _ => {
            let b = rng.gen_range(0..units.bracket_count);
            let high = units.brackets[b].cap;
            let low = if b == 0 { 0 } else { units.brackets[b - 1].cap };
            let x = rng.gen_range(low..=high);
            (x / u64::from(price) + rng.gen_range(0..=1)).clamp(1, spec::QTY_MAX)
        }
    };
    let abs = abs as i32;
    if rng.gen_bool(0.5) {
        abs
    } else {
        -abs
    }
}

fn random_batch(rng: &mut ChaCha8Rng, units: SymbolUnits, price: u32, len: usize) -> Batch {
    let slots = (0..len)
        .map(|_| {
            if rng.gen_bool(0.1) {
                return idle_slot(rng);
            }
            let qty = random_qty(rng, &units, price);
            let offset = random_offset(rng, &units, price, qty);
            Slot {
                position: Some(PositionConst {
                    qty_lots: qty,
                    offset,
                }),
                tag: rng.gen(),
                garbage: (0, 0),
            }
        })
        .collect();
    Batch {
        units,
        price,
        at_equal: rng.gen_bool(0.5),
        slots,
    }
}

/// Caps set to `q_b·P + d` (`d` ∈ {−1, 0, 1}) and positions `q_b − 1 ..= q_b + 1`:
/// notionals exactly on, just below and just above each cap.
fn cap_edge_batch(rng: &mut ChaCha8Rng, price: u32) -> Batch {
    let mut units = random_units(rng);
    let max_q = spec::NOTIONAL_MAX / u64::from(price) - 2;
    let mut qs: Vec<u64> = (0..BRACKETS - 1)
        .map(|_| log_uniform(rng, max_q.min(spec::QTY_MAX - 1).into()) as u64 + 1)
        .collect();
    qs.sort_unstable();
    qs.dedup();
    let mut caps = Vec::new();
    for &q in &qs {
        let cap = q * u64::from(price) + rng.gen_range(0..=2) - 1;
        if caps.last().map_or(true, |&last| cap > last) {
            caps.push(cap);
        }
    }
    for b in 0..BRACKETS {
        units.brackets[b].cap = caps.get(b).copied().unwrap_or(spec::NOTIONAL_MAX);
    }
    let mut batch = random_batch(rng, units, price, 0);
    for &q in &qs {
        for abs in [q - 1, q, q + 1]
            .into_iter()
            .filter(|&a| (1..=spec::QTY_MAX).contains(&a))
        {
            for sign in [1, -1] {
                let qty = sign * abs as i32;
                let offset = random_offset(rng, &batch.units, price, qty);
                batch.slots.push(Slot {
                    position: Some(PositionConst {
                        qty_lots: qty,
                        offset,
                    }),
                    tag: rng.gen(),
                    garbage: (0, 0),
                });
            }
        }
    }
    batch
}

/// Largest price, largest |Q|, one lot, long and short, on the largest spec
/// values, with offsets at the boundary and at the extremes.
fn extreme_batch(rng: &mut ChaCha8Rng, at_equal: bool) -> Batch {
    let units = extreme_units();
    let price = spec::PRICE_MAX as u32;
    let mut slots = Vec::new();
    for abs in [1, 2, spec::QTY_MAX as i32 - 1, spec::QTY_MAX as i32] {
        for qty in [abs, -abs] {
            let base = units.margin_sum(
                PositionConst {
                    qty_lots: qty,
                    offset: 0,
                },
                price,
            );
            let mut offsets = vec![OFFSET_MIN, OFFSET_MAX, 0];
            offsets.extend(
                [-1, 0, 1]
                    .map(|d| d - base)
                    .into_iter()
                    .filter(|t| (OFFSET_MIN..=OFFSET_MAX).contains(t)),
            );
            for offset in offsets {
                slots.push(Slot {
                    position: Some(PositionConst {
                        qty_lots: qty,
                        offset,
                    }),
                    tag: rng.gen(),
                    garbage: (0, 0),
                });
            }
        }
    }
    Batch {
        units,
        price,
        at_equal,
        slots,
    }
}

/// Vectors through the lane in `lane_matches_spec` (about; plus flushes).
const LANE_VECTORS: usize = 20_000;

#[test]
fn lane_matches_spec() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x6c616e65);
    let mut batches = vec![
        extreme_batch(&mut rng, false),
        extreme_batch(&mut rng, true),
    ];
    for price in [1, 2, 1000, spec::PRICE_MAX as u32] {
        batches.push(cap_edge_batch(&mut rng, price));
    }
    let random_price = |rng: &mut ChaCha8Rng| log_uniform(rng, spec::PRICE_MAX.into()) as u32;
    let price = random_price(&mut rng);
    batches.push(cap_edge_batch(&mut rng, price));
    // The priority select must pick the first match even in an unordered table.
    for _ in 0..2 {
        let mut units = random_units(&mut rng);
        let mut caps: Vec<u64> = units.brackets.iter().map(|b| b.cap).collect();
        caps.shuffle(&mut rng);
        for (b, cap) in units.brackets.iter_mut().zip(caps) {
            b.cap = cap;
        }
        let price = random_price(&mut rng);
        batches.push(random_batch(&mut rng, units, price, 400));
    }
    let fixed: usize = batches.iter().map(|b| b.slots.len()).sum();
    let per_batch = 400;
    for _ in 0..LANE_VECTORS.saturating_sub(fixed) / per_batch {
        let units = random_units(&mut rng);
        let price = random_price(&mut rng);
        batches.push(random_batch(&mut rng, units, price, per_batch));
    }

    let mut uut: Box<Lane> = new_uut();
    let (mut vectors, mut hits, mut ties, mut stalls) = (0, 0, 0, 0);
    for batch in &mut batches {
        // Drain with idle slots before the next table is applied.
        batch
            .slots
            .extend((0..Lane::LATENCY).map(|_| idle_slot(&mut rng)));
        load_table(&mut uut, batch, &mut rng);
        let batch = &*batch;
        stalls += run_pipeline(
            &mut *uut,
            Lane::LATENCY,
            &batch.slots,
            0.1,
            &mut rng,
            apply_slot,
            read_lane,
            |slot| expect_lane(batch, slot),
        );
        for slot in &batch.slots {
            if let Some(p) = slot.position {
                let sum = batch.units.margin_sum(p, batch.price);
                vectors += 1;
                hits += usize::from(spec::liquidates(sum, batch.at_equal));
                ties += usize::from(sum == 0);
            }
        }
    }
    eprintln!(
        "lane: {vectors} positions, {hits} hits, {ties} ties (sum = 0), {stalls} stall cycles"
    );
    // The vectors must exercise both outcomes and the tie.
    assert!(vectors >= LANE_VECTORS * 8 / 10, "{vectors} vectors");
    assert!(
        hits > vectors / 10 && hits < vectors * 9 / 10,
        "{hits} hits of {vectors}"
    );
    assert!(ties > vectors / 50, "{ties} ties of {vectors}");
    assert!(stalls > vectors / 20, "{stalls} stalls");
}

#[test]
fn lane_synthesizes() {
    check_verilog::<Lane>("lane");
}
