//! The tick sequencer: the doorbell's pending tick, its start on the
//! scanner, and the completion it owes the result stream.
//!
//! A doorbell latches `(TICK_SYMBOL, TICK_PRICE, TICK_SEQ)` as the pending
//! tick; a doorbell while one is pending is dropped with `TICK_OVERRUN`.
//! The pending tick starts when the command ring is idle and empty, the
//! previous tick is over (`open` low) and no doorbell arrives on that edge.
//! The tick reaches the scanner's ports two edges after its start, through
//! the start's registers and a relay of them (`scan_relay_*`, no logic
//! between) that `scripts/floorplan.py` pins at the chip's centre beside the
//! scanner's control, and is presented there for one cycle. The scanner is
//! idle then, with no tick presented: it goes busy only on the edge that
//! accepts a tick, and the previous tick's scan ended (`done`) before the
//! completion record that closed it was requested, so a tick is never
//! presented in a scan's `done` cycle or earlier. Nor can the command ring
//! present a write beside it: the start found the ring idle and empty, and
//! an entry takes more cycles to fetch and decode than the tick takes to
//! make the scanner busy.
//!
//! `start` is one LUT of four registers (the ring's emptiness is the
//! register file's registered flag, see [`super::registers`]) and drives
//! only the registers that must change on its edge: `pending`, `open`, the
//! tick's valid register and the two `started` flags. Everything else a
//! start does happens on the next edge, from those, or needs no start at
//! all:
//! * the symbol and price presented with the tick follow the pending tick's
//!   registers on every edge (the scanner reads them only on an edge it
//!   accepts a tick), and the range check is registered with the doorbell;
//! * the tick's `seq` is taken and the stall counter cleared on the
//!   `started` edge, before the scanner accepts the tick, and an
//!   out-of-range tick's completion is requested there;
//! * a doorbell on the edge a tick would start holds the start for a cycle
//!   instead of testing `start`: the doorbell is then an overrun exactly
//!   when a tick is pending, which a start one cycle later would have made
//!   it as well. Doorbells come at least three cycles apart (each is an
//!   AXI4-Lite write), so a start is never held longer than that cycle.
//!
//! A tick is open (`running`, the map's `STATUS.BUSY`) from its start until
//! the stream reports its completion record accepted (`completion_sent`,
//! the cycle after the beat): every record of the tick has then left, and
//! `TICK_DONE_SEQ` shows it. `pending` falls on the edge that raises
//! `running`, so a rung tick shows in `STATUS` without a gap until its
//! completion has left. Only one tick is open at a time, so the completion
//! sent is always this tick's. A tick whose symbol is beyond the build's
//! capacity sets `OUT_OF_RANGE` and completes at once, without a scan: its
//! completion record has 0 cycles, 0 stalls and no liquidations.
//!
//! The completion is requested two edges after the `done` pulse (with the
//! scanner's `cycles`, which hold until the next tick): the stream pushes
//! the scan's last row into its row FIFO by the first edge that could take
//! the completion, and takes a result row first on a shared edge. It stays
//! requested until the stream takes it; its `seq` is this tick's, held in
//! `seq` from the edge after the start until the edge after the next start.
//! `stalls` counts this scan's busy cycles with `res_ready` low, each on the
//! edge after it.

use rust_hdl::prelude::*;

use crate::fanout::Relay;

use super::{Price, Word};

/// The sequencer of a scanner with `2^SYM_BITS` symbols.
#[derive(LogicBlock)]
pub struct TickSequencer<const SYM_BITS: usize> {
    pub clock: Signal<In, Clock>,
    /// The register file's doorbell and its registers.
    pub doorbell: Signal<In, bool>,
    pub tick_symbol: Signal<In, Word>,
    pub tick_price: Signal<In, Word>,
    pub tick_seq: Signal<In, Word>,
    /// The command ring is idle and empty (registered flags: the ring's
    /// `idle` and the register file's `ring_empty`).
    pub commands_done: Signal<In, bool>,
    /// The scanner's `busy` (for the stall count), `done` and `cycles`, and
    /// its `res_ready`.
    pub busy: Signal<In, bool>,
    pub done: Signal<In, bool>,
    pub cycles: Signal<In, Word>,
    pub res_ready: Signal<In, bool>,
    /// The stream takes the requested completion on this edge.
    pub completion_taken: Signal<In, bool>,
    /// The stream's completion record was accepted (tvalid & tready) on
    /// the last edge.
    pub completion_sent: Signal<In, bool>,
    /// The scanner's tick ports.
    pub tick_valid: Signal<Out, bool>,
    pub scan_symbol: Signal<Out, Bits<SYM_BITS>>,
    pub scan_price: Signal<Out, Price>,
    /// A rung tick has not started.
    pub pending: Signal<Out, bool>,
    /// A tick has started and its completion record has not left.
    pub running: Signal<Out, bool>,
    /// The current (or last) tick's sequence number.
    pub seq: Signal<Out, Word>,
    /// The completion owed to the stream, and its fields.
    pub completion: Signal<Out, bool>,
    pub completion_cycles: Signal<Out, Word>,
    pub completion_stalls: Signal<Out, Word>,
    /// One-cycle events: a dropped doorbell, a symbol out of range, a busy
    /// cycle the stream held.
    pub overrun: Signal<Out, bool>,
    pub out_of_range: Signal<Out, bool>,
    pub stall: Signal<Out, bool>,

    pending_r: DFF<bool>,
    p_symbol: DFF<Word>,
    p_price: DFF<Word>,
    p_seq: DFF<Word>,
    /// The pending tick's symbol is within the build's capacity.
    p_in_range: DFF<bool>,
    open: DFF<bool>,
    tick_valid_r: DFF<bool>,
    /// The tick's ports, each a register more (a relay of the registers
    /// above, with no logic between), which `scripts/floorplan.py` pins at
    /// the chip's centre beside the scanner's control.
    scan_relay_valid: Relay<bool>,
    scan_relay_symbol: Relay<Bits<SYM_BITS>>,
    scan_relay_price: Relay<Price>,
    /// A tick started on the last edge; a tick of a symbol out of range did.
    started: DFF<bool>,
    started_out_of_range: DFF<bool>,
    scan_symbol_r: DFF<Bits<SYM_BITS>>,
    scan_price_r: DFF<Price>,
    seq_r: DFF<Word>,
    stalls: DFF<Word>,
    /// `done` one and two edges late.
    done_1: DFF<bool>,
    done_2: DFF<bool>,
    completion_r: DFF<bool>,
    completion_cycles_r: DFF<Word>,
    overrun_r: DFF<bool>,
    out_of_range_r: DFF<bool>,
    stall_r: DFF<bool>,
    start: Signal<Local, bool>,
    symbols: Constant<Word>,
}

impl<const SYM_BITS: usize> Default for TickSequencer<SYM_BITS> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            doorbell: Default::default(),
            tick_symbol: Default::default(),
            tick_price: Default::default(),
            tick_seq: Default::default(),
            commands_done: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            cycles: Default::default(),
            res_ready: Default::default(),
            completion_taken: Default::default(),
            completion_sent: Default::default(),
            tick_valid: Default::default(),
            scan_symbol: Default::default(),
            scan_price: Default::default(),
            pending: Default::default(),
            running: Default::default(),
            seq: Default::default(),
            completion: Default::default(),
            completion_cycles: Default::default(),
            completion_stalls: Default::default(),
            overrun: Default::default(),
            out_of_range: Default::default(),
            stall: Default::default(),
            pending_r: Default::default(),
            p_symbol: Default::default(),
            p_price: Default::default(),
            p_seq: Default::default(),
            p_in_range: Default::default(),
            open: Default::default(),
            tick_valid_r: Default::default(),
            scan_relay_valid: Default::default(),
            scan_relay_symbol: Default::default(),
            scan_relay_price: Default::default(),
            started: Default::default(),
            started_out_of_range: Default::default(),
            scan_symbol_r: Default::default(),
            scan_price_r: Default::default(),
            seq_r: Default::default(),
            stalls: Default::default(),
            done_1: Default::default(),
            done_2: Default::default(),
            completion_r: Default::default(),
            completion_cycles_r: Default::default(),
            overrun_r: Default::default(),
            out_of_range_r: Default::default(),
            stall_r: Default::default(),
            start: Default::default(),
            symbols: Constant::new(Word::from(1u64 << SYM_BITS)),
        }
    }
}

impl<const SYM_BITS: usize> Logic for TickSequencer<SYM_BITS> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            pending_r,
            p_symbol,
            p_price,
            p_seq,
            p_in_range,
            open,
            tick_valid_r,
            started,
            started_out_of_range,
            scan_symbol_r,
            scan_price_r,
            seq_r,
            stalls,
            done_1,
            done_2,
            completion_r,
            completion_cycles_r,
            overrun_r,
            out_of_range_r,
            stall_r
        );
        clock!(
            self,
            clock,
            scan_relay_valid,
            scan_relay_symbol,
            scan_relay_price
        );

        // The start: one LUT of registers, onto five registers.
        self.start.next = self.pending_r.q.val()
            & !self.open.q.val()
            & self.commands_done.val()
            & !self.doorbell.val();
        self.tick_valid_r.d.next = self.start.val() & self.p_in_range.q.val();
        self.started.d.next = self.start.val();
        self.started_out_of_range.d.next = self.start.val() & !self.p_in_range.q.val();
        if self.start.val() {
            self.pending_r.d.next = false;
            self.open.d.next = true;
        }
        // The pending tick's symbol and price, on the scanner's ports from
        // the edge after they were latched (read only on an accepting edge).
        self.scan_symbol_r.d.next = self.p_symbol.q.val().get_bits::<SYM_BITS>(0);
        self.scan_price_r.d.next = self.p_price.q.val();

        // The edge after the start: the tick's seq, its stall count, and an
        // out-of-range tick's completion (it was not presented).
        self.out_of_range_r.d.next = false;
        if self.started.q.val() {
            self.seq_r.d.next = self.p_seq.q.val();
        }
        if self.started_out_of_range.q.val() {
            self.out_of_range_r.d.next = true;
            self.completion_r.d.next = true;
            self.completion_cycles_r.d.next = 0.into();
        }

        // The doorbell: a new pending tick, unless one is pending (a start
        // never falls on a doorbell's edge).
        self.overrun_r.d.next = false;
        if self.doorbell.val() {
            if self.pending_r.q.val() {
                self.overrun_r.d.next = true;
            } else {
                self.pending_r.d.next = true;
                self.p_symbol.d.next = self.tick_symbol.val();
                self.p_price.d.next = self.tick_price.val();
                self.p_seq.d.next = self.tick_seq.val();
                self.p_in_range.d.next = self.tick_symbol.val() < self.symbols.val();
            }
        }

        // The scan. The scanner accepts the tick on the `started` edge and
        // is idle in the cycle before, so clearing the count there loses
        // nothing.
        // A stall is counted on the edge after it, from its register: the
        // count is complete two edges before the completion is requested.
        self.stall_r.d.next = self.busy.val() & !self.res_ready.val();
        if self.stall_r.q.val() {
            self.stalls.d.next = self.stalls.q.val() + 1;
        }
        if self.started.q.val() {
            self.stalls.d.next = 0.into();
        }
        self.done_1.d.next = self.done.val();
        self.done_2.d.next = self.done_1.q.val();
        if self.done_2.q.val() {
            self.completion_r.d.next = true;
            self.completion_cycles_r.d.next = self.cycles.val();
        }
        if self.completion_r.q.val() & self.completion_taken.val() {
            self.completion_r.d.next = false;
        }
        // Never on a start edge: a start needs `open` low, and the only
        // completion in the stream is the open tick's.
        if self.completion_sent.val() {
            self.open.d.next = false;
        }

        self.scan_relay_valid.d.next = self.tick_valid_r.q.val();
        self.scan_relay_symbol.d.next = self.scan_symbol_r.q.val();
        self.scan_relay_price.d.next = self.scan_price_r.q.val();
        self.tick_valid.next = self.scan_relay_valid.q.val();
        self.scan_symbol.next = self.scan_relay_symbol.q.val();
        self.scan_price.next = self.scan_relay_price.q.val();
        self.pending.next = self.pending_r.q.val();
        self.running.next = self.open.q.val();
        self.seq.next = self.seq_r.q.val();
        self.completion.next = self.completion_r.q.val();
        self.completion_cycles.next = self.completion_cycles_r.q.val();
        self.completion_stalls.next = self.stalls.q.val();
        self.overrun.next = self.overrun_r.q.val();
        self.out_of_range.next = self.out_of_range_r.q.val();
        self.stall.next = self.stall_r.q.val();
    }
}
