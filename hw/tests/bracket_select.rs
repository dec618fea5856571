//! A lane's bracket table and select in the rust-hdl simulator against the
//! spec's `SymbolUnits::bracket_of`: random tables (sorted as the spec
//! builds them, and shuffled, where the first fit must still win) loaded
//! through the load protocol, notionals on, beside and between the caps,
//! random clock-enable stalls; and its Verilog through yosys and
//! Verilator's lint.

mod common;

use common::{check_verilog, cycle, log_uniform, new_uut, random_units, run_pipeline, Clocked};
use liqscan_core::spec::{self, SymbolUnits};
use liqscan_hw::bracket_select::BracketSelect;
use liqscan_hw::mul::width;
use liqscan_hw::table;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

/// The copies of `X` and the compares register their enable inside; the
/// select register and the fields' select copies take the lane's copies
/// of this cycle's enable.
impl Clocked for BracketSelect {
    const ENABLE_AHEAD: bool = true;
    fn clock_pin(&mut self) -> &mut Signal<In, Clock> {
        &mut self.clock
    }
    fn drive_enable(&mut self, now: bool, next: bool) {
        self.enable_next.next = next;
        self.select_enable.next = now;
        self.field_enable.next = now;
    }
}

fn scramble_rows(uut: &mut BracketSelect, rng: &mut ChaCha8Rng) {
    let mask = |bits: usize| (1u128 << bits) - 1;
    for row in uut.rows.iter_mut() {
        row.cap.next = rng.gen::<u64>().into();
        row.maint.next = (rng.gen::<u128>() & mask(width::MAINT)).to_bits();
        row.weight_long.next = ((rng.gen::<u128>() & mask(width::WEIGHT)) as u64).into();
        row.weight_short.next = ((rng.gen::<u128>() & mask(width::WEIGHT)) as u64).into();
    }
}

/// A `load` pulse, then rows 0..3 on the four load edges, random words on
/// the row ports before and after them.
fn load_table(uut: &mut BracketSelect, units: &SymbolUnits, rng: &mut ChaCha8Rng) {
    scramble_rows(uut, rng);
    uut.load.next = true;
    cycle(uut);
    uut.load.next = false;
    for m in 0..table::ROWS {
        for (r, row) in uut.rows.iter_mut().enumerate() {
            let b = &units.brackets[table::BANKS * m + r];
            row.cap.next = b.cap.into();
            row.maint.next = b.maint.to_bits();
            row.weight_long.next = b.weight_long.into();
            row.weight_short.next = b.weight_short.into();
        }
        cycle(uut);
        scramble_rows(uut, rng);
    }
}

/// Notionals on each cap, one either side of it, and anywhere.
fn notionals(rng: &mut ChaCha8Rng, units: &SymbolUnits, count: usize) -> Vec<u64> {
    (0..count)
        .map(|_| {
            let cap = units.brackets[rng.gen_range(0..spec::MAX_BRACKETS)].cap;
            let x = match rng.gen_range(0..4) {
                0 => cap,
                1 => cap.saturating_sub(1),
                2 => cap.saturating_add(1),
                _ => log_uniform(rng, spec::NOTIONAL_MAX.into()) as u64,
            };
            x.min(spec::NOTIONAL_MAX)
        })
        .collect()
}

/// Sixteen distinct brackets, the last uncapped: the padded table of a
/// symbol with the most brackets, so that bracket 15 is chosen too.
fn fill_table(units: &mut SymbolUnits, rng: &mut ChaCha8Rng) {
    let mut caps: Vec<u64> = (0..spec::MAX_BRACKETS - 1)
        .map(|_| log_uniform(rng, (spec::NOTIONAL_MAX - 1).into()) as u64)
        .collect();
    caps.sort_unstable();
    caps.push(spec::NOTIONAL_MAX);
    for (b, cap) in units.brackets.iter_mut().zip(caps) {
        b.cap = cap;
        b.maint = rng.gen::<u128>() >> (128 - spec::MAINT_BITS + 1);
        b.weight_long = rng.gen::<u64>() >> (64 - spec::WEIGHT_BITS);
        b.weight_short = rng.gen::<u64>() >> (64 - spec::WEIGHT_BITS);
    }
}

type Amounts = (u128, u64, u64);

fn amounts(units: &SymbolUnits, x: u64) -> Amounts {
    let b = &units.brackets[units.bracket_of(x)];
    (b.maint, b.weight_long, b.weight_short)
}

#[test]
fn bracket_select_matches_spec() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x62726b);
    // Amounts distinct per bracket (`fill_table`) tell which bracket was chosen.
    let mut uut: Box<BracketSelect> = new_uut();
    let (mut vectors, mut last_bracket, mut stalls) = (0, 0, 0);
    let mut chosen = [0usize; spec::MAX_BRACKETS];
    for round in 0..60 {
        let mut units = random_units(&mut rng);
        if round % 3 == 1 {
            fill_table(&mut units, &mut rng);
        }
        if round % 3 == 0 {
            let mut caps: Vec<u64> = units.brackets.iter().map(|b| b.cap).collect();
            caps.shuffle(&mut rng);
            for (b, cap) in units.brackets.iter_mut().zip(caps) {
                b.cap = cap;
            }
        }
        let xs = notionals(&mut rng, &units, 200);
        for &x in &xs {
            let b = units.bracket_of(x);
            chosen[b] += 1;
            last_bracket += usize::from(b == spec::MAX_BRACKETS - 1);
        }
        vectors += xs.len();
        load_table(&mut uut, &units, &mut rng);
        stalls += run_pipeline(
            &mut *uut,
            BracketSelect::LATENCY,
            &xs,
            0.2,
            &mut rng,
            |u, &x| {
                u.x.next = x.into();
                u.x_copy.next = x.into();
            },
            |u| {
                (
                    u.maint.val().to_u128(),
                    u.weight_long.val().to_u64(),
                    u.weight_short.val().to_u64(),
                )
            },
            |&x| amounts(&units, x),
        );
    }
    eprintln!("bracket select: {vectors} vectors, brackets chosen {chosen:?}, {stalls} stalls");
    assert_eq!(vectors, 12_000);
    assert!(
        chosen.iter().filter(|&&n| n > 0).count() == spec::MAX_BRACKETS,
        "every bracket chosen: {chosen:?}"
    );
    assert!(last_bracket > 0 && stalls > vectors / 10);
}

#[test]
fn bracket_select_synthesizes() {
    check_verilog::<BracketSelect>("bracket_select");
}
