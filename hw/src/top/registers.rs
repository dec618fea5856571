//! The register file: the map's RW registers, `ERRORS`, the counters, the
//! doorbell and producer checks, and the command ring's write port.
//!
//! Writes arrive as one-cycle requests from the AXI4-Lite slave and act over
//! two cycles: the first decodes the address into a register per target,
//! registers the data and does the one compare or subtraction a target
//! needs (the doorbell's new-value test, the producer's advance); the second
//! updates the target from those registers. So no address decode reaches a
//! register's enable in the cycle it is decoded, and no path holds more than
//! one carry chain. The slave answers B from the first cycle (an address
//! outside the map is its only error) and takes two cycles or more between
//! writes, so a write has acted before the host learns it is done and before
//! the next one is decoded.
//!
//! A write to a read-only register is ignored; to `CMD_ENTRY` words it goes
//! to the command memory; to `TICK_SEQ` with a new value it rings the
//! doorbell (`TICK_SEQ_GAP` if the value is not the old one plus 1). A write
//! to `CMD_PRODUCER` is taken only if it moves the producer forward by at
//! most the ring's free room (`CMD_CONSUMER + CMD_ENTRIES − CMD_PRODUCER`);
//! any other value is refused and sets `CMD_OVERRUN`, so the producer never
//! overtakes entries the consumer has not applied. The room is registered a
//! cycle after the consumer or the producer moves: a second producer write
//! comes at least three cycles after the first, and a consumer that moved
//! since only makes the room larger.
//!
//! `ring_empty` tells the tick sequencer that every committed command is
//! applied, from a register: the producer and consumer compared on their
//! low [`RING_INDEX_BITS`] bits (their difference never exceeds
//! `CMD_ENTRIES`), and low in the cycle after a `CMD_PRODUCER` write's
//! second step, so it is never high in a cycle in which the ring holds a
//! command: on the edge the producer moves the compare still sees the old
//! producer, and the write's step clears it. It rises one cycle after the
//! ring has emptied, which delays a tick waiting for commands by that cycle
//! and nothing else.
//!
//! Reads take three edges in [`ReadSelect`]: the address decoded into a
//! register, then each group of four readable registers' word at the
//! decoded place, then the decoded group's word.
//!
//! Every input from the other blocks is a register; every output is a
//! register but `write_error` (the decode of the slave's registered address,
//! which the slave registers into B). `CONTROL`'s `at_equal` leaves through a
//! register of its own, with no logic before it, which `scripts/floorplan.py`
//! pins at the chip's centre where the lanes' relays of it start.

use liqscan_core::spec::registers::{self as map, control, errors, reg, status};
use liqscan_core::spec::PIPELINE_DEPTH;
use rust_hdl::prelude::*;

use crate::fanout::Relay;

use super::read_select::ReadSelect;
use super::{CmdAddr, Word, WordAddr, CMD_ADDR_BITS, RING_INDEX_BITS};

const _: () = assert!(map::CMD_BASE % (4 << CMD_ADDR_BITS) == 0);

/// The register file of a build with the given capacities.
#[derive(LogicBlock)]
pub struct RegisterFile {
    pub clock: Signal<In, Clock>,
    /// The slave's requests ([`super::axil::AxiLiteSlave`]).
    pub write: Signal<In, bool>,
    pub write_addr: Signal<In, WordAddr>,
    pub write_data: Signal<In, Word>,
    pub write_error: Signal<Out, bool>,
    pub read: Signal<In, bool>,
    pub read_addr: Signal<In, WordAddr>,
    pub read_data: Signal<Out, Word>,
    pub read_error: Signal<Out, bool>,
    /// State shown in `STATUS` and `CMD_CONSUMER`: `busy` is the
    /// sequencer's open tick (from its start until its completion record
    /// has left on the stream), not the scanner's `busy`.
    pub busy: Signal<In, bool>,
    pub tick_pending: Signal<In, bool>,
    pub consumer: Signal<In, Word>,
    /// Error events, one cycle each.
    pub tick_overrun: Signal<In, bool>,
    pub bad_opcode: Signal<In, bool>,
    pub out_of_range: Signal<In, bool>,
    /// Counter events, one cycle each.
    pub scan_done: Signal<In, bool>,
    pub scan_cycles: Signal<In, Word>,
    pub tick_done: Signal<In, bool>,
    pub done_seq: Signal<In, Word>,
    pub result_sent: Signal<In, bool>,
    pub stall: Signal<In, bool>,
    /// `CONTROL.AT_EQUAL`.
    pub at_equal: Signal<Out, bool>,
    /// `CMD_PRODUCER`'s low bits, which tell it from `CMD_CONSUMER`.
    pub producer_index: Signal<Out, Bits<RING_INDEX_BITS>>,
    /// Every committed command is applied (a register; see the module
    /// documentation).
    pub ring_empty: Signal<Out, bool>,
    /// The doorbell registers; `doorbell` is high for one cycle after a
    /// write of a new `TICK_SEQ`, with the new value on `tick_seq`.
    pub tick_symbol: Signal<Out, Word>,
    pub tick_price: Signal<Out, Word>,
    pub tick_seq: Signal<Out, Word>,
    pub doorbell: Signal<Out, bool>,
    /// The command memory's write port (word within the ring).
    pub cmd_write: Signal<Out, bool>,
    pub cmd_write_addr: Signal<Out, CmdAddr>,
    pub cmd_write_data: Signal<Out, Word>,

    select: ReadSelect,
    at_equal_r: DFF<bool>,
    scratch: DFF<Word>,
    errors_r: DFF<Word>,
    producer_r: DFF<Word>,
    room: DFF<Word>,
    ring_empty_r: DFF<bool>,
    tick_symbol_r: DFF<Word>,
    tick_price_r: DFF<Word>,
    tick_seq_r: DFF<Word>,
    doorbell_r: DFF<bool>,
    /// `read` one, two and three edges before: `select`'s word is there
    /// after three.
    read_1: DFF<bool>,
    read_2: DFF<bool>,
    read_3: DFF<bool>,
    /// The first step of a write: which target it is for, its data, and
    /// what the second step needs computed.
    w_control: DFF<bool>,
    w_clear: DFF<bool>,
    w_scratch: DFF<bool>,
    w_producer: DFF<bool>,
    w_symbol: DFF<bool>,
    w_price: DFF<bool>,
    w_cmd: DFF<bool>,
    w_cmd_addr: DFF<CmdAddr>,
    w_data: DFF<Word>,
    /// The new producer's advance over the old.
    w_advance: DFF<Word>,
    /// A write of a new `TICK_SEQ`, and whether it is not the old one plus 1.
    w_ring: DFF<bool>,
    w_gap: DFF<bool>,
    /// `TICK_SEQ + 1`, a cycle behind `TICK_SEQ` (writes are further apart).
    seq_next: DFF<Word>,
    at_equal_out: Relay<bool>,
    cycles_lo: DFF<Word>,
    cycles_hi: DFF<Word>,
    /// `cycles_lo` wraps on the next edge.
    lo_wraps: DFF<bool>,
    last_scan_cycles: DFF<Word>,
    ticks: DFF<Word>,
    results: DFF<Word>,
    stall_cycles: DFF<Word>,
    tick_done_seq: DFF<Word>,

    to_control: Signal<Local, bool>,
    to_clear: Signal<Local, bool>,
    to_scratch: Signal<Local, bool>,
    to_producer: Signal<Local, bool>,
    to_symbol: Signal<Local, bool>,
    to_price: Signal<Local, bool>,
    to_seq: Signal<Local, bool>,
    /// `CMD_PRODUCER = CMD_CONSUMER`, on the low bits.
    ring_level: Signal<Local, bool>,
    take_producer: Signal<Local, bool>,
    clear: Signal<Local, Word>,
    ev_tick_overrun: Signal<Local, Word>,
    ev_seq_gap: Signal<Local, Word>,
    ev_cmd_overrun: Signal<Local, Word>,
    ev_bad_opcode: Signal<Local, Word>,
    ev_out_of_range: Signal<Local, Word>,
    ev_bad_address: Signal<Local, Word>,
    st_busy: Signal<Local, Word>,
    st_tick: Signal<Local, Word>,
    st_cmd: Signal<Local, Word>,
    control_word: Signal<Local, Word>,

    a_control: Constant<WordAddr>,
    a_errors_clear: Constant<WordAddr>,
    a_scratch: Constant<WordAddr>,
    a_producer: Constant<WordAddr>,
    a_tick_symbol: Constant<WordAddr>,
    a_tick_price: Constant<WordAddr>,
    a_tick_seq: Constant<WordAddr>,
    a_cmd_base: Constant<WordAddr>,
    k_magic: Constant<Word>,
    k_version: Constant<Word>,
    k_spec_hash: Constant<Word>,
    k_lanes: Constant<Word>,
    k_slots: Constant<Word>,
    k_symbols: Constant<Word>,
    k_depth: Constant<Word>,
    k_entries: Constant<Word>,
    k_lo_before_wrap: Constant<Word>,
    m_at_equal: Constant<Word>,
    m_busy: Constant<Word>,
    m_tick_pending: Constant<Word>,
    m_cmd_pending: Constant<Word>,
    m_tick_overrun: Constant<Word>,
    m_seq_gap: Constant<Word>,
    m_cmd_overrun: Constant<Word>,
    m_bad_opcode: Constant<Word>,
    m_out_of_range: Constant<Word>,
    m_bad_address: Constant<Word>,
    m_all_errors: Constant<Word>,
}

impl RegisterFile {
    /// The identification registers read `lanes`, `slots` and `symbols`
    /// and the constants of `spec::registers`.
    pub fn new(lanes: usize, slots: usize, symbols: usize) -> Self {
        let word = |x: u64| Constant::new(Word::from(x));
        let at = |offset: u32| Constant::new(WordAddr::from(u64::from(offset / 4)));
        Self {
            clock: Default::default(),
            write: Default::default(),
            write_addr: Default::default(),
            write_data: Default::default(),
            write_error: Default::default(),
            read: Default::default(),
            read_addr: Default::default(),
            read_data: Default::default(),
            read_error: Default::default(),
            busy: Default::default(),
            tick_pending: Default::default(),
            consumer: Default::default(),
            tick_overrun: Default::default(),
            bad_opcode: Default::default(),
            out_of_range: Default::default(),
            scan_done: Default::default(),
            scan_cycles: Default::default(),
            tick_done: Default::default(),
            done_seq: Default::default(),
            result_sent: Default::default(),
            stall: Default::default(),
            at_equal: Default::default(),
            producer_index: Default::default(),
            ring_empty: Default::default(),
            tick_symbol: Default::default(),
            tick_price: Default::default(),
            tick_seq: Default::default(),
            doorbell: Default::default(),
            cmd_write: Default::default(),
            cmd_write_addr: Default::default(),
            cmd_write_data: Default::default(),
            select: Default::default(),
            at_equal_r: Default::default(),
            scratch: Default::default(),
            errors_r: Default::default(),
            producer_r: Default::default(),
            room: Default::default(),
            ring_empty_r: Default::default(),
            tick_symbol_r: Default::default(),
            tick_price_r: Default::default(),
            tick_seq_r: Default::default(),
            doorbell_r: Default::default(),
            read_1: Default::default(),
            read_2: Default::default(),
            read_3: Default::default(),
            w_control: Default::default(),
            w_clear: Default::default(),
            w_scratch: Default::default(),
            w_producer: Default::default(),
            w_symbol: Default::default(),
            w_price: Default::default(),
            w_cmd: Default::default(),
            w_cmd_addr: Default::default(),
            w_data: Default::default(),
            w_advance: Default::default(),
            w_ring: Default::default(),
            w_gap: Default::default(),
            seq_next: Default::default(),
            at_equal_out: Default::default(),
            cycles_lo: Default::default(),
            cycles_hi: Default::default(),
            lo_wraps: Default::default(),
            last_scan_cycles: Default::default(),
            ticks: Default::default(),
            results: Default::default(),
            stall_cycles: Default::default(),
            tick_done_seq: Default::default(),
            to_control: Default::default(),
            to_clear: Default::default(),
            to_scratch: Default::default(),
            to_producer: Default::default(),
            to_symbol: Default::default(),
            to_price: Default::default(),
            to_seq: Default::default(),
            ring_level: Default::default(),
            take_producer: Default::default(),
            clear: Default::default(),
            ev_tick_overrun: Default::default(),
            ev_seq_gap: Default::default(),
            ev_cmd_overrun: Default::default(),
            ev_bad_opcode: Default::default(),
            ev_out_of_range: Default::default(),
            ev_bad_address: Default::default(),
            st_busy: Default::default(),
            st_tick: Default::default(),
            st_cmd: Default::default(),
            control_word: Default::default(),
            a_control: at(reg::CONTROL),
            a_errors_clear: at(reg::ERRORS_CLEAR),
            a_scratch: at(reg::SCRATCH),
            a_producer: at(reg::CMD_PRODUCER),
            a_tick_symbol: at(reg::TICK_SYMBOL),
            a_tick_price: at(reg::TICK_PRICE),
            a_tick_seq: at(reg::TICK_SEQ),
            a_cmd_base: at(map::CMD_BASE),
            k_magic: word(map::MAGIC.into()),
            k_version: word(map::MAP_VERSION.into()),
            k_spec_hash: word(map::spec_hash().into()),
            k_lanes: word(lanes as u64),
            k_slots: word(slots as u64),
            k_symbols: word(symbols as u64),
            k_depth: word(PIPELINE_DEPTH),
            k_entries: word(map::CMD_ENTRIES.into()),
            k_lo_before_wrap: word(u64::from(u32::MAX - 1)),
            m_at_equal: word(control::AT_EQUAL.into()),
            m_busy: word(status::BUSY.into()),
            m_tick_pending: word(status::TICK_PENDING.into()),
            m_cmd_pending: word(status::CMD_PENDING.into()),
            m_tick_overrun: word(errors::TICK_OVERRUN.into()),
            m_seq_gap: word(errors::TICK_SEQ_GAP.into()),
            m_cmd_overrun: word(errors::CMD_OVERRUN.into()),
            m_bad_opcode: word(errors::BAD_OPCODE.into()),
            m_out_of_range: word(errors::OUT_OF_RANGE.into()),
            m_bad_address: word(errors::BAD_ADDRESS.into()),
            m_all_errors: word(errors::ALL.into()),
        }
    }
}

impl Logic for RegisterFile {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            at_equal_r,
            scratch,
            errors_r,
            producer_r,
            room,
            ring_empty_r,
            tick_symbol_r,
            tick_price_r,
            tick_seq_r,
            doorbell_r,
            read_1,
            read_2,
            read_3,
            w_control,
            w_clear,
            w_scratch,
            w_producer,
            w_symbol,
            w_price,
            w_cmd,
            w_cmd_addr,
            w_data,
            w_advance,
            w_ring,
            w_gap,
            seq_next,
            cycles_lo,
            cycles_hi,
            lo_wraps,
            last_scan_cycles,
            ticks,
            results,
            stall_cycles,
            tick_done_seq
        );
        clock!(self, clock, select, at_equal_out);

        // First step: decode, data, the one compare each target needs.
        self.select.write_addr.next = self.write_addr.val();
        self.write_error.next = !self.select.write_mapped.val();
        self.to_control.next = self.write.val() & (self.write_addr.val() == self.a_control.val());
        self.to_clear.next =
            self.write.val() & (self.write_addr.val() == self.a_errors_clear.val());
        self.to_scratch.next = self.write.val() & (self.write_addr.val() == self.a_scratch.val());
        self.to_producer.next = self.write.val() & (self.write_addr.val() == self.a_producer.val());
        self.to_symbol.next =
            self.write.val() & (self.write_addr.val() == self.a_tick_symbol.val());
        self.to_price.next = self.write.val() & (self.write_addr.val() == self.a_tick_price.val());
        self.to_seq.next = self.write.val() & (self.write_addr.val() == self.a_tick_seq.val());
        self.w_control.d.next = self.to_control.val();
        self.w_clear.d.next = self.to_clear.val();
        self.w_scratch.d.next = self.to_scratch.val();
        self.w_producer.d.next = self.to_producer.val();
        self.w_symbol.d.next = self.to_symbol.val();
        self.w_price.d.next = self.to_price.val();
        self.w_cmd.d.next = self.write.val() & (self.write_addr.val() >= self.a_cmd_base.val());
        // The ring starts on a multiple of its size: its word is the address's low bits.
        self.w_cmd_addr.d.next = self.write_addr.val().get_bits::<CMD_ADDR_BITS>(0);
        self.w_data.d.next = self.write_data.val();
        self.w_advance.d.next = self.write_data.val() - self.producer_r.q.val();
        self.w_ring.d.next = self.to_seq.val() & (self.write_data.val() != self.tick_seq_r.q.val());
        self.w_gap.d.next = self.write_data.val() != self.seq_next.q.val();
        self.seq_next.d.next = self.tick_seq_r.q.val() + 1;

        // Second step. The command memory's write port (registered again
        // beside its blocks).
        self.cmd_write.next = self.w_cmd.q.val();
        self.cmd_write_addr.next = self.w_cmd_addr.q.val();
        self.cmd_write_data.next = self.w_data.q.val();

        // RW registers.
        if self.w_control.q.val() {
            self.at_equal_r.d.next = (self.w_data.q.val() & self.m_at_equal.val()).any();
        }
        self.at_equal_out.d.next = self.at_equal_r.q.val();
        if self.w_scratch.q.val() {
            self.scratch.d.next = self.w_data.q.val();
        }
        if self.w_symbol.q.val() {
            self.tick_symbol_r.d.next = self.w_data.q.val();
        }
        if self.w_price.q.val() {
            self.tick_price_r.d.next = self.w_data.q.val();
        }

        // The producer moves forward by at most the free room.
        self.room.d.next = self.consumer.val() + self.k_entries.val() - self.producer_r.q.val();
        self.take_producer.next =
            self.w_producer.q.val() & (self.w_advance.q.val() <= self.room.q.val());
        if self.take_producer.val() {
            self.producer_r.d.next = self.w_data.q.val();
        }
        self.ring_level.next = self.producer_r.q.val().get_bits::<RING_INDEX_BITS>(0)
            == self.consumer.val().get_bits::<RING_INDEX_BITS>(0);
        self.ring_empty_r.d.next = self.ring_level.val() & !self.w_producer.q.val();

        // The doorbell: a new sequence number.
        self.doorbell_r.d.next = self.w_ring.q.val();
        if self.w_ring.q.val() {
            self.tick_seq_r.d.next = self.w_data.q.val();
        }

        // Sticky errors: cleared by 1s written to ERRORS_CLEAR, set by events
        // (an event on the clearing edge stays set).
        self.clear.next = 0.into();
        if self.w_clear.q.val() {
            self.clear.next = self.w_data.q.val();
        }
        self.ev_tick_overrun.next = 0.into();
        if self.tick_overrun.val() {
            self.ev_tick_overrun.next = self.m_tick_overrun.val();
        }
        self.ev_seq_gap.next = 0.into();
        if self.w_ring.q.val() & self.w_gap.q.val() {
            self.ev_seq_gap.next = self.m_seq_gap.val();
        }
        self.ev_cmd_overrun.next = 0.into();
        if self.w_producer.q.val() & !self.take_producer.val() {
            self.ev_cmd_overrun.next = self.m_cmd_overrun.val();
        }
        self.ev_bad_opcode.next = 0.into();
        if self.bad_opcode.val() {
            self.ev_bad_opcode.next = self.m_bad_opcode.val();
        }
        self.ev_out_of_range.next = 0.into();
        if self.out_of_range.val() {
            self.ev_out_of_range.next = self.m_out_of_range.val();
        }
        self.ev_bad_address.next = 0.into();
        if (self.write.val() & !self.select.write_mapped.val())
            | (self.read_3.q.val() & self.select.read_error.val())
        {
            self.ev_bad_address.next = self.m_bad_address.val();
        }
        self.errors_r.d.next = ((self.errors_r.q.val() & !self.clear.val())
            | self.ev_tick_overrun.val()
            | self.ev_seq_gap.val()
            | self.ev_cmd_overrun.val()
            | self.ev_bad_opcode.val()
            | self.ev_out_of_range.val()
            | self.ev_bad_address.val())
            & self.m_all_errors.val();

        // Counters.
        self.cycles_lo.d.next = self.cycles_lo.q.val() + 1;
        self.lo_wraps.d.next = self.cycles_lo.q.val() == self.k_lo_before_wrap.val();
        if self.lo_wraps.q.val() {
            self.cycles_hi.d.next = self.cycles_hi.q.val() + 1;
        }
        if self.scan_done.val() {
            self.last_scan_cycles.d.next = self.scan_cycles.val();
        }
        if self.tick_done.val() {
            self.ticks.d.next = self.ticks.q.val() + 1;
            self.tick_done_seq.d.next = self.done_seq.val();
        }
        if self.result_sent.val() {
            self.results.d.next = self.results.q.val() + 1;
        }
        if self.stall.val() {
            self.stall_cycles.d.next = self.stall_cycles.q.val() + 1;
        }

        // Reads.
        self.read_1.d.next = self.read.val();
        self.read_2.d.next = self.read_1.q.val();
        self.read_3.d.next = self.read_2.q.val();
        self.select.read.next = self.read.val();
        self.select.read_addr.next = self.read_addr.val();
        self.read_data.next = self.select.read_data.val();
        self.read_error.next = self.select.read_error.val();
        self.control_word.next = 0.into();
        if self.at_equal_r.q.val() {
            self.control_word.next = self.m_at_equal.val();
        }
        self.st_busy.next = 0.into();
        if self.busy.val() {
            self.st_busy.next = self.m_busy.val();
        }
        self.st_tick.next = 0.into();
        if self.tick_pending.val() {
            self.st_tick.next = self.m_tick_pending.val();
        }
        self.st_cmd.next = 0.into();
        if !self.ring_level.val() {
            self.st_cmd.next = self.m_cmd_pending.val();
        }
        self.select.magic.next = self.k_magic.val();
        self.select.version.next = self.k_version.val();
        self.select.spec_hash.next = self.k_spec_hash.val();
        self.select.lanes.next = self.k_lanes.val();
        self.select.slots.next = self.k_slots.val();
        self.select.symbols.next = self.k_symbols.val();
        self.select.pipeline_depth.next = self.k_depth.val();
        self.select.cmd_entries.next = self.k_entries.val();
        self.select.control.next = self.control_word.val();
        self.select.status.next = self.st_busy.val() | self.st_tick.val() | self.st_cmd.val();
        self.select.errors.next = self.errors_r.q.val();
        self.select.scratch.next = self.scratch.q.val();
        self.select.cmd_producer.next = self.producer_r.q.val();
        self.select.cmd_consumer.next = self.consumer.val();
        self.select.tick_symbol.next = self.tick_symbol_r.q.val();
        self.select.tick_price.next = self.tick_price_r.q.val();
        self.select.tick_seq.next = self.tick_seq_r.q.val();
        self.select.tick_done_seq.next = self.tick_done_seq.q.val();
        self.select.cycles_lo.next = self.cycles_lo.q.val();
        self.select.cycles_hi.next = self.cycles_hi.q.val();
        self.select.last_scan_cycles.next = self.last_scan_cycles.q.val();
        self.select.ticks.next = self.ticks.q.val();
        self.select.results.next = self.results.q.val();
        self.select.stall_cycles.next = self.stall_cycles.q.val();

        self.at_equal.next = self.at_equal_out.q.val();
        self.producer_index.next = self.producer_r.q.val().get_bits::<RING_INDEX_BITS>(0);
        self.ring_empty.next = self.ring_empty_r.q.val();
        self.tick_symbol.next = self.tick_symbol_r.q.val();
        self.tick_price.next = self.tick_price_r.q.val();
        self.tick_seq.next = self.tick_seq_r.q.val();
        self.doorbell.next = self.doorbell_r.q.val();
    }
}
