//! One bracket-table field in the rust-hdl simulator against a plain array.

mod common;

use common::{check_verilog, clocked, cycle, new_uut};
use liqscan_core::spec;
use liqscan_hw::mul::width;
use liqscan_hw::table::{self, TableField};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

clocked!(
    false,
    select_enable: TableField<{ width::WEIGHT }>,
    TableField<56>,
    TableField<51>
);

/// A table field against a plain array: random tables written a row per
/// edge (random words on the row ports and random rows outside the writes),
/// then random selects with a random select enable; between loads the
/// output must be the word at the last enabled select, and a load must
/// replace every word. At the widths the lane uses (a weight, the
/// amount's two fields).
#[test]
fn table_field_matches_model() {
    field_matches_model::<{ width::WEIGHT }>(0x7461626c);
    field_matches_model::<56>(0x7461626d);
    field_matches_model::<51>(0x7461626e);
}

fn field_matches_model<const W: usize>(seed: u64)
where
    TableField<W>: common::Clocked + Default,
{
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut uut: Box<TableField<W>> = new_uut();
    let word = |rng: &mut ChaCha8Rng| rng.gen::<u64>() & ((1 << W) - 1);
    let mut selected = 0usize;
    let mut reads = 0;
    for _ in 0..200 {
        let table: Vec<u64> = (0..spec::MAX_BRACKETS).map(|_| word(&mut rng)).collect();
        // The write controls as the bracket select drives them: row m's
        // write is decided on the edge before the one that writes it, with
        // the row's words on the ports in between.
        uut.select_enable.next = false;
        for m in 0..=table::ROWS {
            uut.write_next.next = m < table::ROWS;
            uut.row_next.next = ((m % table::ROWS) as u64).into();
            if m > 0 {
                for (r, row) in uut.rows.iter_mut().enumerate() {
                    row.next = table[table::BANKS * (m - 1) + r].into();
                }
            }
            cycle(&mut *uut);
        }
        uut.write_next.next = false;
        for _ in 0..100 {
            for row in uut.rows.iter_mut() {
                row.next = word(&mut rng).into();
            }
            uut.row_next.next = rng.gen_range(0..table::ROWS as u64).into();
            let enable = rng.gen_bool(0.7);
            let select = rng.gen_range(0..spec::MAX_BRACKETS);
            uut.select_enable.next = enable;
            uut.select_next.next = (select as u64).into();
            cycle(&mut *uut);
            if enable {
                selected = select;
            }
            assert_eq!(
                uut.value.val().to_u64(),
                table[selected],
                "bracket {selected}"
            );
            reads += 1;
        }
    }
    assert_eq!(reads, 20_000);
}

#[test]
fn table_field_synthesizes() {
    check_verilog::<TableField<51>>("table_field");
}
