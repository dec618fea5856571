//! The symbol table in the rust-hdl simulator against plain arrays: random
//! host writes of regions and brackets, some outside the host's turn (which
//! must be ignored), and random reads on every edge, the region after
//! `READ_LATENCY` edges and a bracket row on the shared row registers after
//! two edges more (the bank's address relay and the shared register), each
//! seeing exactly the writes that reached its array (a region write two
//! edges after the edge that decides it, a bracket write three).

mod common;

use common::{check_verilog, new_uut, settle};
use liqscan_hw::memory::READ_LATENCY;
use liqscan_hw::scanner::SymbolTable;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

const SYMBOLS: usize = 8;
type Table = SymbolTable<3, 5>;

/// `(cap, maint, weight_long, weight_short)`.
type Bracket = (u64, u128, u64, u64);

#[derive(Clone, Default)]
struct Model {
    regions: [(u32, u32); SYMBOLS],
    brackets: [[Bracket; 16]; SYMBOLS],
}

fn random_bracket(rng: &mut ChaCha8Rng) -> Bracket {
    (
        rng.gen::<u64>() >> 1,
        rng.gen::<u128>() >> 21,
        rng.gen::<u64>() >> 27,
        rng.gen::<u64>() >> 27,
    )
}

fn read_row(uut: &Table) -> [Bracket; 4] {
    let row = uut.row.val();
    [row.bank0, row.bank1, row.bank2, row.bank3].map(|w| {
        (
            w.cap.to_u64(),
            w.maint.to_u128(),
            w.weight_long.to_u64(),
            w.weight_short.to_u64(),
        )
    })
}

#[test]
fn symbol_table_matches_model() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x73796d);
    let mut uut: Box<Table> = new_uut();
    // The table after each edge, and the read addresses sampled on it.
    let mut after: Vec<Model> = vec![Model::default()];
    let mut read_symbols = vec![0usize];
    let mut read_words = vec![0usize];
    let (mut writes, mut ignored, mut checked) = (0, 0, 0);
    for edge in 1..20_000usize {
        let mut model = after[edge - 1].clone();
        let host_turn = rng.gen_bool(0.8);
        let (brk_wr, reg_wr) = (rng.gen_bool(0.3), rng.gen_bool(0.2));
        let symbol = rng.gen_range(0..SYMBOLS);
        let index = rng.gen_range(0..16);
        let bracket = random_bracket(&mut rng);
        let region = (rng.gen(), rng.gen());
        let u = &mut uut;
        u.busy.next = !host_turn && rng.gen();
        u.tick_valid.next = !host_turn && !u.busy.next;
        u.brk_wr.next = brk_wr;
        u.brk_wr_symbol.next = (symbol as u64).into();
        u.brk_wr_index.next = (index as u64).into();
        u.brk_wr_cap.next = bracket.0.into();
        u.brk_wr_maint.next = bracket.1.to_bits();
        u.brk_wr_weight_long.next = bracket.2.into();
        u.brk_wr_weight_short.next = bracket.3.into();
        u.reg_wr.next = reg_wr;
        u.reg_wr_symbol.next = (symbol as u64).into();
        u.reg_wr_base_row.next = u64::from(region.0).into();
        u.reg_wr_count.next = u64::from(region.1).into();
        let read_symbol = rng.gen_range(0..SYMBOLS);
        let read_word = rng.gen_range(0..SYMBOLS * 4);
        u.read_symbol.next = (read_symbol as u64).into();
        u.read_address.next = (read_word as u64).into();
        u.clock.next = Clock { clk: false };
        settle(&mut **u);
        u.clock.next = Clock { clk: true };
        settle(&mut **u);
        if host_turn && brk_wr {
            model.brackets[symbol][index] = bracket;
        }
        if host_turn && reg_wr {
            model.regions[symbol] = region;
        }
        writes += usize::from(host_turn && (brk_wr || reg_wr));
        ignored += usize::from(!host_turn && (brk_wr || reg_wr));
        after.push(model);
        read_symbols.push(read_symbol);
        read_words.push(read_word);
        if edge < 8 {
            continue;
        }
        // A region read sampled on edge e sees the writes of edges up to
        // e − 2 and is out after edge e + READ_LATENCY − 1.
        let e = edge + 1 - READ_LATENCY;
        let (base, count) = after[e - 2].regions[read_symbols[e]];
        assert_eq!(uut.base_row.val().to_u32(), base, "edge {edge}");
        assert_eq!(uut.count.val().to_u32(), count, "edge {edge}");
        // The bank's relay samples the bracket address one edge earlier
        // and the shared register holds the word one edge later; the array
        // read on edge e + 2 sees the bracket writes of edges up to e − 2
        // (a write decided on edge w passes the bank's write relay and
        // the memory's write register and lands on edge w + 3).
        let e = edge - 1 - READ_LATENCY;
        let (word, table) = (read_words[e], &after[e - 2].brackets);
        let row = std::array::from_fn(|r| table[word / 4][4 * (word % 4) + r]);
        assert_eq!(read_row(&uut), row, "edge {edge}");
        checked += 1;
    }
    assert!(writes > 5_000 && ignored > 1_000 && checked > 19_000);
}

#[test]
fn symbol_table_synthesizes() {
    check_verilog::<Table>("symbol_table");
}
