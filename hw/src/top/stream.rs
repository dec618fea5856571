//! The result stream: the scanner's `L` lanes into one AXI4-Stream of
//! records, with back-pressure that holds the scan.
//!
//! The lanes lie all over the chip and the stream's output at one place, so
//! nothing here is decided for a lane far from it in the same cycle: each
//! lane keeps its own results, and the centre keeps the order.
//!
//! * **Capture and relay.** Every edge registers each lane's port (valid,
//!   slot, shortfall) beside the lane, and the lane's relay registers
//!   (`relay_*`, which `scripts/floorplan.py` pins midway between the lane
//!   and the chip's centre) take them on the next edge, so the way out of a
//!   lane is two register hops. `res_ready` follows through a register of
//!   its own at the centre and, with the relay's valid bit, a write flag
//!   per lane beside its FIFO.
//! * **Lane FIFOs.** Each lane writes its transferred results into a LUT RAM
//!   of [`FIFO_ROWS`] words beside its relay, on its own valid bit (a write
//!   flag registered beside it, `lane_write`), with its own write and read
//!   pointers.
//! * **Row FIFO.** On the edge after, the lanes' transferred valid bits are
//!   registered at the centre as the row's mask; on the next edge the
//!   mask's lowest lane (one-hot) and the lanes after it move to the row
//!   FIFO's side with a flag of their own for whether the row has a lane
//!   and one for whether the lowest is its only one (all formed from the
//!   registered mask, so no lane's relay reaches across the chip into
//!   logic), and on the edge after that a row with any result pushes its
//!   lowest lane, its second (the lowest of the lanes after the first, or
//!   none), the lanes after those two and a tag (with the single-lane flag)
//!   into the row FIFO (LUT RAM, [`FIFO_ROWS`] rows). When the sequencer
//!   owes a completion it is pushed as a row of its own (tag only) on an
//!   edge with no result row, while the FIFO is not full (a registered
//!   flag); the sequencer asks for it three edges after the scan's `done`,
//!   so its last result row is pushed by the edge the completion could
//!   first be pushed on, and that edge takes the result row first.
//! * **`res_ready`** is a register: high while the row FIFO holds at most
//!   `FIFO_ROWS − 2 − 6` rows. A row pushed on edge `e` was transferred on
//!   edge `e − 4` under a `res_ready` decided on edge `e − 5`, when at most
//!   five other rows were on their way, so the row FIFO never holds more than
//!   `FIFO_ROWS − 2` rows and a lane FIFO, written two edges before its row
//!   is pushed, never more than [`FIFO_ROWS`] words: every transferred
//!   result finds room, and all lanes transfer together whenever
//!   `res_ready` is high.
//! * **Serializer.** Three register stages and a skid register, one record
//!   per cycle. The head: the row FIFO's head row as its lowest lane, its
//!   second and the rest (registered one-hots and mask, loaded as they come
//!   from the FIFO), and whether the lowest is the last (no second). A pick
//!   moves the second into the lowest, the rest's lowest lane (one carry,
//!   over the scanner's `L` lanes only) into the second and clears it from
//!   the rest; the last flag is whether the rest was empty. The pick: the
//!   one-hot lane's word, the head of its FIFO (every earlier row of that
//!   lane has been picked), gathered from the lanes' FIFO heads (each read
//!   and registered beside its FIFO on every edge), with the row's tag and
//!   the count of records picked since the last completion; every field is
//!   loaded on a pick as it is (no field is cleared), and the record is
//!   assembled behind the stage, its liquidation or its completion fields
//!   selected by the registered kind. Picking a lane pops its FIFO. The
//!   head row leaves the FIFO with its last record; the next row is loaded
//!   on the edge after, on the registered head state alone. Whether the
//!   head picks in a cycle is itself a register (`pick_now`, and a twin for
//!   the pick stage's fields), formed on the edge before from the next
//!   state of the head and the pick stage and from the skid register's
//!   room, so the head's update and every enable of the pick stage start at
//!   a register, and `tready` reaches none of them.
//! * **Output register slice.** The output register drives the stream; a
//!   valid record stays until `tready`. Behind it a skid register of two
//!   slots (a ring with a flag per slot and read and write pointers): the
//!   pick stage hands its record over whenever a slot is free (a registered
//!   flag beside the pick stage), into the output register if that is free
//!   this cycle and no slot is held, else into the write slot; the output
//!   register takes the read slot's record first on its next free cycle. A
//!   free slot samples the record on every edge, so its enable is its own
//!   flag. The pick decision counts on the output register taking nothing:
//!   it picks into a full pick stage only if at most one slot is held after
//!   this edge's hand-over, so the decision needs no `tready`, and with
//!   `tready` high no slot is held and a record leaves every cycle. The
//!   output register is kept per 32-bit word, each word enabled by a LUT of
//!   its own from a twin of the valid flag (`out_valid_word`) and `tready`,
//!   and selecting between the pick stage's record and the read slot's on
//!   twins of the skid flag and the read pointer (`from_skid_word`,
//!   `skid_rd_word`). `tready` reaches only these enables, the valid flag
//!   and its twins, the last flag, the skid register's flags and pointers
//!   and their twins, and the events.
//!
//! A liquidation record carries the row's `seq`, the slot and the shortfall
//! sign-extended to 128 bits; a completion record the tick's `seq`, the
//! scan's cycles and stalls, and the count of liquidation records picked
//! since the previous completion record (every record of the tick, since a
//! tick's completion follows its liquidations in the FIFO). `tlast` marks
//! completion records.

use liqscan_core::spec::registers::record;
use rust_hdl::prelude::*;

use crate::fanout::Relay;
use crate::lutram::LutRam;
use crate::scanner::Shortfall;

use super::{Record, Word, RECORD_BITS};

/// A row's lanes, one bit each (the widest build's; bits from `L` up stay 0).
pub type LaneMask = Bits<MAX_LANES>;
/// The most lanes a scanner has.
const MAX_LANES: usize = 16;
/// Bits of a row index in the FIFOs.
pub const FIFO_BITS: usize = 4;
/// Rows of the row FIFO, words of a lane FIFO (one LUT RAM deep).
pub const FIFO_ROWS: usize = 1 << FIFO_BITS;
/// Bits of the row FIFO's count (`0 ..= FIFO_ROWS`).
const COUNT_BITS: usize = FIFO_BITS + 1;
/// Rows that may be on their way when `res_ready` is decided: the rows
/// pushed on the next five edges, and the row `res_ready` admits.
const IN_FLIGHT: usize = 6;
/// Rows the row FIFO may hold: a lane FIFO is written two edges before its
/// row is pushed, so it may hold two words more.
const ROOM: usize = FIFO_ROWS - 2;
/// Width of a shortfall.
const SUM: usize = Shortfall::BITS;
/// Width of a shortfall in a record (four words).
const SHORTFALL_FIELD: usize = 128;
/// 32-bit words of a record: the output register's groups, each with its
/// own enable (eight: the record is assembled from them word by word).
const WORDS: usize = RECORD_BITS / 32;
/// Records the skid register holds.
const SKID: usize = 2;

/// A row's tag: its tick, and for a completion row the completion's fields.
#[derive(Copy, Clone, Debug, Default, PartialEq, LogicStruct)]
pub struct RowTag {
    pub completion: bool,
    /// The row has at most one lane: its first pick is its last.
    pub single: bool,
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
    /// Each lane's port, beside the lane.
    cap_valid: [DFF<bool>; L],
    cap_slot: [DFF<Word>; L],
    cap_shortfall: [DFF<Bits<SUM>>; L],
    /// `res_ready` of the captured row, at the centre.
    ready_capture: DFF<bool>,
    /// The capture a cycle later, midway to the centre (pinned there).
    relay_valid: [Relay<bool>; L],
    relay_slot: [Relay<Word>; L],
    relay_shortfall: [Relay<Bits<SUM>>; L],
    /// `res_ready` of the relayed row, at the centre.
    ready_relayed: DFF<bool>,
    /// Each lane's FIFO of its transferred results, and its pointers.
    slot_mem: [LutRam<Word, FIFO_BITS>; L],
    shortfall_mem: [LutRam<Bits<SUM>, FIFO_BITS>; L],
    lane_wr: [DFF<Bits<FIFO_BITS>>; L],
    lane_rd: [DFF<Bits<FIFO_BITS>>; L],
    /// Each lane's FIFO write: its relay's valid bit and `res_ready`
    /// copy, as a register of its own beside the FIFO (the same next
    /// state), so the FIFO's write enables hang on a flip-flop.
    lane_write: [Relay<bool>; L],
    /// Each lane's FIFO head, read at `lane_rd` and registered on every
    /// edge beside the FIFO, so the pick gathers registers rather than LUT
    /// RAM reads. A pick reads it a cycle after it is sampled: the same
    /// lane is never picked on two edges in a row (a row has each lane
    /// once, and a new head row is loaded on an edge with no pick), and a
    /// word is written three edges before its earliest pick.
    lane_head_slot: [DFF<Word>; L],
    lane_head_shortfall: [DFF<Bits<SUM>>; L],
    /// The relayed row's transferred lanes, at the centre.
    row_mask: DFF<LaneMask>,
    /// A stage later, beside the row FIFO: the lowest lane of `row_mask`
    /// (one-hot), the lanes after it, and whether it is the only one. The
    /// push takes the lowest of `push_after` as the row's second lane and
    /// the rest, so loading the head takes all of them as they are.
    push_onehot: DFF<LaneMask>,
    push_after: DFF<LaneMask>,
    push_single: DFF<bool>,
    /// The row FIFO: each row's lowest lane, its second (one-hot, or none),
    /// the lanes after those two, and its tag.
    onehot_mem: LutRam<LaneMask, FIFO_BITS>,
    second_mem: LutRam<LaneMask, FIFO_BITS>,
    rest_mem: LutRam<LaneMask, FIFO_BITS>,
    tag_mem: LutRam<RowTag, FIFO_BITS>,
    wr_ptr: DFF<Bits<FIFO_BITS>>,
    rd_ptr: DFF<Bits<FIFO_BITS>>,
    count: DFF<Bits<COUNT_BITS>>,
    /// The head row: loaded; its lanes not yet picked as the lowest
    /// (one-hot), the one after it (one-hot, or none), and the rest; whether
    /// the lowest is its last (no second); whether it is a completion. A
    /// pick moves the second into the lowest and the rest's lowest into the
    /// second, so each takes a register or one lowest-lane carry.
    head_loaded: DFF<bool>,
    head_onehot: DFF<LaneMask>,
    head_second: DFF<LaneMask>,
    head_rest: DFF<LaneMask>,
    head_last: DFF<bool>,
    head_completion: DFF<bool>,
    /// Rows in the row FIFO (`count` is nonzero), as a register of its own.
    rows_waiting: DFF<bool>,
    /// `row_mask` had a lane: the `push_*` row is pushed as a result row.
    row_any: DFF<bool>,
    /// The row FIFO holds `ROOM` rows (`count` ≥ `ROOM`), as a register of
    /// its own.
    full: DFF<bool>,
    /// The pick stage: the picked lane's word, the row's `seq` and tag
    /// fields, the liquidation records picked before this one since the
    /// last completion; `pick_last` (a completion) selects which fields
    /// the record carries.
    pick_valid: DFF<bool>,
    pick_last: DFF<bool>,
    pick_slot: DFF<Word>,
    pick_shortfall: DFF<Bits<SUM>>,
    pick_seq: DFF<Word>,
    pick_cycles: DFF<Word>,
    pick_count: DFF<Word>,
    pick_stalls: DFF<Word>,
    /// The pick decision of this cycle, registered: the edge before forms
    /// it from the next state of the head and the pick stage and from the
    /// skid register's room (registered flags, no `tready`), so the head's
    /// update and the pick stage's enables start at a register.
    /// `pick_fields` is its twin for the pick stage's fields (the same next
    /// state, kept apart so that each drives one group of loads).
    pick_now: Relay<bool>,
    pick_fields: Relay<bool>,
    /// The output register, a word of the record per group: its valid flag
    /// (for the ports and the events) and a twin per word that forms the
    /// word's enable with `tready` in a LUT of its own beside the word.
    out_valid: DFF<bool>,
    out_valid_word: [Relay<bool>; WORDS],
    out_last: DFF<bool>,
    out_word: [DFF<Bits<32>>; WORDS],
    /// The skid register: two records the output register could not take,
    /// a ring of two slots with a flag each, read and write pointers.
    skid_held: [DFF<bool>; SKID],
    skid_last: [DFF<bool>; SKID],
    skid_data: [DFF<Record>; SKID],
    skid_rd: DFF<bool>,
    skid_wr: DFF<bool>,
    /// A slot is held, at the output register; and per word, twins of it
    /// and of the read pointer (the word's data select).
    skid_any: DFF<bool>,
    from_skid_word: [Relay<bool>; WORDS],
    skid_rd_word: [Relay<bool>; WORDS],
    /// Twins beside the pick stage: a slot is held, both are. The same
    /// next states, kept apart from the output register's.
    skid_any_at_pick: Relay<bool>,
    skid_full_at_pick: Relay<bool>,
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
    out_free_word: [Signal<Local, bool>; WORDS],
    skid_word: [Signal<Local, Bits<32>>; WORDS],
    tdata: Signal<Local, Record>,
    hand_over: Signal<Local, bool>,
    drain: Signal<Local, bool>,
    to_skid: Signal<Local, bool>,
    room: Signal<Local, bool>,
    row_onehot: Signal<Local, LaneMask>,
    row_after: Signal<Local, LaneMask>,
    push_second: Signal<Local, LaneMask>,
    rest_lowest: Signal<Local, LaneMask>,
    head_rows: Signal<Local, LaneMask>,
    part_slot: [Signal<Local, Word>; L],
    part_shortfall: [Signal<Local, Bits<SUM>>; L],
    acc_slot: [Signal<Local, Word>; L],
    acc_shortfall: [Signal<Local, Bits<SUM>>; L],
    shortfall_field: Signal<Local, Bits<SHORTFALL_FIELD>>,
    /// A record's kind and fields, without its `seq`: a liquidation's, a
    /// completion's, and the one the pick stage holds.
    liquidation_fields: Signal<Local, Record>,
    completion_fields: Signal<Local, Record>,
    fields: Signal<Local, Record>,
    record: Signal<Local, Record>,

    one_lane: Constant<LaneMask>,
    /// The scanner's lanes (bits `0..L`): LUT RAM reads masked with it, so
    /// synthesis knows the bits from `L` up are 0.
    all_lanes: Constant<LaneMask>,
    count_one: Constant<Bits<COUNT_BITS>>,
    lane_index: [Constant<Word>; L],
    sign_bit: Constant<Word>,
    sign_extension: Constant<Bits<SHORTFALL_FIELD>>,
    kind_liquidation: Constant<Record>,
    kind_completion: Constant<Record>,
    at_word: [Constant<Word>; WORDS],
    at_seq: Constant<Word>,
    at_slot: Constant<Word>,
    at_shortfall: Constant<Word>,
    at_cycles: Constant<Word>,
    at_count: Constant<Word>,
    at_stalls: Constant<Word>,
    room_less_one: Constant<Bits<COUNT_BITS>>,
    ready_limit: Constant<Bits<COUNT_BITS>>,
}

impl<const L: usize> Default for ResultStream<L> {
    fn default() -> Self {
        const {
            assert!(L <= MAX_LANES);
            assert!(SUM < SHORTFALL_FIELD && SHORTFALL_FIELD <= 32 * 4);
            assert!(IN_FLIGHT < ROOM);
            assert!(RECORD_BITS == WORDS * 32 && WORDS == 8);
        }
        let bit_at = |word: u32| Constant::new(Word::from(u64::from(word) * 32));
        let kind = |kind: u32| {
            Constant::new(Record::from(u64::from(kind)) << (u64::from(record::KIND) * 32))
        };
        let count = |x: usize| Constant::new(Bits::<COUNT_BITS>::from(x as u64));
        let sign_extension = !bit_cast::<SHORTFALL_FIELD, SUM>(Bits::<SUM>::mask());
        fn defaults<T: Default, const N: usize>() -> [T; N] {
            std::array::from_fn(|_| T::default())
        }
        Self {
            clock: Default::default(),
            res_valid: defaults(),
            res_slot: defaults(),
            res_shortfall: defaults(),
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
            cap_valid: defaults(),
            cap_slot: defaults(),
            cap_shortfall: defaults(),
            ready_capture: Default::default(),
            relay_valid: defaults(),
            relay_slot: defaults(),
            relay_shortfall: defaults(),
            ready_relayed: Default::default(),
            slot_mem: defaults(),
            shortfall_mem: defaults(),
            lane_wr: defaults(),
            lane_rd: defaults(),
            lane_write: defaults(),
            lane_head_slot: defaults(),
            lane_head_shortfall: defaults(),
            row_mask: Default::default(),
            push_onehot: Default::default(),
            push_after: Default::default(),
            push_single: Default::default(),
            onehot_mem: Default::default(),
            second_mem: Default::default(),
            rest_mem: Default::default(),
            tag_mem: Default::default(),
            wr_ptr: Default::default(),
            rd_ptr: Default::default(),
            count: Default::default(),
            head_loaded: Default::default(),
            head_onehot: Default::default(),
            head_second: Default::default(),
            head_rest: Default::default(),
            head_last: Default::default(),
            head_completion: Default::default(),
            rows_waiting: Default::default(),
            row_any: Default::default(),
            full: Default::default(),
            pick_valid: Default::default(),
            pick_last: Default::default(),
            pick_slot: Default::default(),
            pick_shortfall: Default::default(),
            pick_seq: Default::default(),
            pick_cycles: Default::default(),
            pick_count: Default::default(),
            pick_stalls: Default::default(),
            pick_now: Default::default(),
            pick_fields: Default::default(),
            out_valid: Default::default(),
            out_valid_word: defaults(),
            out_last: Default::default(),
            out_word: defaults(),
            skid_held: defaults(),
            skid_last: defaults(),
            skid_data: defaults(),
            skid_rd: Default::default(),
            skid_wr: Default::default(),
            skid_any: Default::default(),
            from_skid_word: defaults(),
            skid_rd_word: defaults(),
            skid_any_at_pick: Default::default(),
            skid_full_at_pick: Default::default(),
            picked: Default::default(),
            sent_r: Default::default(),
            tick_done_r: Default::default(),
            done_seq_r: Default::default(),
            lane_bit: defaults(),
            mask_acc: defaults(),
            push_row: Default::default(),
            push_completion: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            pick: Default::default(),
            out_free: Default::default(),
            out_free_word: defaults(),
            skid_word: defaults(),
            tdata: Default::default(),
            hand_over: Default::default(),
            drain: Default::default(),
            to_skid: Default::default(),
            room: Default::default(),
            row_onehot: Default::default(),
            row_after: Default::default(),
            push_second: Default::default(),
            rest_lowest: Default::default(),
            head_rows: Default::default(),
            part_slot: defaults(),
            part_shortfall: defaults(),
            acc_slot: defaults(),
            acc_shortfall: defaults(),
            shortfall_field: Default::default(),
            liquidation_fields: Default::default(),
            completion_fields: Default::default(),
            fields: Default::default(),
            record: Default::default(),
            one_lane: Constant::new(LaneMask::from(1u64)),
            all_lanes: Constant::new(LaneMask::from((1u64 << L) - 1)),
            count_one: count(1),
            lane_index: std::array::from_fn(|i| Constant::new(Word::from(i as u64))),
            sign_bit: Constant::new(Word::from(SUM as u64 - 1)),
            sign_extension: Constant::new(sign_extension),
            kind_liquidation: kind(record::LIQUIDATION),
            kind_completion: kind(record::COMPLETION),
            at_word: std::array::from_fn(|k| bit_at(k as u32)),
            at_seq: bit_at(record::SEQ),
            at_slot: bit_at(record::SLOT),
            at_shortfall: bit_at(record::SHORTFALL),
            at_cycles: bit_at(record::CYCLES),
            at_count: bit_at(record::COUNT),
            at_stalls: bit_at(record::STALLS),
            room_less_one: count(ROOM - 1),
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
            ready_capture,
            ready_relayed,
            row_mask,
            push_onehot,
            push_after,
            push_single,
            wr_ptr,
            rd_ptr,
            count,
            head_loaded,
            head_onehot,
            head_second,
            head_rest,
            head_last,
            head_completion,
            rows_waiting,
            row_any,
            full,
            pick_valid,
            pick_last,
            pick_slot,
            pick_shortfall,
            pick_seq,
            pick_cycles,
            pick_count,
            pick_stalls,
            out_valid,
            out_last,
            skid_rd,
            skid_wr,
            skid_any,
            picked,
            sent_r,
            tick_done_r,
            done_seq_r
        );
        clock!(
            self,
            clock,
            onehot_mem,
            second_mem,
            rest_mem,
            tag_mem,
            skid_any_at_pick,
            skid_full_at_pick,
            pick_now,
            pick_fields
        );

        // Capture beside each lane, relay midway; `res_ready` alongside.
        self.ready_capture.d.next = self.ready_r.q.val();
        self.ready_relayed.d.next = self.ready_capture.q.val();
        for i in 0..L {
            self.cap_valid[i].clock.next = self.clock.val();
            self.cap_slot[i].clock.next = self.clock.val();
            self.cap_shortfall[i].clock.next = self.clock.val();
            self.relay_valid[i].clock.next = self.clock.val();
            self.relay_slot[i].clock.next = self.clock.val();
            self.relay_shortfall[i].clock.next = self.clock.val();
            self.slot_mem[i].clock.next = self.clock.val();
            self.shortfall_mem[i].clock.next = self.clock.val();
            self.lane_wr[i].clock.next = self.clock.val();
            self.lane_rd[i].clock.next = self.clock.val();
            self.lane_wr[i].d.next = self.lane_wr[i].q.val();
            self.lane_rd[i].d.next = self.lane_rd[i].q.val();
            self.lane_head_slot[i].clock.next = self.clock.val();
            self.lane_head_shortfall[i].clock.next = self.clock.val();
            self.lane_head_slot[i].d.next = self.slot_mem[i].read_data.val();
            self.lane_head_shortfall[i].d.next = self.shortfall_mem[i].read_data.val();
            self.cap_valid[i].d.next = self.res_valid[i].val();
            self.cap_slot[i].d.next = self.res_slot[i].val();
            self.cap_shortfall[i].d.next = unsigned_cast(self.res_shortfall[i].val());
            self.relay_valid[i].d.next = self.cap_valid[i].q.val();
            self.relay_slot[i].d.next = self.cap_slot[i].q.val();
            self.relay_shortfall[i].d.next = self.cap_shortfall[i].q.val();
            self.lane_write[i].clock.next = self.clock.val();
            self.lane_write[i].d.next = self.cap_valid[i].q.val() & self.ready_capture.q.val();

            // The lane's FIFO: its transferred results, on its own valid bit.
            self.slot_mem[i].write_address.next = self.lane_wr[i].q.val();
            self.slot_mem[i].write_data.next = self.relay_slot[i].q.val();
            self.slot_mem[i].read_address.next = self.lane_rd[i].q.val();
            self.shortfall_mem[i].write_address.next = self.lane_wr[i].q.val();
            self.shortfall_mem[i].write_data.next = self.relay_shortfall[i].q.val();
            self.shortfall_mem[i].read_address.next = self.lane_rd[i].q.val();
            self.slot_mem[i].write_enable.next = self.lane_write[i].q.val();
            self.shortfall_mem[i].write_enable.next = self.lane_write[i].q.val();
            if self.lane_write[i].q.val() {
                self.lane_wr[i].d.next = self.lane_wr[i].q.val() + 1;
            }

            // The row's mask, at the centre.
            self.lane_bit[i].next = 0.into();
            if self.relay_valid[i].q.val() {
                self.lane_bit[i].next = self.one_lane.val() << self.lane_index[i].val();
            }
        }
        self.mask_acc[0].next = self.lane_bit[0].val();
        for i in 1..L {
            self.mask_acc[i].next = self.mask_acc[i - 1].val() | self.lane_bit[i].val();
        }
        self.row_mask.d.next = 0.into();
        if self.ready_relayed.q.val() {
            for i in (L - 1)..L {
                self.row_mask.d.next = self.mask_acc[i].val();
            }
        }
        // Whether the row has a lane, from its registered mask: a stage
        // later, so that no lane's relay reaches across the chip into logic.
        self.row_any.d.next = self.row_mask.q.val().any();
        self.row_onehot.next =
            self.row_mask.q.val() & ((!self.row_mask.q.val()) + self.one_lane.val());
        self.row_after.next = self.row_mask.q.val() & !self.row_onehot.val();
        self.push_onehot.d.next = self.row_onehot.val();
        self.push_after.d.next = self.row_after.val();
        self.push_single.d.next = !self.row_after.val().any();
        // The row's second lane, the lowest of those after its first.
        self.push_second.next =
            self.push_after.q.val() & ((!self.push_after.q.val()) + self.one_lane.val());

        // Push: a result row, else an owed completion while there is room.
        self.push_row.next = self.row_any.q.val();
        self.push_completion.next =
            self.completion.val() & !self.push_row.val() & !self.full.q.val();
        self.push.next = self.push_row.val() | self.push_completion.val();
        self.completion_taken.next = self.push_completion.val();
        self.onehot_mem.write_address.next = self.wr_ptr.q.val();
        self.onehot_mem.write_enable.next = self.push.val();
        self.onehot_mem.write_data.next = self.push_onehot.q.val();
        self.onehot_mem.read_address.next = self.rd_ptr.q.val();
        self.second_mem.write_address.next = self.wr_ptr.q.val();
        self.second_mem.write_enable.next = self.push.val();
        self.second_mem.write_data.next = self.push_second.val();
        self.second_mem.read_address.next = self.rd_ptr.q.val();
        self.rest_mem.write_address.next = self.wr_ptr.q.val();
        self.rest_mem.write_enable.next = self.push.val();
        self.rest_mem.write_data.next = self.push_after.q.val() & !self.push_second.val();
        self.rest_mem.read_address.next = self.rd_ptr.q.val();
        self.tag_mem.write_address.next = self.wr_ptr.q.val();
        self.tag_mem.write_enable.next = self.push.val();
        self.tag_mem.write_data.next.completion = self.push_completion.val();
        self.tag_mem.write_data.next.single = self.push_single.q.val();
        self.tag_mem.write_data.next.seq = self.seq.val();
        self.tag_mem.write_data.next.cycles = self.completion_cycles.val();
        self.tag_mem.write_data.next.stalls = self.completion_stalls.val();
        self.tag_mem.read_address.next = self.rd_ptr.q.val();
        if self.push.val() {
            self.wr_ptr.d.next = self.wr_ptr.q.val() + 1;
        }
        self.ready_r.d.next = self.count.q.val() <= self.ready_limit.val();

        // The lowest lane of the head row's rest, as a one-hot: the second
        // after the next pick (a row's first two come with it from the
        // FIFO). Only the scanner's lanes: the bits from `L` up are 0.
        self.head_rows.next = self.head_rest.q.val() & self.all_lanes.val();
        self.rest_lowest.next =
            self.head_rows.val() & ((!self.head_rows.val()) + self.one_lane.val());

        // The one-hot lane's FIFO head (registered beside its FIFO).
        for i in 0..L {
            self.part_slot[i].next = 0.into();
            self.part_shortfall[i].next = 0.into();
            if self.head_onehot.q.val().get_bit(i) {
                self.part_slot[i].next = self.lane_head_slot[i].q.val();
                self.part_shortfall[i].next = self.lane_head_shortfall[i].q.val();
            }
        }
        self.acc_slot[0].next = self.part_slot[0].val();
        self.acc_shortfall[0].next = self.part_shortfall[0].val();
        for i in 1..L {
            self.acc_slot[i].next = self.acc_slot[i - 1].val() | self.part_slot[i].val();
            self.acc_shortfall[i].next =
                self.acc_shortfall[i - 1].val() | self.part_shortfall[i].val();
        }

        // The record behind the pick stage: a liquidation's fields or a
        // completion's, by the registered kind, with the kind and `seq`.
        self.shortfall_field.next = bit_cast::<SHORTFALL_FIELD, SUM>(self.pick_shortfall.q.val());
        if self
            .pick_shortfall
            .q
            .val()
            .get_bit(self.sign_bit.val().index())
        {
            self.shortfall_field.next =
                bit_cast::<SHORTFALL_FIELD, SUM>(self.pick_shortfall.q.val())
                    | self.sign_extension.val();
        }
        self.liquidation_fields.next = self.kind_liquidation.val()
            | (bit_cast::<RECORD_BITS, 32>(self.pick_slot.q.val()) << self.at_slot.val())
            | (bit_cast::<RECORD_BITS, SHORTFALL_FIELD>(self.shortfall_field.val())
                << self.at_shortfall.val());
        self.completion_fields.next = self.kind_completion.val()
            | (bit_cast::<RECORD_BITS, 32>(self.pick_cycles.q.val()) << self.at_cycles.val())
            | (bit_cast::<RECORD_BITS, 32>(self.pick_count.q.val()) << self.at_count.val())
            | (bit_cast::<RECORD_BITS, 32>(self.pick_stalls.q.val()) << self.at_stalls.val());
        self.fields.next = self.liquidation_fields.val();
        if self.pick_last.q.val() {
            self.fields.next = self.completion_fields.val();
        }
        self.record.next = self.fields.val()
            | (bit_cast::<RECORD_BITS, 32>(self.pick_seq.q.val()) << self.at_seq.val());

        // Output register slice. The pick stage hands its record over while
        // the skid register has a free slot (its flag beside the pick
        // stage): into the output register when that is free this cycle and
        // no slot is held, else into the skid register's write slot. A free
        // output register takes the skid register's oldest record first.
        // Each word of the output register is enabled by its own twin of
        // the valid flag and `tready`.
        self.out_free.next = !self.out_valid.q.val() | self.m_axis_tready.val();
        self.hand_over.next = self.pick_valid.q.val() & !self.skid_full_at_pick.q.val();
        self.drain.next = self.out_free.val() & self.skid_any.q.val();
        self.to_skid.next = self.hand_over.val() & !(self.out_free.val() & !self.skid_any.q.val());
        if self.out_free.val() {
            self.out_valid.d.next = self.skid_any.q.val() | self.pick_valid.q.val();
            self.out_last.d.next = self.pick_last.q.val();
            if self.skid_any.q.val() {
                self.out_last.d.next = self.skid_last[0].q.val();
                if self.skid_rd.q.val() {
                    self.out_last.d.next = self.skid_last[1].q.val();
                }
            }
        }
        for k in 0..WORDS {
            self.out_word[k].clock.next = self.clock.val();
            self.out_valid_word[k].clock.next = self.clock.val();
            self.from_skid_word[k].clock.next = self.clock.val();
            self.skid_rd_word[k].clock.next = self.clock.val();
            self.out_word[k].d.next = self.out_word[k].q.val();
            self.out_valid_word[k].d.next = self.out_valid.d.val();
            self.out_free_word[k].next = !self.out_valid_word[k].q.val() | self.m_axis_tready.val();
            self.skid_word[k].next = self.skid_data[0]
                .q
                .val()
                .get_bits::<32>(self.at_word[k].val().index());
            if self.skid_rd_word[k].q.val() {
                self.skid_word[k].next = self.skid_data[1]
                    .q
                    .val()
                    .get_bits::<32>(self.at_word[k].val().index());
            }
            if self.out_free_word[k].val() {
                self.out_word[k].d.next = self
                    .record
                    .val()
                    .get_bits::<32>(self.at_word[k].val().index());
                if self.from_skid_word[k].q.val() {
                    self.out_word[k].d.next = self.skid_word[k].val();
                }
            }
        }
        // The skid register's ring: the read slot leaves on a free output
        // register, a handed-over record that the output register does not
        // take goes to the write slot. A free slot samples the record on
        // every edge, so its enable is its own flag.
        if self.drain.val() {
            self.skid_rd.d.next = !self.skid_rd.q.val();
        }
        if self.to_skid.val() {
            self.skid_wr.d.next = !self.skid_wr.q.val();
        }
        for i in 0..SKID {
            self.skid_held[i].clock.next = self.clock.val();
            self.skid_last[i].clock.next = self.clock.val();
            self.skid_data[i].clock.next = self.clock.val();
            self.skid_held[i].d.next = self.skid_held[i].q.val();
            self.skid_last[i].d.next = self.skid_last[i].q.val();
            self.skid_data[i].d.next = self.skid_data[i].q.val();
            if !self.skid_held[i].q.val() {
                self.skid_data[i].d.next = self.record.val();
                self.skid_last[i].d.next = self.pick_last.q.val();
            }
        }
        if self.drain.val() {
            if self.skid_rd.q.val() {
                self.skid_held[1].d.next = false;
            } else {
                self.skid_held[0].d.next = false;
            }
        }
        if self.to_skid.val() {
            if self.skid_wr.q.val() {
                self.skid_held[1].d.next = true;
            } else {
                self.skid_held[0].d.next = true;
            }
        }
        self.skid_any.d.next = self.skid_held[0].d.val() | self.skid_held[1].d.val();
        self.skid_any_at_pick.d.next = self.skid_any.d.val();
        self.skid_full_at_pick.d.next = self.skid_held[0].d.val() & self.skid_held[1].d.val();
        for k in 0..WORDS {
            self.from_skid_word[k].d.next = self.skid_any.d.val();
            self.skid_rd_word[k].d.next = self.skid_rd.d.val();
        }
        // Whether a slot is free next cycle, were the output register to
        // take nothing this cycle: at most one held after this edge's
        // hand-over. `tready` is not in it.
        self.room.next = !self.skid_any_at_pick.q.val()
            | (!self.skid_full_at_pick.q.val() & !self.hand_over.val());

        // Pick stage: one record of the head row per cycle, while the stage
        // is empty or hands its record over; a picked lane's FIFO moves on.
        // The decision is `pick_now`, registered on the edge before (below).
        self.pick.next = self.pick_now.q.val();
        if self.hand_over.val() {
            self.pick_valid.d.next = false;
        }
        self.pop.next = false;
        if !self.head_loaded.q.val() & self.rows_waiting.q.val() {
            self.head_loaded.d.next = true;
            self.head_onehot.d.next = self.onehot_mem.read_data.val() & self.all_lanes.val();
            self.head_second.d.next = self.second_mem.read_data.val() & self.all_lanes.val();
            self.head_rest.d.next = self.rest_mem.read_data.val() & self.all_lanes.val();
            self.head_last.d.next = self.tag_mem.read_data.val().single;
            self.head_completion.d.next = self.tag_mem.read_data.val().completion;
        }
        if self.pick_fields.q.val() {
            self.pick_seq.d.next = self.tag_mem.read_data.val().seq;
            self.pick_cycles.d.next = self.tag_mem.read_data.val().cycles;
            self.pick_stalls.d.next = self.tag_mem.read_data.val().stalls;
            self.pick_count.d.next = self.picked.q.val();
            for i in (L - 1)..L {
                self.pick_slot.d.next = self.acc_slot[i].val();
                self.pick_shortfall.d.next = self.acc_shortfall[i].val();
            }
        }
        if self.pick.val() {
            self.pick_valid.d.next = true;
            self.pick_last.d.next = self.head_completion.q.val();
            for i in 0..L {
                if self.head_onehot.q.val().get_bit(i) {
                    self.lane_rd[i].d.next = self.lane_rd[i].q.val() + 1;
                }
            }
            if self.head_completion.q.val() {
                self.picked.d.next = 0.into();
                self.pop.next = true;
            } else {
                self.picked.d.next = self.picked.q.val() + 1;
                self.head_onehot.d.next = self.head_second.q.val();
                self.head_second.d.next = self.rest_lowest.val();
                self.head_rest.d.next = self.head_rows.val() & !self.rest_lowest.val();
                self.head_last.d.next = !self.head_rows.val().any();
                self.pop.next = self.head_last.q.val();
            }
        }
        if self.pop.val() {
            self.head_loaded.d.next = false;
            self.rd_ptr.d.next = self.rd_ptr.q.val() + 1;
        }
        if self.push.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + self.count_one.val();
            self.rows_waiting.d.next = true;
            self.full.d.next = self.count.q.val() >= self.room_less_one.val();
        }
        if self.pop.val() & !self.push.val() {
            self.count.d.next = self.count.q.val() - self.count_one.val();
            self.rows_waiting.d.next = self.count.q.val() != self.count_one.val();
            self.full.d.next = false;
        }

        // The next cycle's pick: a head loaded then, and a pick stage empty
        // then or sure to hand its record over (a skid slot free then).
        self.pick_now.d.next =
            self.head_loaded.d.val() & (!self.pick_valid.d.val() | self.room.val());
        self.pick_fields.d.next = self.pick_now.d.val();

        // Events for the counters.
        self.sent_r.d.next =
            self.out_valid.q.val() & self.m_axis_tready.val() & !self.out_last.q.val();
        self.tick_done_r.d.next =
            self.out_valid.q.val() & self.m_axis_tready.val() & self.out_last.q.val();
        // The record from its words (one term a word: a loop's index
        // cannot reach into `bit_cast` in the generated Verilog).
        self.tdata.next = (bit_cast::<RECORD_BITS, 32>(self.out_word[0].q.val())
            << self.at_word[0].val())
            | (bit_cast::<RECORD_BITS, 32>(self.out_word[1].q.val()) << self.at_word[1].val())
            | (bit_cast::<RECORD_BITS, 32>(self.out_word[2].q.val()) << self.at_word[2].val())
            | (bit_cast::<RECORD_BITS, 32>(self.out_word[3].q.val()) << self.at_word[3].val())
            | (bit_cast::<RECORD_BITS, 32>(self.out_word[4].q.val()) << self.at_word[4].val())
            | (bit_cast::<RECORD_BITS, 32>(self.out_word[5].q.val()) << self.at_word[5].val())
            | (bit_cast::<RECORD_BITS, 32>(self.out_word[6].q.val()) << self.at_word[6].val())
            | (bit_cast::<RECORD_BITS, 32>(self.out_word[7].q.val()) << self.at_word[7].val());
        self.done_seq_r.d.next = self.tdata.val().get_bits::<32>(self.at_seq.val().index());

        self.res_ready.next = self.ready_r.q.val();
        self.m_axis_tdata.next = self.tdata.val();
        self.m_axis_tvalid.next = self.out_valid.q.val();
        self.m_axis_tlast.next = self.out_last.q.val();
        self.result_sent.next = self.sent_r.q.val();
        self.tick_done.next = self.tick_done_r.q.val();
        self.done_seq.next = self.done_seq_r.q.val();
    }
}

#[cfg(test)]
mod tests;
