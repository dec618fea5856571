//! The symbol table: per symbol a region (base row and slot count) and a
//! bracket table, written by the host while idle and read by the control.
//!
//! The brackets sit in [`BRACKET_BANKS`] banks, bracket `j` in bank `j mod 4`
//! at word `symbol·4 + j/4`. Each bank reads at its own copy of the
//! control's read address (a relay the floorplan pins midway) and its words
//! pass through one shared register with no clock enable: after edge
//! `ROW_EDGE + m` of a tick the four registers hold row `m` of the table,
//! brackets `4m .. 4m + 3`, which every lane samples on a fixed edge.
//!
//! The reads run free (every edge is enabled), so no control logic fans
//! out to the blocks. A host write is registered on the edge that decides
//! it (one request per bracket bank), so the memories' write registers hang
//! on flip-flops, not on the busy flag's decode. A bracket write then
//! passes its bank's own write relay (`bank_relay_wr_*`, pinned midway
//! between the centre and the bank like the read address's copy): the
//! banks take the block RAM sites the lanes leave, often at the chip's
//! edge, too far for one hop from the shared write registers. A region
//! write reaches its array two edges after the edge that decides it, a
//! bracket write three; a tick accepted on the next edge first reads the
//! region table two edges later and the bracket banks three (through the
//! control's address register and the bank's address relay), one edge
//! after the write.

use rust_hdl::prelude::*;

use crate::fanout::Relay;
use crate::memory::Memory;

use super::{Cap, Maint, Weight, Word, BRACKET_BANKS};

/// One bracket as stored (one bank word).
#[derive(Copy, Clone, Debug, Default, PartialEq, LogicStruct)]
pub struct BracketWord {
    pub cap: Cap,
    pub maint: Maint,
    pub weight_long: Weight,
    pub weight_short: Weight,
}

/// One row of a bracket table, one bracket from each bank: brackets
/// `4m + 0 .. 4m + 3` of row `m`.
#[derive(Copy, Clone, Debug, Default, PartialEq, LogicStruct)]
pub struct BracketRow {
    pub bank0: BracketWord,
    pub bank1: BracketWord,
    pub bank2: BracketWord,
    pub bank3: BracketWord,
}

const _: () = assert!(BRACKET_BANKS == 4);

/// The region and bracket memories of `2^SYM_BITS` symbols
/// (`BRK_BITS = SYM_BITS + 2`).
#[derive(LogicBlock)]
pub struct SymbolTable<const SYM_BITS: usize, const BRK_BITS: usize> {
    pub clock: Signal<In, Clock>,
    /// Host writes are applied on an edge where both are low.
    pub busy: Signal<In, bool>,
    pub tick_valid: Signal<In, bool>,
    pub brk_wr: Signal<In, bool>,
    pub brk_wr_symbol: Signal<In, Bits<SYM_BITS>>,
    pub brk_wr_index: Signal<In, Bits<4>>,
    pub brk_wr_cap: Signal<In, Cap>,
    pub brk_wr_maint: Signal<In, Maint>,
    pub brk_wr_weight_long: Signal<In, Weight>,
    pub brk_wr_weight_short: Signal<In, Weight>,
    pub reg_wr: Signal<In, bool>,
    pub reg_wr_symbol: Signal<In, Bits<SYM_BITS>>,
    pub reg_wr_base_row: Signal<In, Word>,
    pub reg_wr_count: Signal<In, Word>,
    /// The region table's read address, sampled on every edge.
    pub read_symbol: Signal<In, Bits<SYM_BITS>>,
    /// The bracket banks' read address (`symbol·4 + word`), sampled on
    /// every edge by each bank's relay.
    pub read_address: Signal<In, Bits<BRK_BITS>>,
    /// The region at `read_symbol` as sampled `READ_LATENCY` edges ago.
    pub base_row: Signal<Out, Word>,
    pub count: Signal<Out, Word>,
    /// The shared row registers: bank `r`'s word at `read_address` as
    /// sampled `READ_LATENCY + 2` edges ago.
    pub row: Signal<Out, BracketRow>,

    region_base_mem: Memory<Word, SYM_BITS>,
    region_count_mem: Memory<Word, SYM_BITS>,
    bracket_mem: [Memory<BracketWord, BRK_BITS>; BRACKET_BANKS],
    /// Each bracket bank's own copy of the read address.
    bank_relay_addr: [Relay<Bits<BRK_BITS>>; BRACKET_BANKS],
    /// Each bracket bank's own copy of the host's write, midway to it.
    bank_relay_wr_go: [Relay<bool>; BRACKET_BANKS],
    bank_relay_wr_addr: [Relay<Bits<BRK_BITS>>; BRACKET_BANKS],
    bank_relay_wr_word: [Relay<BracketWord>; BRACKET_BANKS],
    /// The shared row: one register per bank that the bank's words pass through.
    brk: [DFF<BracketWord>; BRACKET_BANKS],
    /// The host's table writes, registered on the edge that decides them.
    brk_wr_go: [DFF<bool>; BRACKET_BANKS],
    brk_wr_addr_q: DFF<Bits<BRK_BITS>>,
    brk_wr_word_q: DFF<BracketWord>,
    reg_wr_go: DFF<bool>,
    reg_wr_symbol_q: DFF<Bits<SYM_BITS>>,
    reg_wr_base_q: DFF<Word>,
    reg_wr_count_q: DFF<Word>,
    brk_wr_bank: Signal<Local, Bits<2>>,
    brk_wr_m: Signal<Local, Bits<2>>,
    brk_wr_sym_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_wr_m_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_wr_addr: Signal<Local, Bits<BRK_BITS>>,
    brk_wr_word: Signal<Local, BracketWord>,
    /// Host writes are applied this edge.
    host_turn: Signal<Local, bool>,
    bank_index: [Constant<Bits<2>>; BRACKET_BANKS],
}

impl<const SYM_BITS: usize, const BRK_BITS: usize> Default for SymbolTable<SYM_BITS, BRK_BITS> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            busy: Default::default(),
            tick_valid: Default::default(),
            brk_wr: Default::default(),
            brk_wr_symbol: Default::default(),
            brk_wr_index: Default::default(),
            brk_wr_cap: Default::default(),
            brk_wr_maint: Default::default(),
            brk_wr_weight_long: Default::default(),
            brk_wr_weight_short: Default::default(),
            reg_wr: Default::default(),
            reg_wr_symbol: Default::default(),
            reg_wr_base_row: Default::default(),
            reg_wr_count: Default::default(),
            read_symbol: Default::default(),
            read_address: Default::default(),
            base_row: Default::default(),
            count: Default::default(),
            row: Default::default(),
            region_base_mem: Default::default(),
            region_count_mem: Default::default(),
            bracket_mem: std::array::from_fn(|_| Default::default()),
            bank_relay_addr: std::array::from_fn(|_| Default::default()),
            bank_relay_wr_go: std::array::from_fn(|_| Default::default()),
            bank_relay_wr_addr: std::array::from_fn(|_| Default::default()),
            bank_relay_wr_word: std::array::from_fn(|_| Default::default()),
            brk: std::array::from_fn(|_| Default::default()),
            brk_wr_go: std::array::from_fn(|_| Default::default()),
            brk_wr_addr_q: Default::default(),
            brk_wr_word_q: Default::default(),
            reg_wr_go: Default::default(),
            reg_wr_symbol_q: Default::default(),
            reg_wr_base_q: Default::default(),
            reg_wr_count_q: Default::default(),
            brk_wr_bank: Default::default(),
            brk_wr_m: Default::default(),
            brk_wr_sym_wide: Default::default(),
            brk_wr_m_wide: Default::default(),
            brk_wr_addr: Default::default(),
            brk_wr_word: Default::default(),
            host_turn: Default::default(),
            bank_index: std::array::from_fn(|b| Constant::new(Bits::<2>::from(b as u64))),
        }
    }
}

impl<const SYM_BITS: usize, const BRK_BITS: usize> Logic for SymbolTable<SYM_BITS, BRK_BITS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            brk_wr_addr_q,
            brk_wr_word_q,
            reg_wr_go,
            reg_wr_symbol_q,
            reg_wr_base_q,
            reg_wr_count_q
        );
        clock!(self, clock, region_base_mem, region_count_mem);

        // Computed here from the scanner's inputs, not taken from the
        // control: a write presented with a tick on the same edge is
        // decided with the tick in one step of rust-hdl's simulation.
        self.host_turn.next = !self.busy.val() & !self.tick_valid.val();

        // Region table.
        self.reg_wr_go.d.next = self.reg_wr.val() & self.host_turn.val();
        self.reg_wr_symbol_q.d.next = self.reg_wr_symbol.val();
        self.reg_wr_base_q.d.next = self.reg_wr_base_row.val();
        self.reg_wr_count_q.d.next = self.reg_wr_count.val();
        self.region_base_mem.read_address.next = self.read_symbol.val();
        self.region_base_mem.read_enable_next.next = true;
        self.region_base_mem.write_address.next = self.reg_wr_symbol_q.q.val();
        self.region_base_mem.write_data.next = self.reg_wr_base_q.q.val();
        self.region_base_mem.write_enable.next = self.reg_wr_go.q.val();
        self.region_count_mem.read_address.next = self.read_symbol.val();
        self.region_count_mem.read_enable_next.next = true;
        self.region_count_mem.write_address.next = self.reg_wr_symbol_q.q.val();
        self.region_count_mem.write_data.next = self.reg_wr_count_q.q.val();
        self.region_count_mem.write_enable.next = self.reg_wr_go.q.val();
        self.base_row.next = self.region_base_mem.read_data.val();
        self.count.next = self.region_count_mem.read_data.val();

        // Bracket banks: word symbol·4 + j/4 of bank j mod 4.
        self.brk_wr_bank.next = self.brk_wr_index.val().get_bits::<2>(0);
        self.brk_wr_m.next = self.brk_wr_index.val().get_bits::<2>(2);
        self.brk_wr_sym_wide.next = bit_cast::<BRK_BITS, SYM_BITS>(self.brk_wr_symbol.val());
        self.brk_wr_m_wide.next = bit_cast::<BRK_BITS, 2>(self.brk_wr_m.val());
        self.brk_wr_addr.next = (self.brk_wr_sym_wide.val() << 2) | self.brk_wr_m_wide.val();
        self.brk_wr_word.next.cap = self.brk_wr_cap.val();
        self.brk_wr_word.next.maint = self.brk_wr_maint.val();
        self.brk_wr_word.next.weight_long = self.brk_wr_weight_long.val();
        self.brk_wr_word.next.weight_short = self.brk_wr_weight_short.val();
        self.brk_wr_addr_q.d.next = self.brk_wr_addr.val();
        self.brk_wr_word_q.d.next = self.brk_wr_word.val();
        for b in 0..BRACKET_BANKS {
            self.brk_wr_go[b].clock.next = self.clock.val();
            self.brk_wr_go[b].d.next = self.brk_wr.val()
                & self.host_turn.val()
                & (self.brk_wr_bank.val() == self.bank_index[b].val());
            self.bank_relay_addr[b].clock.next = self.clock.val();
            self.bank_relay_addr[b].d.next = self.read_address.val();
            self.bracket_mem[b].clock.next = self.clock.val();
            self.bracket_mem[b].read_address.next = self.bank_relay_addr[b].q.val();
            self.bracket_mem[b].read_enable_next.next = true;
            self.bank_relay_wr_go[b].clock.next = self.clock.val();
            self.bank_relay_wr_addr[b].clock.next = self.clock.val();
            self.bank_relay_wr_word[b].clock.next = self.clock.val();
            self.bank_relay_wr_go[b].d.next = self.brk_wr_go[b].q.val();
            self.bank_relay_wr_addr[b].d.next = self.brk_wr_addr_q.q.val();
            self.bank_relay_wr_word[b].d.next = self.brk_wr_word_q.q.val();
            self.bracket_mem[b].write_address.next = self.bank_relay_wr_addr[b].q.val();
            self.bracket_mem[b].write_data.next = self.bank_relay_wr_word[b].q.val();
            self.bracket_mem[b].write_enable.next = self.bank_relay_wr_go[b].q.val();
            self.brk[b].clock.next = self.clock.val();
            self.brk[b].d.next = self.bracket_mem[b].read_data.val();
        }
        self.row.next.bank0 = self.brk[0].q.val();
        self.row.next.bank1 = self.brk[1].q.val();
        self.row.next.bank2 = self.brk[2].q.val();
        self.row.next.bank3 = self.brk[3].q.val();
    }
}
