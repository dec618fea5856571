//! The command ring: the entries in block RAM, written by the register
//! file, and the consumer that applies them to the scanner's host ports.
//!
//! While `CMD_PRODUCER ≠ CMD_CONSUMER` the consumer reads the next entry's
//! first [`FETCH_WORDS`] words (every field any command has) one per cycle,
//! shifting them into one wide register, decodes the opcode and checks the
//! fields against the build's capacity over two steps (one carry chain
//! each), and then waits until the scanner is not busy (its `busy` through
//! a register of the ring's own). On that edge it registers the write onto
//! the scanner's host ports for one cycle and advances `CMD_CONSUMER`, so
//! the write is presented while `busy` is low. The port registers follow the
//! fetched entry on every edge, with no enable: only the write strobes are
//! decided.
//! No tick is presented beside it either: the tick sequencer starts a tick
//! only while the ring is idle and empty, and the ring cannot fetch and
//! decode an entry in the cycles between that start and the scanner's
//! going busy, so the scanner applies every write. An unknown opcode is
//! skipped with `BAD_OPCODE`; a slot, symbol, bracket index or region
//! beyond the capacity is skipped with `OUT_OF_RANGE`. Wider fields are
//! taken at the scanner's widths: the host checks values, the card checks
//! addresses.
//!
//! Every output is a register, so every path into the scanner's host ports
//! starts at a flip-flop.

use liqscan_core::spec::registers::{cmd, CMD_WORDS};
use liqscan_core::spec::{self, MAX_BRACKETS};
use rust_hdl::prelude::*;

use crate::memory::{Memory, READ_LATENCY};
use crate::scanner::{Cap, Maint, Offset, Qty, Weight};

use super::{CmdAddr, Word, CMD_ADDR_BITS, RING_INDEX_BITS};

/// Words of an entry the consumer reads: up to the last word any command uses.
pub const FETCH_WORDS: usize = {
    let position = cmd::position::OFFSET + spec::OFFSET_BITS.div_ceil(32);
    let bracket = cmd::bracket::WEIGHT_SHORT + spec::WEIGHT_BITS.div_ceil(32);
    let region = cmd::region::COUNT + 1;
    let mut last = position;
    if bracket > last {
        last = bracket;
    }
    if region > last {
        last = region;
    }
    last as usize
};
/// Bits of the fetched words.
pub const FETCH_BITS: usize = FETCH_WORDS * 32;
/// Bits of a word's index within an entry.
const WORD_INDEX_BITS: usize = CMD_WORDS.trailing_zeros() as usize;
const _: () = assert!(CMD_WORDS.is_power_of_two() && FETCH_WORDS <= CMD_WORDS as usize);
const _: () = assert!(FETCH_WORDS < 1 << 4);
// The scanner's field widths.
const QTY: usize = spec::QTY_STORE_BITS as usize;
const OFFSET: usize = spec::OFFSET_BITS as usize;
const CAP: usize = spec::NOTIONAL_BITS as usize;
const MAINT: usize = spec::MAINT_BITS as usize;
const WEIGHT: usize = spec::WEIGHT_BITS as usize;
/// Bits of an entry's index in the ring.
const ENTRY_BITS: usize = CMD_ADDR_BITS - WORD_INDEX_BITS;

/// The ring and its consumer for a scanner with `L` lanes, `2^ROW_BITS`
/// rows and `2^SYM_BITS` symbols.
#[derive(LogicBlock)]
pub struct CommandRing<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize> {
    pub clock: Signal<In, Clock>,
    /// The command memory's write port (from the register file).
    pub write: Signal<In, bool>,
    pub write_addr: Signal<In, CmdAddr>,
    pub write_data: Signal<In, Word>,
    /// `CMD_PRODUCER`'s low bits, which tell it from `CMD_CONSUMER`.
    pub producer_index: Signal<In, Bits<RING_INDEX_BITS>>,
    /// The scanner is busy.
    pub busy: Signal<In, bool>,
    /// `CMD_CONSUMER`: entries applied or skipped.
    pub consumer: Signal<Out, Word>,
    /// No entry is being read, decoded or applied.
    pub idle: Signal<Out, bool>,
    /// One-cycle error events.
    pub bad_opcode: Signal<Out, bool>,
    pub out_of_range: Signal<Out, bool>,
    /// The scanner's host ports (see [`crate::scanner`]).
    pub pos_wr: Signal<Out, bool>,
    pub pos_wr_slot: Signal<Out, Word>,
    pub pos_wr_valid: Signal<Out, bool>,
    pub pos_wr_qty: Signal<Out, Qty>,
    pub pos_wr_offset: Signal<Out, Offset>,
    pub brk_wr: Signal<Out, bool>,
    pub brk_wr_symbol: Signal<Out, Bits<SYM_BITS>>,
    pub brk_wr_index: Signal<Out, Bits<4>>,
    pub brk_wr_cap: Signal<Out, Cap>,
    pub brk_wr_maint: Signal<Out, Maint>,
    pub brk_wr_weight_long: Signal<Out, Weight>,
    pub brk_wr_weight_short: Signal<Out, Weight>,
    pub reg_wr: Signal<Out, bool>,
    pub reg_wr_symbol: Signal<Out, Bits<SYM_BITS>>,
    pub reg_wr_base_row: Signal<Out, Word>,
    pub reg_wr_count: Signal<Out, Word>,

    entries: Memory<Word, CMD_ADDR_BITS>,
    consumer_r: DFF<Word>,
    /// An entry is being read, decoded or applied.
    working: DFF<bool>,
    /// Reading words `issue = 0 .. FETCH_WORDS − 1`.
    fetching: DFF<bool>,
    issue: DFF<Bits<4>>,
    /// The read of this cycle's address is valid / its word is the entry's
    /// last; `READ_LATENCY` stages, the last one beside `read_data`.
    read_valid: [DFF<bool>; READ_LATENCY],
    read_last: [DFF<bool>; READ_LATENCY],
    /// The fetched words, word `k` at bit `32k` once all are in.
    entry: DFF<Bits<FETCH_BITS>>,
    /// Decode step 1 (sums), step 2 (compares), then waiting to apply.
    decode1: DFF<bool>,
    decode2: DFF<bool>,
    applying: DFF<bool>,
    is_position: DFF<bool>,
    is_bracket: DFF<bool>,
    is_region: DFF<bool>,
    region_end: DFF<Word>,
    base_row_fits: DFF<bool>,
    fits: DFF<bool>,
    bad_opcode_r: DFF<bool>,
    out_of_range_r: DFF<bool>,
    /// The scanner's `busy` of the cycle before.
    busy_r: DFF<bool>,
    pos_wr_r: DFF<bool>,
    pos_wr_slot_r: DFF<Word>,
    pos_wr_valid_r: DFF<bool>,
    pos_wr_qty_r: DFF<Qty>,
    pos_wr_offset_r: DFF<Offset>,
    brk_wr_r: DFF<bool>,
    brk_wr_symbol_r: DFF<Bits<SYM_BITS>>,
    brk_wr_index_r: DFF<Bits<4>>,
    brk_wr_cap_r: DFF<Cap>,
    brk_wr_maint_r: DFF<Maint>,
    brk_wr_weight_long_r: DFF<Weight>,
    brk_wr_weight_short_r: DFF<Weight>,
    reg_wr_r: DFF<bool>,
    reg_wr_symbol_r: DFF<Bits<SYM_BITS>>,
    reg_wr_base_row_r: DFF<Word>,
    reg_wr_count_r: DFF<Word>,

    entry_index: Signal<Local, Bits<CMD_ADDR_BITS>>,
    word_index: Signal<Local, Bits<CMD_ADDR_BITS>>,
    opcode: Signal<Local, Word>,
    f_slot: Signal<Local, Word>,
    f_valid: Signal<Local, Word>,
    f_symbol: Signal<Local, Word>,
    f_index: Signal<Local, Word>,
    f_base_row: Signal<Local, Word>,
    f_count: Signal<Local, Word>,
    base_slot: Signal<Local, Word>,
    last_word: Constant<Bits<4>>,
    word_shift: Constant<Word>,
    top_shift: Constant<Word>,
    entry_shift: Constant<Bits<CMD_ADDR_BITS>>,
    lane_bits: Constant<Word>,
    row_limit: Constant<Word>,
    slots: Constant<Word>,
    symbols: Constant<Word>,
    brackets: Constant<Word>,
    op_position: Constant<Word>,
    op_bracket: Constant<Word>,
    op_region: Constant<Word>,
    at_opcode: Constant<Word>,
    at_pos_slot: Constant<Word>,
    at_pos_valid: Constant<Word>,
    at_pos_qty: Constant<Word>,
    at_pos_offset: Constant<Word>,
    at_brk_symbol: Constant<Word>,
    at_brk_index: Constant<Word>,
    at_brk_cap: Constant<Word>,
    at_brk_maint: Constant<Word>,
    at_brk_weight_long: Constant<Word>,
    at_brk_weight_short: Constant<Word>,
    at_reg_symbol: Constant<Word>,
    at_reg_base_row: Constant<Word>,
    at_reg_count: Constant<Word>,
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize> Default
    for CommandRing<L, ROW_BITS, SYM_BITS>
{
    fn default() -> Self {
        let word = |x: u64| Constant::new(Word::from(x));
        // Bit offset of a command word.
        let at = |w: u32| word(u64::from(w) * 32);
        Self {
            clock: Default::default(),
            write: Default::default(),
            write_addr: Default::default(),
            write_data: Default::default(),
            producer_index: Default::default(),
            busy: Default::default(),
            consumer: Default::default(),
            idle: Default::default(),
            bad_opcode: Default::default(),
            out_of_range: Default::default(),
            pos_wr: Default::default(),
            pos_wr_slot: Default::default(),
            pos_wr_valid: Default::default(),
            pos_wr_qty: Default::default(),
            pos_wr_offset: Default::default(),
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
            entries: Default::default(),
            consumer_r: Default::default(),
            working: Default::default(),
            fetching: Default::default(),
            issue: Default::default(),
            read_valid: Default::default(),
            read_last: Default::default(),
            entry: Default::default(),
            decode1: Default::default(),
            decode2: Default::default(),
            applying: Default::default(),
            is_position: Default::default(),
            is_bracket: Default::default(),
            is_region: Default::default(),
            region_end: Default::default(),
            base_row_fits: Default::default(),
            fits: Default::default(),
            bad_opcode_r: Default::default(),
            out_of_range_r: Default::default(),
            busy_r: Default::default(),
            pos_wr_r: Default::default(),
            pos_wr_slot_r: Default::default(),
            pos_wr_valid_r: Default::default(),
            pos_wr_qty_r: Default::default(),
            pos_wr_offset_r: Default::default(),
            brk_wr_r: Default::default(),
            brk_wr_symbol_r: Default::default(),
            brk_wr_index_r: Default::default(),
            brk_wr_cap_r: Default::default(),
            brk_wr_maint_r: Default::default(),
            brk_wr_weight_long_r: Default::default(),
            brk_wr_weight_short_r: Default::default(),
            reg_wr_r: Default::default(),
            reg_wr_symbol_r: Default::default(),
            reg_wr_base_row_r: Default::default(),
            reg_wr_count_r: Default::default(),
            entry_index: Default::default(),
            word_index: Default::default(),
            opcode: Default::default(),
            f_slot: Default::default(),
            f_valid: Default::default(),
            f_symbol: Default::default(),
            f_index: Default::default(),
            f_base_row: Default::default(),
            f_count: Default::default(),
            base_slot: Default::default(),
            last_word: Constant::new(Bits::<4>::from(FETCH_WORDS as u64 - 1)),
            word_shift: word(32),
            top_shift: word((FETCH_BITS - 32) as u64),
            entry_shift: Constant::new(Bits::<CMD_ADDR_BITS>::from(WORD_INDEX_BITS as u64)),
            lane_bits: word(u64::from(L.trailing_zeros())),
            row_limit: word(1 << ROW_BITS),
            slots: word((L << ROW_BITS) as u64),
            symbols: word(1 << SYM_BITS),
            brackets: word(MAX_BRACKETS as u64),
            op_position: word(cmd::OP_POSITION.into()),
            op_bracket: word(cmd::OP_BRACKET.into()),
            op_region: word(cmd::OP_REGION.into()),
            at_opcode: at(cmd::OPCODE),
            at_pos_slot: at(cmd::position::SLOT),
            at_pos_valid: at(cmd::position::VALID),
            at_pos_qty: at(cmd::position::QTY),
            at_pos_offset: at(cmd::position::OFFSET),
            at_brk_symbol: at(cmd::bracket::SYMBOL),
            at_brk_index: at(cmd::bracket::INDEX),
            at_brk_cap: at(cmd::bracket::CAP),
            at_brk_maint: at(cmd::bracket::MAINT),
            at_brk_weight_long: at(cmd::bracket::WEIGHT_LONG),
            at_brk_weight_short: at(cmd::bracket::WEIGHT_SHORT),
            at_reg_symbol: at(cmd::region::SYMBOL),
            at_reg_base_row: at(cmd::region::BASE_ROW),
            at_reg_count: at(cmd::region::COUNT),
        }
    }
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize> Logic
    for CommandRing<L, ROW_BITS, SYM_BITS>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            consumer_r,
            working,
            fetching,
            issue,
            entry,
            decode1,
            decode2,
            applying,
            is_position,
            is_bracket,
            is_region,
            region_end,
            base_row_fits,
            fits,
            bad_opcode_r,
            out_of_range_r,
            busy_r,
            pos_wr_r,
            pos_wr_slot_r,
            pos_wr_valid_r,
            pos_wr_qty_r,
            pos_wr_offset_r,
            brk_wr_r,
            brk_wr_symbol_r,
            brk_wr_index_r,
            brk_wr_cap_r,
            brk_wr_maint_r,
            brk_wr_weight_long_r,
            brk_wr_weight_short_r,
            reg_wr_r,
            reg_wr_symbol_r,
            reg_wr_base_row_r,
            reg_wr_count_r
        );
        clock!(self, clock, entries);
        for i in 0..READ_LATENCY {
            self.read_valid[i].clock.next = self.clock.val();
            self.read_valid[i].d.next = self.read_valid[i].q.val();
            self.read_last[i].clock.next = self.clock.val();
            self.read_last[i].d.next = self.read_last[i].q.val();
        }

        // The memory: written by the register file, read free-running.
        self.entries.write_enable.next = self.write.val();
        self.entries.write_address.next = self.write_addr.val();
        self.entries.write_data.next = self.write_data.val();
        self.entries.read_enable_next.next = true;
        self.entry_index.next = bit_cast::<CMD_ADDR_BITS, ENTRY_BITS>(
            self.consumer_r.q.val().get_bits::<ENTRY_BITS>(0),
        );
        self.word_index.next = bit_cast::<CMD_ADDR_BITS, 4>(self.issue.q.val());
        self.entries.read_address.next =
            (self.entry_index.val() << self.entry_shift.val()) | self.word_index.val();

        // Fetch: one word per cycle; each word's valid and last flags follow
        // it through the memory's read registers.
        self.read_valid[0].d.next = self.fetching.q.val();
        self.read_last[0].d.next =
            self.fetching.q.val() & (self.issue.q.val() == self.last_word.val());
        for i in 1..READ_LATENCY {
            self.read_valid[i].d.next = self.read_valid[i - 1].q.val();
            self.read_last[i].d.next = self.read_last[i - 1].q.val();
        }
        self.idle.next = !self.working.q.val();
        // Producer and consumer differ exactly when their low bits do.
        if !self.working.q.val()
            & (self.producer_index.val() != self.consumer_r.q.val().get_bits::<RING_INDEX_BITS>(0))
        {
            self.working.d.next = true;
            self.fetching.d.next = true;
            self.issue.d.next = 0.into();
        }
        if self.fetching.q.val() {
            self.issue.d.next = self.issue.q.val() + 1;
            if self.issue.q.val() == self.last_word.val() {
                self.fetching.d.next = false;
            }
        }
        self.decode1.d.next = false;
        if self.read_valid[2].q.val() {
            self.entry.d.next = (self.entry.q.val() >> self.word_shift.val())
                | (bit_cast::<FETCH_BITS, 32>(self.entries.read_data.val())
                    << self.top_shift.val());
            self.decode1.d.next = self.read_last[2].q.val();
        }

        // Fields.
        self.opcode.next = self
            .entry
            .q
            .val()
            .get_bits::<32>(self.at_opcode.val().index());
        self.f_slot.next = self
            .entry
            .q
            .val()
            .get_bits::<32>(self.at_pos_slot.val().index());
        self.f_valid.next = self
            .entry
            .q
            .val()
            .get_bits::<32>(self.at_pos_valid.val().index());
        self.f_symbol.next = self
            .entry
            .q
            .val()
            .get_bits::<32>(self.at_brk_symbol.val().index());
        self.f_index.next = self
            .entry
            .q
            .val()
            .get_bits::<32>(self.at_brk_index.val().index());
        self.f_base_row.next = self
            .entry
            .q
            .val()
            .get_bits::<32>(self.at_reg_base_row.val().index());
        self.f_count.next = self
            .entry
            .q
            .val()
            .get_bits::<32>(self.at_reg_count.val().index());
        self.base_slot.next = self.f_base_row.val() << self.lane_bits.val();

        // Decode step 1: the opcode, the region's end (one adder), and the
        // scanner's port registers. They follow the entry on every edge, so
        // no enable spans them; the entry register holds from the edge its
        // last word arrives until the next entry's first, at least four
        // edges after the write is applied (the scanner takes it on the
        // first).
        self.decode2.d.next = self.decode1.q.val();
        self.is_position.d.next = self.opcode.val() == self.op_position.val();
        self.is_bracket.d.next = self.opcode.val() == self.op_bracket.val();
        self.is_region.d.next = self.opcode.val() == self.op_region.val();
        self.region_end.d.next = self.base_slot.val() + self.f_count.val();
        self.base_row_fits.d.next = self.f_base_row.val() < self.row_limit.val();
        self.pos_wr_slot_r.d.next = self.f_slot.val();
        self.pos_wr_valid_r.d.next = self.f_valid.val().any();
        self.pos_wr_qty_r.d.next = signed_cast(
            self.entry
                .q
                .val()
                .get_bits::<QTY>(self.at_pos_qty.val().index()),
        );
        self.pos_wr_offset_r.d.next = signed_cast(
            self.entry
                .q
                .val()
                .get_bits::<OFFSET>(self.at_pos_offset.val().index()),
        );
        self.brk_wr_symbol_r.d.next = self
            .entry
            .q
            .val()
            .get_bits::<SYM_BITS>(self.at_brk_symbol.val().index());
        self.brk_wr_index_r.d.next = self
            .entry
            .q
            .val()
            .get_bits::<4>(self.at_brk_index.val().index());
        self.brk_wr_cap_r.d.next = self
            .entry
            .q
            .val()
            .get_bits::<CAP>(self.at_brk_cap.val().index());
        self.brk_wr_maint_r.d.next = self
            .entry
            .q
            .val()
            .get_bits::<MAINT>(self.at_brk_maint.val().index());
        self.brk_wr_weight_long_r.d.next = self
            .entry
            .q
            .val()
            .get_bits::<WEIGHT>(self.at_brk_weight_long.val().index());
        self.brk_wr_weight_short_r.d.next = self
            .entry
            .q
            .val()
            .get_bits::<WEIGHT>(self.at_brk_weight_short.val().index());
        self.reg_wr_symbol_r.d.next = self
            .entry
            .q
            .val()
            .get_bits::<SYM_BITS>(self.at_reg_symbol.val().index());
        self.reg_wr_base_row_r.d.next = self.f_base_row.val();
        self.reg_wr_count_r.d.next = self.f_count.val();

        // Decode step 2: the capacity checks (one compare each).
        if self.decode2.q.val() {
            self.applying.d.next = true;
            self.fits.d.next = false;
            if self.is_position.q.val() {
                self.fits.d.next = self.f_slot.val() < self.slots.val();
            }
            if self.is_bracket.q.val() {
                self.fits.d.next = (self.f_symbol.val() < self.symbols.val())
                    & (self.f_index.val() < self.brackets.val());
            }
            if self.is_region.q.val() {
                self.fits.d.next = (self.f_symbol.val() < self.symbols.val())
                    & self.base_row_fits.q.val()
                    & (self.f_count.val() <= self.slots.val())
                    & (self.region_end.q.val() <= self.slots.val());
            }
        }

        // Apply on an edge after a cycle in which the scanner was not busy:
        // it is not busy in this cycle or the next either (it goes busy only
        // on accepting a tick, and none starts while the ring works), so the
        // write, on the ports for the next cycle only, is applied. The
        // scanner's `busy` is taken through a register of the ring's own.
        self.busy_r.d.next = self.busy.val();
        self.pos_wr_r.d.next = false;
        self.brk_wr_r.d.next = false;
        self.reg_wr_r.d.next = false;
        self.bad_opcode_r.d.next = false;
        self.out_of_range_r.d.next = false;
        if self.applying.q.val() & !self.busy_r.q.val() {
            self.applying.d.next = false;
            self.working.d.next = false;
            self.consumer_r.d.next = self.consumer_r.q.val() + 1;
            self.pos_wr_r.d.next = self.is_position.q.val() & self.fits.q.val();
            self.brk_wr_r.d.next = self.is_bracket.q.val() & self.fits.q.val();
            self.reg_wr_r.d.next = self.is_region.q.val() & self.fits.q.val();
            self.bad_opcode_r.d.next =
                !(self.is_position.q.val() | self.is_bracket.q.val() | self.is_region.q.val());
            self.out_of_range_r.d.next =
                (self.is_position.q.val() | self.is_bracket.q.val() | self.is_region.q.val())
                    & !self.fits.q.val();
        }

        self.consumer.next = self.consumer_r.q.val();
        self.bad_opcode.next = self.bad_opcode_r.q.val();
        self.out_of_range.next = self.out_of_range_r.q.val();
        self.pos_wr.next = self.pos_wr_r.q.val();
        self.pos_wr_slot.next = self.pos_wr_slot_r.q.val();
        self.pos_wr_valid.next = self.pos_wr_valid_r.q.val();
        self.pos_wr_qty.next = self.pos_wr_qty_r.q.val();
        self.pos_wr_offset.next = self.pos_wr_offset_r.q.val();
        self.brk_wr.next = self.brk_wr_r.q.val();
        self.brk_wr_symbol.next = self.brk_wr_symbol_r.q.val();
        self.brk_wr_index.next = self.brk_wr_index_r.q.val();
        self.brk_wr_cap.next = self.brk_wr_cap_r.q.val();
        self.brk_wr_maint.next = self.brk_wr_maint_r.q.val();
        self.brk_wr_weight_long.next = self.brk_wr_weight_long_r.q.val();
        self.brk_wr_weight_short.next = self.brk_wr_weight_short_r.q.val();
        self.reg_wr.next = self.reg_wr_r.q.val();
        self.reg_wr_symbol.next = self.reg_wr_symbol_r.q.val();
        self.reg_wr_base_row.next = self.reg_wr_base_row_r.q.val();
        self.reg_wr_count.next = self.reg_wr_count_r.q.val();
    }
}
