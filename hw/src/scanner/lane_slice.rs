//! One lane's slice of the scanner: its position banks, its row and slot
//! counters, the registers that carry a row from the banks to the [`Lane`],
//! the valid-bit write-back, its relays from the control and the host
//! ports, its branch of the enable tree and its result stream.
//!
//! Lane `i` of `L` holds the slots `s ≡ i (mod L)`, slot `s` at row `s / L`
//! of its banks. It counts its own row and slot, so no address or adder
//! spans the chip. Everything it takes from the control or the host ports
//! reaches it through two registers (the first a relay the floorplan pins
//! midway), so each net from the control to a lane is a register-to-register
//! hop of half the way with no decode on it.

use rust_hdl::prelude::*;

use crate::compare;
use crate::fanout::{LaneEnables, Relay, RelayPair};
use crate::lane::Lane;
use crate::memory::Memory;
use crate::mul::width::NOTIONAL;

use super::results::ResultSkid;
use super::symbol_table::{BracketRow, BracketWord};
use super::{Offset, Price, Qty, Shortfall, Word, BRACKET_BANKS};

/// One lane of `L`, with `2^ROW_BITS` rows of slots; which lane is its
/// `index` input.
#[derive(LogicBlock)]
pub struct LaneSlice<const L: usize, const ROW_BITS: usize> {
    pub clock: Signal<In, Clock>,
    /// The lane's number `i` (`< L`), held constant by the scanner. A port
    /// rather than a constant of the slice, so that every lane is the same
    /// module: one definition for all `L`, which Verilator compiles once and
    /// evaluates per lane; synthesis folds the constant into the two places
    /// that read it (the host-write select and the first slot), as it did
    /// the constant.
    pub index: Signal<In, Word>,
    /// The result stream's ready and the scanner's busy flag.
    pub res_ready: Signal<In, bool>,
    pub busy: Signal<In, bool>,
    /// The busy flag's next state, for the lane's twin of it.
    pub busy_next: Signal<In, bool>,
    pub at_equal: Signal<In, bool>,
    /// The control's flags and scan geometry ([`super::ScanControl`]).
    pub copy_brackets: Signal<In, bool>,
    pub geo_load: Signal<In, bool>,
    pub geo_end: Signal<In, bool>,
    pub issuing: Signal<In, bool>,
    pub base_row: Signal<In, Word>,
    pub end_slot: Signal<In, Word>,
    pub price: Signal<In, Price>,
    /// The symbol table's shared row registers.
    pub brackets: Signal<In, BracketRow>,
    /// The scanner's `tick_valid`: host writes are applied on an edge
    /// where it and `busy` are both low.
    pub tick_valid: Signal<In, bool>,
    pub pos_wr: Signal<In, bool>,
    pub pos_wr_slot: Signal<In, Word>,
    pub pos_wr_valid: Signal<In, bool>,
    pub pos_wr_qty: Signal<In, Qty>,
    pub pos_wr_offset: Signal<In, Offset>,
    /// The lane's result stream (the scanner's `res_*$i`).
    pub res_valid: Signal<Out, bool>,
    pub res_slot: Signal<Out, Word>,
    pub res_shortfall: Signal<Out, Shortfall>,

    /// The lane's branch of the enable tree.
    enables: LaneEnables,
    /// The busy flag's twin for the enable tree (the same next state in a
    /// register of the lane's own, pinned midway like a relay): the lane's
    /// `res_ready ∨ ¬busy` is then a LUT of its own, beside its port
    /// selects, rather than one LUT at the control shared by every lane.
    relay_busy: Relay<bool>,
    lane: Lane,
    qty_mem: Memory<Qty, ROW_BITS>,
    offset_mem: Memory<Offset, ROW_BITS>,
    valid_mem: Memory<bool, ROW_BITS>,
    results: ResultSkid,
    /// `at_equal`, beside the result stage, through a relay pinned midway.
    lane_at_equal: RelayPair<bool>,
    /// `copy_brackets`, through a relay pinned midway: one short net into
    /// the lane's bracket load chain (the tables' write controls and the cap
    /// registers).
    lane_copy: RelayPair<bool>,
    /// The first of the lane's two registers of each of the control's
    /// flags, on their own enable copy (`LaneEnables::relay`): the
    /// floorplan pins them midway between the control and the lane.
    relay_geo_load: DFF<bool>,
    relay_geo_end: DFF<bool>,
    relay_issuing: DFF<bool>,
    /// The lane's own copies of `geo_load`, `geo_end` and `issuing`, two
    /// enabled steps behind them ([`super::LANE_CONTROL_STAGES`]): they gate
    /// the lane's row and slot registers.
    lane_geo_load: DFF<bool>,
    lane_geo_end: DFF<bool>,
    lane_issuing: DFF<bool>,
    /// The region base, the region end and the mark price, through two
    /// registers taken every edge (the first pinned midway): they are
    /// loaded steps before the lane reads them and hold for the whole scan,
    /// so the copies cost no time and keep the lane's adders and
    /// multipliers off the control's registers.
    lane_region_base: RelayPair<Word>,
    lane_region_end: RelayPair<Word>,
    lane_price: RelayPair<Price>,
    lane_base_slot: Signal<Local, Word>,
    /// The next row to read and its slot in that row.
    lane_row: DFF<Bits<ROW_BITS>>,
    lane_slot: DFF<Word>,
    /// The region's end slot, so the "inside the region" compare is local.
    lane_end: DFF<Word>,
    /// Alongside the memories' address registers: slot number and "inside the region".
    s1_tag: DFF<Word>,
    s1_live: DFF<bool>,
    /// Alongside the memories' array and output registers.
    s2_live: DFF<bool>,
    s2_tag: DFF<Word>,
    s3_live: DFF<bool>,
    s3_tag: DFF<Word>,
    /// One register stage between the memories and the lane: a bank's
    /// blocks sit in the RAM rows, its lane among the DSP blocks.
    m2_live: DFF<bool>,
    m2_tag: DFF<Word>,
    m2_qty: DFF<Qty>,
    m2_offset: DFF<Offset>,
    /// The registered valid-bit clear of the lane's last hit.
    wb_pend: DFF<bool>,
    wb_addr: DFF<Bits<ROW_BITS>>,
    wb_row: Signal<Local, Bits<ROW_BITS>>,
    hit: Signal<Local, bool>,
    /// The host's position write, registered on the edge that decides it,
    /// request and word (pinned midway between the ports and the lane's
    /// banks): the net from the busy flag and the decode ends at a register,
    /// the word's nets from the ports run register to register, and the
    /// banks take the word on the next edge into their own write registers,
    /// the valid bank choosing between it and the lane's own write-back by
    /// the request register alone.
    relay_pos_wr: DFF<bool>,
    /// Its twin for the valid bank (the same next state), which selects
    /// between the host's write and the lane's write-back: the qty and
    /// offset banks and the valid bank lie apart, and each request register
    /// is placed beside the bank it drives.
    relay_pos_wr_valid: Relay<bool>,
    relay_wr_row: Relay<Bits<ROW_BITS>>,
    relay_wr_valid: Relay<bool>,
    relay_wr_qty: Relay<Qty>,
    relay_wr_offset: Relay<Offset>,
    host_turn: Signal<Local, bool>,
    pos_row: Signal<Local, Bits<ROW_BITS>>,
    pos_lane: Signal<Local, Word>,
    /// The shared row, bracket by bracket.
    bank: [Signal<Local, BracketWord>; BRACKET_BANKS],

    // Generation constants.
    lane_bits: Constant<Word>,
    lane_mask: Constant<Word>,
    lane_count: Constant<Word>,
}

impl<const L: usize, const ROW_BITS: usize> Default for LaneSlice<L, ROW_BITS> {
    /// A lane slice; its number is whatever drives `index`.
    fn default() -> Self {
        let word = |x: u64| Word::from(x);
        Self {
            clock: Default::default(),
            index: Default::default(),
            res_ready: Default::default(),
            busy: Default::default(),
            busy_next: Default::default(),
            at_equal: Default::default(),
            copy_brackets: Default::default(),
            geo_load: Default::default(),
            geo_end: Default::default(),
            issuing: Default::default(),
            base_row: Default::default(),
            end_slot: Default::default(),
            price: Default::default(),
            brackets: Default::default(),
            tick_valid: Default::default(),
            pos_wr: Default::default(),
            pos_wr_slot: Default::default(),
            pos_wr_valid: Default::default(),
            pos_wr_qty: Default::default(),
            pos_wr_offset: Default::default(),
            res_valid: Default::default(),
            res_slot: Default::default(),
            res_shortfall: Default::default(),
            enables: Default::default(),
            relay_busy: Default::default(),
            lane: Default::default(),
            qty_mem: Default::default(),
            offset_mem: Default::default(),
            valid_mem: Default::default(),
            results: Default::default(),
            lane_at_equal: Default::default(),
            lane_copy: Default::default(),
            relay_geo_load: Default::default(),
            relay_geo_end: Default::default(),
            relay_issuing: Default::default(),
            lane_geo_load: Default::default(),
            lane_geo_end: Default::default(),
            lane_issuing: Default::default(),
            lane_region_base: Default::default(),
            lane_region_end: Default::default(),
            lane_price: Default::default(),
            lane_base_slot: Default::default(),
            lane_row: Default::default(),
            lane_slot: Default::default(),
            lane_end: Default::default(),
            s1_tag: Default::default(),
            s1_live: Default::default(),
            s2_live: Default::default(),
            s2_tag: Default::default(),
            s3_live: Default::default(),
            s3_tag: Default::default(),
            m2_live: Default::default(),
            m2_tag: Default::default(),
            m2_qty: Default::default(),
            m2_offset: Default::default(),
            wb_pend: Default::default(),
            wb_addr: Default::default(),
            wb_row: Default::default(),
            hit: Default::default(),
            relay_pos_wr: Default::default(),
            relay_pos_wr_valid: Default::default(),
            relay_wr_row: Default::default(),
            relay_wr_valid: Default::default(),
            relay_wr_qty: Default::default(),
            relay_wr_offset: Default::default(),
            host_turn: Default::default(),
            pos_row: Default::default(),
            pos_lane: Default::default(),
            bank: Default::default(),
            lane_bits: Constant::new(word(u64::from(L.trailing_zeros()))),
            lane_mask: Constant::new(word(L as u64 - 1)),
            lane_count: Constant::new(word(L as u64)),
        }
    }
}

const _: () = assert!(BRACKET_BANKS == 4 && compare::WIDE == 64 && NOTIONAL == 63);

impl<const L: usize, const ROW_BITS: usize> Logic for LaneSlice<L, ROW_BITS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            relay_geo_load,
            relay_geo_end,
            relay_issuing,
            lane_geo_load,
            lane_geo_end,
            lane_issuing,
            lane_row,
            lane_slot,
            lane_end,
            s1_tag,
            s1_live,
            s2_live,
            s2_tag,
            s3_live,
            s3_tag,
            m2_live,
            m2_tag,
            m2_qty,
            m2_offset,
            wb_pend,
            wb_addr,
            relay_pos_wr
        );
        clock!(
            self,
            clock,
            enables,
            relay_busy,
            lane,
            qty_mem,
            offset_mem,
            valid_mem,
            results,
            lane_at_equal,
            lane_copy,
            lane_region_base,
            lane_region_end,
            lane_price,
            relay_wr_row,
            relay_pos_wr_valid,
            relay_wr_valid,
            relay_wr_qty,
            relay_wr_offset
        );
        self.enables.ready.next = self.res_ready.val();
        self.relay_busy.d.next = self.busy_next.val();
        self.enables.busy.next = self.relay_busy.q.val();
        self.lane_at_equal.d.next = self.at_equal.val();
        self.lane_copy.d.next = self.copy_brackets.val();
        self.lane_region_base.d.next = self.base_row.val();
        self.lane_region_end.d.next = self.end_slot.val();
        self.lane_price.d.next = self.price.val();
        self.lane_base_slot.next = self.lane_region_base.q.val() << self.lane_bits.val();
        self.hit.next = self.lane.out_valid.val() & self.lane.out_hit.val();

        // Host writes: the slot's row, if the slot is this lane's. The
        // host's turn is computed here from the scanner's inputs, as in
        // the symbol table.
        self.host_turn.next = !self.busy.val() & !self.tick_valid.val();
        self.pos_row.next = self
            .pos_wr_slot
            .val()
            .get_bits::<ROW_BITS>(self.lane_bits.val().index());
        self.pos_lane.next = self.pos_wr_slot.val() & self.lane_mask.val();
        self.relay_wr_row.d.next = self.pos_row.val();
        self.relay_wr_valid.d.next = self.pos_wr_valid.val();
        self.relay_wr_qty.d.next = self.pos_wr_qty.val();
        self.relay_wr_offset.d.next = self.pos_wr_offset.val();
        self.relay_pos_wr.d.next =
            self.pos_wr.val() & self.host_turn.val() & (self.pos_lane.val() == self.index.val());
        self.relay_pos_wr_valid.d.next =
            self.pos_wr.val() & self.host_turn.val() & (self.pos_lane.val() == self.index.val());
        self.wb_row.next = self
            .lane
            .out_tag
            .val()
            .get_bits::<ROW_BITS>(self.lane_bits.val().index());

        // The memory side: the lane counts its own row and slot.
        if self.enables.relay.val() {
            self.relay_geo_load.d.next = self.geo_load.val();
            self.relay_geo_end.d.next = self.geo_end.val();
            self.relay_issuing.d.next = self.issuing.val();
        }
        if self.enables.core.val() {
            self.lane_geo_load.d.next = self.relay_geo_load.q.val();
            self.lane_geo_end.d.next = self.relay_geo_end.q.val();
            self.lane_issuing.d.next = self.relay_issuing.q.val();
            if self.lane_geo_load.q.val() {
                self.lane_row.d.next = self.lane_region_base.q.val().get_bits::<ROW_BITS>(0);
                self.lane_slot.d.next = self.lane_base_slot.val() + self.index.val();
            }
            if self.lane_geo_end.q.val() {
                self.lane_end.d.next = self.lane_region_end.q.val();
            }
            if self.lane_issuing.q.val() {
                self.lane_row.d.next = self.lane_row.q.val() + 1;
                self.lane_slot.d.next = self.lane_slot.q.val() + self.lane_count.val();
            }
            self.s1_tag.d.next = self.lane_slot.q.val();
            self.s1_live.d.next =
                self.lane_issuing.q.val() & (self.lane_slot.q.val() < self.lane_end.q.val());
            self.s2_live.d.next = self.s1_live.q.val();
            self.s2_tag.d.next = self.s1_tag.q.val();
            self.s3_live.d.next = self.s2_live.q.val();
            self.s3_tag.d.next = self.s2_tag.q.val();
        }
        if self.enables.m2.val() {
            self.m2_live.d.next = self.s3_live.q.val() & self.valid_mem.read_data.val();
            self.m2_tag.d.next = self.s3_tag.q.val();
            self.m2_qty.d.next = self.qty_mem.read_data.val();
            self.m2_offset.d.next = self.offset_mem.read_data.val();
        }
        // What leaves the lane clears its valid bit on the next core edge.
        if self.enables.out.val() {
            self.wb_pend.d.next = self.hit.val();
            self.wb_addr.d.next = self.wb_row.val();
        }

        self.qty_mem.read_address.next = self.lane_row.q.val();
        self.qty_mem.read_enable_next.next = self.enables.qty_next.val();
        self.qty_mem.write_address.next = self.relay_wr_row.q.val();
        self.qty_mem.write_data.next = self.relay_wr_qty.q.val();
        self.qty_mem.write_enable.next = self.relay_pos_wr.q.val();
        self.offset_mem.read_address.next = self.lane_row.q.val();
        self.offset_mem.read_enable_next.next = self.enables.offset_next.val();
        self.offset_mem.write_address.next = self.relay_wr_row.q.val();
        self.offset_mem.write_data.next = self.relay_wr_offset.q.val();
        self.offset_mem.write_enable.next = self.relay_pos_wr.q.val();
        self.valid_mem.read_address.next = self.lane_row.q.val();
        self.valid_mem.read_enable_next.next = self.enables.valid_next.val();
        // A host write is decided only while idle, and the lane's results
        // (so its write-backs) leave it only while busy.
        if self.relay_pos_wr_valid.q.val() {
            self.valid_mem.write_address.next = self.relay_wr_row.q.val();
            self.valid_mem.write_data.next = self.relay_wr_valid.q.val();
            self.valid_mem.write_enable.next = true;
        } else {
            self.valid_mem.write_address.next = self.wb_addr.q.val();
            self.valid_mem.write_data.next = false;
            self.valid_mem.write_enable.next = self.wb_pend.q.val() & self.enables.out.val();
        }

        // The lane, its bracket rows from the shared row registers (the
        // caps zero-extended to the compares' width).
        self.lane.enable_next.next = self.enables.lane_next.val();
        self.lane.at_equal.next = self.lane_at_equal.q.val();
        self.lane.load_brackets.next = self.lane_copy.q.val();
        self.lane.price.next = self.lane_price.q.val();
        self.lane.in_valid.next = self.m2_live.q.val();
        self.lane.in_tag.next = self.m2_tag.q.val();
        self.lane.in_qty.next = self.m2_qty.q.val();
        self.lane.in_offset.next = self.m2_offset.q.val();
        self.bank[0].next = self.brackets.val().bank0;
        self.bank[1].next = self.brackets.val().bank1;
        self.bank[2].next = self.brackets.val().bank2;
        self.bank[3].next = self.brackets.val().bank3;
        self.lane.rows[0].cap.next = bit_cast::<64, NOTIONAL>(self.bank[0].val().cap);
        self.lane.rows[1].cap.next = bit_cast::<64, NOTIONAL>(self.bank[1].val().cap);
        self.lane.rows[2].cap.next = bit_cast::<64, NOTIONAL>(self.bank[2].val().cap);
        self.lane.rows[3].cap.next = bit_cast::<64, NOTIONAL>(self.bank[3].val().cap);
        self.lane.rows[0].maint.next = self.bank[0].val().maint;
        self.lane.rows[1].maint.next = self.bank[1].val().maint;
        self.lane.rows[2].maint.next = self.bank[2].val().maint;
        self.lane.rows[3].maint.next = self.bank[3].val().maint;
        self.lane.rows[0].weight_long.next = self.bank[0].val().weight_long;
        self.lane.rows[1].weight_long.next = self.bank[1].val().weight_long;
        self.lane.rows[2].weight_long.next = self.bank[2].val().weight_long;
        self.lane.rows[3].weight_long.next = self.bank[3].val().weight_long;
        self.lane.rows[0].weight_short.next = self.bank[0].val().weight_short;
        self.lane.rows[1].weight_short.next = self.bank[1].val().weight_short;
        self.lane.rows[2].weight_short.next = self.bank[2].val().weight_short;
        self.lane.rows[3].weight_short.next = self.bank[3].val().weight_short;

        // The result stream.
        self.results.enable.next = self.enables.out.val();
        self.results.back0_head.next = self.enables.back0_head.val();
        self.results.back_le1_head.next = self.enables.back_le1_head.val();
        self.results.back2_head.next = self.enables.back2_head.val();
        self.results.back0_lo.next = self.enables.back0_lo.val();
        self.results.back_le1_lo.next = self.enables.back_le1_lo.val();
        self.results.back2_lo.next = self.enables.back2_lo.val();
        self.results.back0_hi.next = self.enables.back0_hi.val();
        self.results.back_le1_hi.next = self.enables.back_le1_hi.val();
        self.results.back2_hi.next = self.enables.back2_hi.val();
        self.results.hit.next = self.hit.val();
        self.results.slot.next = self.lane.out_tag.val();
        self.results.shortfall.next = self.lane.out_shortfall.val();
        self.res_valid.next = self.results.res_valid.val();
        self.res_slot.next = self.results.res_slot.val();
        self.res_shortfall.next = self.results.res_shortfall.val();
    }
}
