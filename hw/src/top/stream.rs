//! The result stream: the scanner's `L` lanes into one AXI4-Stream of
//! records, with back-pressure that holds the scan.
//!
//! * **Capture.** Every edge registers each lane's port (valid and `res_ready`,
//!   slot, shortfall), so the paths out of the scanner end at flip-flops.
//! * **Row FIFO.** [`FIFO_ROWS`] rows of LUT RAM: each lane's words of a
//!   row (slot, shortfall), the row's mask of valid lanes and a tag. Every
//!   edge writes the captured row at the write pointer, with no write
//!   enable, so no decode reaches the lanes' LUT RAMs (which sit apart,
//!   each beside its lane's capture registers); the pointer moves on when
//!   the row has a result. When the sequencer owes a completion it is
//!   pushed as a row of its own (tag only) on an edge with no result row,
//!   so it follows every liquidation of its tick. The FIFO holds at most
//!   `FIFO_ROWS − 1` rows, so the row at the write pointer is never one
//!   that waits.
//! * **`res_ready`** is a register: high while the FIFO holds at most
//!   `FIFO_ROWS − 1 − 3` rows. A row pushed on edge `e` was captured on edge
//!   `e − 1` under a `res_ready` decided on edge `e − 2`, when at most two
//!   other rows were on their way, so a pushed row always finds room (the
//!   write pointer's row left free) and all lanes transfer together whenever
//!   `res_ready` is high. A completion is pushed only while the FIFO holds
//!   fewer than `FIFO_ROWS − 1` rows; no result row is on its way then (the
//!   tick's last one was pushed before its `done`, the next tick's come
//!   after the completion has left).
//! * **Serializer.** Three register stages, one record per cycle. The head:
//!   the row at the read pointer, its mask and the mask's lowest valid lane
//!   as a one-hot, both registered (each pick computes the next one-hot
//!   from the rest of the mask). The select: each lane's slot and
//!   shortfall registered beside its LUT RAMs, zero but in the one-hot's
//!   lane, with the row's tag. The output register: the OR of the lanes'
//!   selected words into one record, which drives the stream. So the carry
//!   that finds the lowest lane, the LUT RAM reads and the gather of eight
//!   lanes' words are each a path of their own. A valid record stays until
//!   `tready`, and `tready` reaches only registers' enables. The head row
//!   leaves the FIFO with its last record; the next row is loaded on the
//!   edge after.
//!
//! A liquidation record carries the row's `seq`, the slot and the shortfall
//! sign-extended to 128 bits; a completion record the tick's `seq`, the
//! scan's cycles and stalls, and the count of liquidation records picked
//! since the previous completion record (every record of the tick, since a
//! tick's completion follows its liquidations in the FIFO). `tlast` marks
//! completion records.

use liqscan_core::spec::registers::record;
use rust_hdl::prelude::*;

use crate::lutram::LutRam;
use crate::scanner::Shortfall;

use super::{Record, Word, RECORD_BITS};

/// A row's lanes, one bit each (the widest build's; bits from `L` up stay 0).
pub type LaneMask = Bits<MAX_LANES>;
/// The most lanes a scanner has.
const MAX_LANES: usize = 16;
/// Bits of a row index in the FIFO.
pub const FIFO_BITS: usize = 4;
/// Rows of the FIFO (one LUT RAM deep).
pub const FIFO_ROWS: usize = 1 << FIFO_BITS;
/// Bits of the FIFO's row count (`0 ..= FIFO_ROWS`).
const COUNT_BITS: usize = FIFO_BITS + 1;
/// Rows that may be on their way when `res_ready` is decided: the
/// captured row, the row `res_ready` admits this cycle, and the next.
const IN_FLIGHT: usize = 3;
/// Rows the FIFO may hold: all but the write pointer's, which every edge
/// writes.
const ROOM: usize = FIFO_ROWS - 1;
/// Width of a shortfall.
const SUM: usize = Shortfall::BITS;
/// Width of a shortfall in a record (four words).
const SHORTFALL_FIELD: usize = 128;

/// A row's tag: its tick, and for a completion row the completion's fields.
#[derive(Copy, Clone, Debug, Default, PartialEq, LogicStruct)]
pub struct RowTag {
    pub completion: bool,
    pub seq: Word,
    pub cycles: Word,
    pub stalls: Word,
}

/// The stream of a scanner with `L` lanes.
#[derive(LogicBlock)]
pub struct ResultStream<const L: usize> {
    pub clock: Signal<In, Clock>,
    /// The scanner's result ports and its `res_ready`.
    pub res_valid: [Signal<In, bool>; L],
    pub res_slot: [Signal<In, Word>; L],
    pub res_shortfall: [Signal<In, Shortfall>; L],
    pub res_ready: Signal<Out, bool>,
    /// The running tick's sequence number (held until the next tick starts).
    pub seq: Signal<In, Word>,
    /// A completion is owed, with its fields; taken on an edge where
    /// `completion_taken` is high.
    pub completion: Signal<In, bool>,
    pub completion_cycles: Signal<In, Word>,
    pub completion_stalls: Signal<In, Word>,
    pub completion_taken: Signal<Out, bool>,
    /// AXI4-Stream master.
    pub m_axis_tdata: Signal<Out, Record>,
    pub m_axis_tvalid: Signal<Out, bool>,
    pub m_axis_tlast: Signal<Out, bool>,
    pub m_axis_tready: Signal<In, bool>,
    /// One-cycle events, the cycle after a beat: a liquidation record sent,
    /// a completion record sent (with its `seq`).
    pub result_sent: Signal<Out, bool>,
    pub tick_done: Signal<Out, bool>,
    pub done_seq: Signal<Out, Word>,

    ready_r: DFF<bool>,
    cap_mask: DFF<LaneMask>,
    cap_slot: [DFF<Word>; L],
    cap_shortfall: [DFF<Bits<SUM>>; L],
    /// Each lane's slot and shortfall (two's complement) of every row.
    slot_mem: [LutRam<Word, FIFO_BITS>; L],
    shortfall_mem: [LutRam<Bits<SUM>, FIFO_BITS>; L],
    mask_mem: LutRam<LaneMask, FIFO_BITS>,
    tag_mem: LutRam<RowTag, FIFO_BITS>,
    wr_ptr: DFF<Bits<FIFO_BITS>>,
    rd_ptr: DFF<Bits<FIFO_BITS>>,
    count: DFF<Bits<COUNT_BITS>>,
    /// The head row: loaded, its lanes not yet picked, the lowest of them
    /// (one-hot), whether that is its last, and whether it is a completion.
    head_loaded: DFF<bool>,
    head_mask: DFF<LaneMask>,
    head_onehot: DFF<LaneMask>,
    head_last: DFF<bool>,
    head_completion: DFF<bool>,
    /// The select stage: each lane's word (zero but in the picked lane's),
    /// the row's `seq`, and a completion's fields (zero for a liquidation).
    sel_valid: DFF<bool>,
    sel_last: DFF<bool>,
    sel_slot: [DFF<Word>; L],
    sel_shortfall: [DFF<Bits<SUM>>; L],
    sel_seq: DFF<Word>,
    sel_cycles: DFF<Word>,
    sel_count: DFF<Word>,
    sel_stalls: DFF<Word>,
    out_valid: DFF<bool>,
    out_last: DFF<bool>,
    out_data: DFF<Record>,
    /// Liquidation records picked since the last completion record.
    picked: DFF<Word>,
    sent_r: DFF<bool>,
    tick_done_r: DFF<bool>,
    done_seq_r: DFF<Word>,

    lane_bit: [Signal<Local, LaneMask>; L],
    mask_acc: [Signal<Local, LaneMask>; L],
    push_row: Signal<Local, bool>,
    push_completion: Signal<Local, bool>,
    push: Signal<Local, bool>,
    pop: Signal<Local, bool>,
    pick: Signal<Local, bool>,
    out_free: Signal<Local, bool>,
    sel_free: Signal<Local, bool>,
    load_mask: Signal<Local, LaneMask>,
    load_onehot: Signal<Local, LaneMask>,
    load_rest: Signal<Local, LaneMask>,
    rest: Signal<Local, LaneMask>,
    next_onehot: Signal<Local, LaneMask>,
    next_rest: Signal<Local, LaneMask>,
    acc_slot: [Signal<Local, Word>; L],
    acc_shortfall: [Signal<Local, Bits<SUM>>; L],
    sel_any_slot: Signal<Local, Word>,
    sel_any_shortfall: Signal<Local, Bits<SUM>>,
    shortfall_field: Signal<Local, Bits<SHORTFALL_FIELD>>,
    kind: Signal<Local, Record>,
    record: Signal<Local, Record>,

    one_lane: Constant<LaneMask>,
    count_one: Constant<Bits<COUNT_BITS>>,
    lane_index: [Constant<Word>; L],
    sign_bit: Constant<Word>,
    sign_extension: Constant<Bits<SHORTFALL_FIELD>>,
    kind_liquidation: Constant<Record>,
    kind_completion: Constant<Record>,
    at_seq: Constant<Word>,
    at_slot: Constant<Word>,
    at_shortfall: Constant<Word>,
    at_cycles: Constant<Word>,
    at_count: Constant<Word>,
    at_stalls: Constant<Word>,
    room: Constant<Bits<COUNT_BITS>>,
    ready_limit: Constant<Bits<COUNT_BITS>>,
}

impl<const L: usize> Default for ResultStream<L> {
    fn default() -> Self {
        const {
            assert!(L <= MAX_LANES);
            assert!(SUM < SHORTFALL_FIELD && SHORTFALL_FIELD <= 32 * 4);
            assert!(IN_FLIGHT < ROOM);
        }
        let bit_at = |word: u32| Constant::new(Word::from(u64::from(word) * 32));
        let kind = |kind: u32| {
            Constant::new(Record::from(u64::from(kind)) << (u64::from(record::KIND) * 32))
        };
        let count = |x: usize| Constant::new(Bits::<COUNT_BITS>::from(x as u64));
        let sign_extension = !bit_cast::<SHORTFALL_FIELD, SUM>(Bits::<SUM>::mask());
        Self {
            clock: Default::default(),
            res_valid: std::array::from_fn(|_| Default::default()),
            res_slot: std::array::from_fn(|_| Default::default()),
            res_shortfall: std::array::from_fn(|_| Default::default()),
            res_ready: Default::default(),
            seq: Default::default(),
            completion: Default::default(),
            completion_cycles: Default::default(),
            completion_stalls: Default::default(),
            completion_taken: Default::default(),
            m_axis_tdata: Default::default(),
            m_axis_tvalid: Default::default(),
            m_axis_tlast: Default::default(),
            m_axis_tready: Default::default(),
            result_sent: Default::default(),
            tick_done: Default::default(),
            done_seq: Default::default(),
            ready_r: Default::default(),
            cap_mask: Default::default(),
            cap_slot: std::array::from_fn(|_| Default::default()),
            cap_shortfall: std::array::from_fn(|_| Default::default()),
            slot_mem: std::array::from_fn(|_| Default::default()),
            shortfall_mem: std::array::from_fn(|_| Default::default()),
            mask_mem: Default::default(),
            tag_mem: Default::default(),
            wr_ptr: Default::default(),
            rd_ptr: Default::default(),
            count: Default::default(),
            head_loaded: Default::default(),
            head_mask: Default::default(),
            head_onehot: Default::default(),
            head_last: Default::default(),
            head_completion: Default::default(),
            sel_valid: Default::default(),
            sel_last: Default::default(),
            sel_slot: std::array::from_fn(|_| Default::default()),
            sel_shortfall: std::array::from_fn(|_| Default::default()),
            sel_seq: Default::default(),
            sel_cycles: Default::default(),
            sel_count: Default::default(),
            sel_stalls: Default::default(),
            out_valid: Default::default(),
            out_last: Default::default(),
            out_data: Default::default(),
            picked: Default::default(),
            sent_r: Default::default(),
            tick_done_r: Default::default(),
            done_seq_r: Default::default(),
            lane_bit: std::array::from_fn(|_| Default::default()),
            mask_acc: std::array::from_fn(|_| Default::default()),
            push_row: Default::default(),
            push_completion: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            pick: Default::default(),
            out_free: Default::default(),
            sel_free: Default::default(),
            load_mask: Default::default(),
            load_onehot: Default::default(),
            load_rest: Default::default(),
            rest: Default::default(),
            next_onehot: Default::default(),
            next_rest: Default::default(),
            acc_slot: std::array::from_fn(|_| Default::default()),
            acc_shortfall: std::array::from_fn(|_| Default::default()),
            sel_any_slot: Default::default(),
            sel_any_shortfall: Default::default(),
            shortfall_field: Default::default(),
            kind: Default::default(),
            record: Default::default(),
            one_lane: Constant::new(LaneMask::from(1u64)),
            count_one: count(1),
            lane_index: std::array::from_fn(|i| Constant::new(Word::from(i as u64))),
            sign_bit: Constant::new(Word::from(SUM as u64 - 1)),
            sign_extension: Constant::new(sign_extension),
            kind_liquidation: kind(record::LIQUIDATION),
            kind_completion: kind(record::COMPLETION),
            at_seq: bit_at(record::SEQ),
            at_slot: bit_at(record::SLOT),
            at_shortfall: bit_at(record::SHORTFALL),
            at_cycles: bit_at(record::CYCLES),
            at_count: bit_at(record::COUNT),
            at_stalls: bit_at(record::STALLS),
            room: count(ROOM),
            ready_limit: count(ROOM - IN_FLIGHT),
        }
    }
}

impl<const L: usize> Logic for ResultStream<L> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            ready_r,
            cap_mask,
            wr_ptr,
            rd_ptr,
            count,
            head_loaded,
            head_mask,
            head_onehot,
            head_last,
            head_completion,
            sel_valid,
            sel_last,
            sel_seq,
            sel_cycles,
            sel_count,
            sel_stalls,
            out_valid,
            out_last,
            out_data,
            picked,
            sent_r,
            tick_done_r,
            done_seq_r
        );
        clock!(self, clock, mask_mem, tag_mem);

        // Capture: every lane's port, every edge.
        for i in 0..L {
            self.cap_slot[i].clock.next = self.clock.val();
            self.cap_shortfall[i].clock.next = self.clock.val();
            self.slot_mem[i].clock.next = self.clock.val();
            self.shortfall_mem[i].clock.next = self.clock.val();
            self.sel_slot[i].clock.next = self.clock.val();
            self.sel_shortfall[i].clock.next = self.clock.val();
            self.sel_slot[i].d.next = self.sel_slot[i].q.val();
            self.sel_shortfall[i].d.next = self.sel_shortfall[i].q.val();
            self.cap_slot[i].d.next = self.res_slot[i].val();
            self.cap_shortfall[i].d.next = unsigned_cast(self.res_shortfall[i].val());
            self.lane_bit[i].next = 0.into();
            if self.res_valid[i].val() {
                self.lane_bit[i].next = self.one_lane.val() << self.lane_index[i].val();
            }
        }
        self.mask_acc[0].next = self.lane_bit[0].val();
        for i in 1..L {
            self.mask_acc[i].next = self.mask_acc[i - 1].val() | self.lane_bit[i].val();
        }
        self.cap_mask.d.next = 0.into();
        if self.ready_r.q.val() {
            for i in (L - 1)..L {
                self.cap_mask.d.next = self.mask_acc[i].val();
            }
        }

        // Push: a result row, else an owed completion while there is room.
        // Every memory takes the captured row at the write pointer on every
        // edge; a push keeps it by moving the pointer on.
        self.push_row.next = self.cap_mask.q.val().any();
        self.push_completion.next =
            self.completion.val() & !self.push_row.val() & (self.count.q.val() < self.room.val());
        self.push.next = self.push_row.val() | self.push_completion.val();
        self.completion_taken.next = self.push_completion.val();
        for i in 0..L {
            self.slot_mem[i].write_address.next = self.wr_ptr.q.val();
            self.slot_mem[i].write_enable.next = true;
            self.slot_mem[i].write_data.next = self.cap_slot[i].q.val();
            self.slot_mem[i].read_address.next = self.rd_ptr.q.val();
            self.shortfall_mem[i].write_address.next = self.wr_ptr.q.val();
            self.shortfall_mem[i].write_enable.next = true;
            self.shortfall_mem[i].write_data.next = self.cap_shortfall[i].q.val();
            self.shortfall_mem[i].read_address.next = self.rd_ptr.q.val();
        }
        self.mask_mem.write_address.next = self.wr_ptr.q.val();
        self.mask_mem.write_enable.next = true;
        self.mask_mem.write_data.next = self.cap_mask.q.val();
        self.mask_mem.read_address.next = self.rd_ptr.q.val();
        self.tag_mem.write_address.next = self.wr_ptr.q.val();
        self.tag_mem.write_enable.next = true;
        self.tag_mem.write_data.next.completion = self.push_completion.val();
        self.tag_mem.write_data.next.seq = self.seq.val();
        self.tag_mem.write_data.next.cycles = self.completion_cycles.val();
        self.tag_mem.write_data.next.stalls = self.completion_stalls.val();
        self.tag_mem.read_address.next = self.rd_ptr.q.val();
        if self.push.val() {
            self.wr_ptr.d.next = self.wr_ptr.q.val() + 1;
        }
        self.ready_r.d.next = self.count.q.val() <= self.ready_limit.val();

        // The lowest valid lane, as a one-hot: of the row read at the head
        // (loaded from the FIFO), and of the rest of the head row (the next
        // pick's).
        self.load_mask.next = self.mask_mem.read_data.val();
        self.load_onehot.next =
            self.load_mask.val() & ((!self.load_mask.val()) + self.one_lane.val());
        self.load_rest.next = self.load_mask.val() & !self.load_onehot.val();
        self.rest.next = self.head_mask.q.val() & !self.head_onehot.q.val();
        self.next_onehot.next = self.rest.val() & ((!self.rest.val()) + self.one_lane.val());
        self.next_rest.next = self.rest.val() & !self.next_onehot.val();

        // Output stage: the OR of the select stage's words, loaded when
        // empty or taken.
        self.acc_slot[0].next = self.sel_slot[0].q.val();
        self.acc_shortfall[0].next = self.sel_shortfall[0].q.val();
        for i in 1..L {
            self.acc_slot[i].next = self.acc_slot[i - 1].val() | self.sel_slot[i].q.val();
            self.acc_shortfall[i].next =
                self.acc_shortfall[i - 1].val() | self.sel_shortfall[i].q.val();
        }
        self.sel_any_slot.next = 0.into();
        self.sel_any_shortfall.next = 0.into();
        for i in (L - 1)..L {
            self.sel_any_slot.next = self.acc_slot[i].val();
            self.sel_any_shortfall.next = self.acc_shortfall[i].val();
        }
        self.shortfall_field.next = bit_cast::<SHORTFALL_FIELD, SUM>(self.sel_any_shortfall.val());
        if self
            .sel_any_shortfall
            .val()
            .get_bit(self.sign_bit.val().index())
        {
            self.shortfall_field.next =
                bit_cast::<SHORTFALL_FIELD, SUM>(self.sel_any_shortfall.val())
                    | self.sign_extension.val();
        }
        self.kind.next = self.kind_liquidation.val();
        if self.sel_last.q.val() {
            self.kind.next = self.kind_completion.val();
        }
        // A liquidation's fields are zero in a completion and the other way
        // round, so the record is an OR of all of them.
        self.record.next = self.kind.val()
            | (bit_cast::<RECORD_BITS, 32>(self.sel_seq.q.val()) << self.at_seq.val())
            | (bit_cast::<RECORD_BITS, 32>(self.sel_any_slot.val()) << self.at_slot.val())
            | (bit_cast::<RECORD_BITS, SHORTFALL_FIELD>(self.shortfall_field.val())
                << self.at_shortfall.val())
            | (bit_cast::<RECORD_BITS, 32>(self.sel_cycles.q.val()) << self.at_cycles.val())
            | (bit_cast::<RECORD_BITS, 32>(self.sel_count.q.val()) << self.at_count.val())
            | (bit_cast::<RECORD_BITS, 32>(self.sel_stalls.q.val()) << self.at_stalls.val());
        self.out_free.next = !self.out_valid.q.val() | self.m_axis_tready.val();
        self.sel_free.next = !self.sel_valid.q.val() | self.out_free.val();
        if self.out_valid.q.val() & self.m_axis_tready.val() {
            self.out_valid.d.next = false;
        }
        if self.sel_valid.q.val() & self.out_free.val() {
            self.out_valid.d.next = true;
            self.out_data.d.next = self.record.val();
            self.out_last.d.next = self.sel_last.q.val();
            self.sel_valid.d.next = false;
        }

        // Select stage: one record of the head row per cycle, each lane's
        // word kept only in the one-hot's lane.
        self.pop.next = false;
        self.pick.next = self.head_loaded.q.val() & self.sel_free.val();
        if !self.head_loaded.q.val() & self.count.q.val().any() {
            self.head_loaded.d.next = true;
            self.head_mask.d.next = self.load_mask.val();
            self.head_onehot.d.next = self.load_onehot.val();
            self.head_last.d.next = !self.load_rest.val().any();
            self.head_completion.d.next = self.tag_mem.read_data.val().completion;
        }
        if self.pick.val() {
            self.sel_valid.d.next = true;
            self.sel_last.d.next = self.head_completion.q.val();
            self.sel_seq.d.next = self.tag_mem.read_data.val().seq;
            self.sel_cycles.d.next = 0.into();
            self.sel_count.d.next = 0.into();
            self.sel_stalls.d.next = 0.into();
            for i in 0..L {
                self.sel_slot[i].d.next = 0.into();
                self.sel_shortfall[i].d.next = 0.into();
                if self.head_onehot.q.val().get_bit(i) {
                    self.sel_slot[i].d.next = self.slot_mem[i].read_data.val();
                    self.sel_shortfall[i].d.next = self.shortfall_mem[i].read_data.val();
                }
            }
            if self.head_completion.q.val() {
                self.sel_cycles.d.next = self.tag_mem.read_data.val().cycles;
                self.sel_count.d.next = self.picked.q.val();
                self.sel_stalls.d.next = self.tag_mem.read_data.val().stalls;
                self.picked.d.next = 0.into();
                self.pop.next = true;
            } else {
                self.picked.d.next = self.picked.q.val() + 1;
                self.head_mask.d.next = self.rest.val();
                self.head_onehot.d.next = self.next_onehot.val();
                self.head_last.d.next = !self.next_rest.val().any();
                self.pop.next = self.head_last.q.val();
            }
        }
        if self.pop.val() {
            self.head_loaded.d.next = false;
            self.rd_ptr.d.next = self.rd_ptr.q.val() + 1;
        }
        if self.push.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + self.count_one.val();
        }
        if self.pop.val() & !self.push.val() {
            self.count.d.next = self.count.q.val() - self.count_one.val();
        }

        // Events for the counters.
        self.sent_r.d.next =
            self.out_valid.q.val() & self.m_axis_tready.val() & !self.out_last.q.val();
        self.tick_done_r.d.next =
            self.out_valid.q.val() & self.m_axis_tready.val() & self.out_last.q.val();
        self.done_seq_r.d.next = self
            .out_data
            .q
            .val()
            .get_bits::<32>(self.at_seq.val().index());

        self.res_ready.next = self.ready_r.q.val();
        self.m_axis_tdata.next = self.out_data.q.val();
        self.m_axis_tvalid.next = self.out_valid.q.val();
        self.m_axis_tlast.next = self.out_last.q.val();
        self.result_sent.next = self.sent_r.q.val();
        self.tick_done.next = self.tick_done_r.q.val();
        self.done_seq.next = self.done_seq_r.q.val();
    }
}
