//! The scan control: accepts a tick, fetches the symbol's region and
//! bracket table, computes the scan geometry, flags the steps at which the
//! lanes load and issue rows, and runs `busy`, `done` and `cycles` from the
//! result stream's view of the scan.
//!
//! Two step counters: the result stream's (`step`, busy cycles with
//! `res_ready` high), which decides `busy` and `done`, and the core's
//! (`cstep`, on the core's enable, three cycles behind `res_ready`), which
//! paces the geometry and the issue of rows. A third counter, `fetch`,
//! counts clock edges from the tick and addresses the symbol table.

use rust_hdl::prelude::*;

use crate::fanout::{EnableCopy, ReadyCopy, Relay};

use super::{Price, Word, COPY_STEP, FETCH_DONE, ISSUE_STEP, PIPELINE_DEPTH, REGION_STEP};

/// The control of a scanner with `L` lanes and `2^SYM_BITS` symbols
/// (`BRK_BITS = SYM_BITS + 2`, the bracket banks' address width).
#[derive(LogicBlock)]
pub struct ScanControl<const L: usize, const SYM_BITS: usize, const BRK_BITS: usize> {
    pub clock: Signal<In, Clock>,
    pub tick_valid: Signal<In, bool>,
    pub tick_symbol: Signal<In, Bits<SYM_BITS>>,
    pub tick_price: Signal<In, Price>,
    pub res_ready: Signal<In, bool>,
    /// The region table's words at `read_symbol` (`READ_LATENCY` edges after it).
    pub table_base_row: Signal<In, Word>,
    pub table_count: Signal<In, Word>,
    /// A scan is running (the scanner's `busy`).
    pub busy: Signal<Out, bool>,
    /// `busy` of the next cycle (the flag's next state), for the lanes'
    /// twins of it.
    pub busy_next: Signal<Out, bool>,
    /// One-cycle pulse after the scan's last step.
    pub done: Signal<Out, bool>,
    /// Cycles of the current or last scan.
    pub cycles: Signal<Out, Word>,
    /// The region table's read address, and the bracket banks'
    /// (`symbol·4 + word`): the tick's symbol on the accepting edge, then
    /// words 1..3 on the three edges after it, registered here.
    pub read_symbol: Signal<Out, Bits<SYM_BITS>>,
    pub read_address: Signal<Out, Bits<BRK_BITS>>,
    /// Each lane takes it through its relay and its own copy, starts its
    /// load on the edge after and samples the shared row registers on the
    /// four edges after that, as they hold rows 0..3.
    pub copy_brackets: Signal<Out, bool>,
    /// The lanes load their first row and slot on this cycle's enabled edge.
    pub geo_load: Signal<Out, bool>,
    /// The lanes copy the region's end slot on this cycle's enabled edge.
    pub geo_end: Signal<Out, bool>,
    /// A row is issued on this cycle's enabled edge.
    pub issuing: Signal<Out, bool>,
    /// The scan's region: its first row, its end slot, and the tick's price.
    pub base_row: Signal<Out, Word>,
    pub end_slot: Signal<Out, Word>,
    pub price: Signal<Out, Price>,

    /// The busy flag. A [`Relay`] (a register synthesis keeps apart): the
    /// lanes' twins of it take the same next state (`busy_next`), and as a
    /// plain register it would be merged into one of them, beside a lane.
    busy_r: Relay<bool>,
    done_r: DFF<bool>,
    cycles_r: DFF<Word>,
    /// Busy cycles with `res_ready` high since the tick: the result stream's
    /// view of the scan, which decides `busy` and `done`.
    step: DFF<Word>,
    /// Enabled cycles of the core (everything but the result stream's skid
    /// registers) since the tick, saturating at `ISSUE_STEP`: three bits, so
    /// every step decode is one LUT.
    cstep: DFF<Bits<3>>,
    /// The core's enable, `res_ready` of three cycles before (or idle then):
    /// the control's branch of the enable tree (see [`crate::fanout`]).
    ctl_en_root: ReadyCopy,
    ctl_en_first: EnableCopy,
    ctl_en: EnableCopy,
    /// `step` of the cycle before the last busy one: `ceil(n/L) + D − 2`.
    last_before: DFF<Word>,
    /// `last_before` holds this scan's value (it is loaded once, at the
    /// core's last geometry step, never later than the stream's step
    /// `ISSUE_STEP`, far below any scan's last step).
    last_known: DFF<bool>,
    /// The stream's step is the scan's last: decided by the 32-bit compare
    /// on the edge that enters the step, so `busy` and `done` hang on this
    /// one register and not on the compare.
    at_last: DFF<bool>,
    sym: DFF<Bits<SYM_BITS>>,
    price_r: DFF<Price>,
    end_slot_r: DFF<Word>,
    /// Rows still to issue minus two, in 33-bit two's complement: while a row
    /// is issued, its sign bit alone says whether it is the last one, so the
    /// issue flag needs no subtraction or 32-bit zero test.
    rows_ahead: DFF<Bits<33>>,
    /// The region, registered off the memory (step 1), and `n + L − 1` (step 2):
    /// the scan geometry is computed over three load steps, one adder per step.
    g_base: DFF<Word>,
    g_count: DFF<Word>,
    g_round: DFF<Word>,
    /// Clock edges since the tick, up to `FETCH_DONE`: drives the symbol-table reads.
    fetch: DFF<Bits<3>>,
    fetch_next: Signal<Local, Bits<3>>,
    copy_brackets_r: DFF<bool>,
    geo_load_r: DFF<bool>,
    geo_end_r: DFF<bool>,
    /// Registered, as it reaches every lane.
    issuing_r: DFF<bool>,
    rd_sym: DFF<Bits<SYM_BITS>>,
    rd_addr: DFF<Bits<BRK_BITS>>,

    // Combinational intermediates, each at its own width.
    accept: Signal<Local, bool>,
    enable: Signal<Local, bool>,
    step_next: Signal<Local, Word>,
    cstep_next: Signal<Local, Bits<3>>,
    base_slot: Signal<Local, Word>,
    count_round: Signal<Local, Word>,
    rows: Signal<Local, Word>,
    rows_wide: Signal<Local, Bits<33>>,
    end_calc: Signal<Local, Word>,
    last_calc: Signal<Local, Word>,
    brk_rd_sym: Signal<Local, Bits<SYM_BITS>>,
    brk_rd_m: Signal<Local, Bits<2>>,
    brk_rd_sym_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_rd_m_wide: Signal<Local, Bits<BRK_BITS>>,
    brk_rd_addr: Signal<Local, Bits<BRK_BITS>>,

    // Generation constants.
    lane_bits: Constant<Word>,
    lane_mask: Constant<Word>,
    fetch_done: Constant<Bits<3>>,
    issue_cstep: Constant<Bits<3>>,
    copy_step: Constant<Bits<3>>,
    depth_less_two: Constant<Word>,
    geo_step0: Constant<Bits<3>>,
    geo_step1: Constant<Bits<3>>,
    geo_step2: Constant<Bits<3>>,
    one_wide: Constant<Bits<33>>,
    two_wide: Constant<Bits<33>>,
}

impl<const L: usize, const SYM_BITS: usize, const BRK_BITS: usize> Default
    for ScanControl<L, SYM_BITS, BRK_BITS>
{
    fn default() -> Self {
        let word = |x: u64| Word::from(x);
        let step = |x: u64| Bits::<3>::from(x);
        Self {
            clock: Default::default(),
            tick_valid: Default::default(),
            tick_symbol: Default::default(),
            tick_price: Default::default(),
            res_ready: Default::default(),
            table_base_row: Default::default(),
            table_count: Default::default(),
            busy: Default::default(),
            busy_next: Default::default(),
            done: Default::default(),
            cycles: Default::default(),
            read_symbol: Default::default(),
            read_address: Default::default(),
            copy_brackets: Default::default(),
            geo_load: Default::default(),
            geo_end: Default::default(),
            issuing: Default::default(),
            base_row: Default::default(),
            end_slot: Default::default(),
            price: Default::default(),
            busy_r: Default::default(),
            done_r: Default::default(),
            cycles_r: Default::default(),
            step: Default::default(),
            cstep: Default::default(),
            ctl_en_root: Default::default(),
            ctl_en_first: Default::default(),
            ctl_en: Default::default(),
            last_before: Default::default(),
            last_known: Default::default(),
            at_last: Default::default(),
            sym: Default::default(),
            price_r: Default::default(),
            end_slot_r: Default::default(),
            rows_ahead: Default::default(),
            g_base: Default::default(),
            g_count: Default::default(),
            g_round: Default::default(),
            fetch: Default::default(),
            fetch_next: Default::default(),
            copy_brackets_r: Default::default(),
            geo_load_r: Default::default(),
            geo_end_r: Default::default(),
            issuing_r: Default::default(),
            rd_sym: Default::default(),
            rd_addr: Default::default(),
            accept: Default::default(),
            enable: Default::default(),
            step_next: Default::default(),
            cstep_next: Default::default(),
            base_slot: Default::default(),
            count_round: Default::default(),
            rows: Default::default(),
            rows_wide: Default::default(),
            end_calc: Default::default(),
            last_calc: Default::default(),
            brk_rd_sym: Default::default(),
            brk_rd_m: Default::default(),
            brk_rd_sym_wide: Default::default(),
            brk_rd_m_wide: Default::default(),
            brk_rd_addr: Default::default(),
            lane_bits: Constant::new(word(u64::from(L.trailing_zeros()))),
            lane_mask: Constant::new(word(L as u64 - 1)),
            fetch_done: Constant::new(step(FETCH_DONE)),
            issue_cstep: Constant::new(step(ISSUE_STEP)),
            copy_step: Constant::new(step(COPY_STEP)),
            depth_less_two: Constant::new(word(PIPELINE_DEPTH - 2)),
            geo_step0: Constant::new(step(REGION_STEP)),
            geo_step1: Constant::new(step(REGION_STEP + 1)),
            geo_step2: Constant::new(step(REGION_STEP + 2)),
            one_wide: Constant::new(Bits::<33>::from(1u64)),
            two_wide: Constant::new(Bits::<33>::from(2u64)),
        }
    }
}

impl<const L: usize, const SYM_BITS: usize, const BRK_BITS: usize> Logic
    for ScanControl<L, SYM_BITS, BRK_BITS>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            done_r,
            cycles_r,
            step,
            cstep,
            last_before,
            last_known,
            at_last,
            sym,
            price_r,
            end_slot_r,
            rows_ahead,
            g_base,
            g_count,
            g_round,
            fetch,
            copy_brackets_r,
            geo_load_r,
            geo_end_r,
            issuing_r,
            rd_sym,
            rd_addr
        );
        clock!(self, clock, busy_r, ctl_en_root, ctl_en_first, ctl_en);
        self.busy_r.d.next = self.busy_r.q.val();

        // Handshakes. The result stream's step advances only while it is
        // ready. The core (memories, lanes, issue) runs on registered
        // copies of that enable, three cycles late: it may be up to three
        // steps ahead, and the results it pushed out meanwhile wait in
        // the lanes' skid registers.
        self.accept.next = self.tick_valid.val() & !self.busy_r.q.val();
        self.enable.next = self.res_ready.val();
        self.ctl_en_root.ready.next = self.res_ready.val();
        self.ctl_en_root.busy.next = self.busy_r.q.val();
        self.ctl_en_first.d.next = self.ctl_en_root.q.val();
        self.ctl_en.d.next = self.ctl_en_first.q.val();
        self.copy_brackets_r.d.next =
            self.busy_r.q.val() & (self.fetch.q.val() == self.copy_step.val());
        self.step_next.next = self.step.q.val() + 1;
        // A 1-bit literal keeps the Verilog add 3 bits wide.
        self.cstep_next.next = self.cstep.q.val() + true;
        self.fetch_next.next = self.fetch.q.val() + true;

        // Fetch word 0 on the accepting edge, words 1..3 on the next three
        // edges; each bank's words run down its chain of shared registers.
        // The fetch counts clock edges, not enabled ones: stalls do not
        // concern it.
        self.brk_rd_sym.next = self.sym.q.val();
        self.brk_rd_m.next = self.fetch_next.val().get_bits::<2>(0);
        if self.accept.val() {
            self.brk_rd_sym.next = self.tick_symbol.val();
            self.brk_rd_m.next = 0.into();
        }
        self.brk_rd_sym_wide.next = bit_cast::<BRK_BITS, SYM_BITS>(self.brk_rd_sym.val());
        self.brk_rd_m_wide.next = bit_cast::<BRK_BITS, 2>(self.brk_rd_m.val());
        self.brk_rd_addr.next = (self.brk_rd_sym_wide.val() << 2) | self.brk_rd_m_wide.val();
        self.rd_sym.d.next = self.brk_rd_sym.val();
        self.rd_addr.d.next = self.brk_rd_addr.val();

        // Scan geometry from the registered region (shifts by a constant are wiring).
        self.base_slot.next = self.g_base.q.val() << self.lane_bits.val();
        self.count_round.next = self.g_count.q.val() + self.lane_mask.val();
        self.rows.next = self.g_round.q.val() >> self.lane_bits.val();
        self.end_calc.next = self.base_slot.val() + self.g_count.q.val();
        self.last_calc.next = self.rows.val() + self.depth_less_two.val();
        self.rows_wide.next = bit_cast::<33, 32>(self.rows.val());

        self.done_r.d.next = false;
        if self.accept.val() {
            self.busy_r.d.next = true;
            self.fetch.d.next = 0.into();
            self.geo_load_r.d.next = false;
            self.geo_end_r.d.next = false;
            self.issuing_r.d.next = false;
            self.step.d.next = 0.into();
            self.at_last.d.next = false;
            self.last_known.d.next = false;
            self.cstep.d.next = 0.into();
            self.cycles_r.d.next = 0.into();
            self.sym.d.next = self.tick_symbol.val();
            self.price_r.d.next = self.tick_price.val();
        }
        if self.busy_r.q.val() {
            if self.fetch.q.val() != self.fetch_done.val() {
                self.fetch.d.next = self.fetch_next.val();
            }
            self.cycles_r.d.next = self.cycles_r.q.val() + 1;
            // The core: geometry, then rows from step ISSUE_STEP on while any are left.
            if self.ctl_en.q.val() {
                if self.cstep.q.val() != self.issue_cstep.val() {
                    self.cstep.d.next = self.cstep_next.val();
                }
                self.geo_load_r.d.next = self.cstep.q.val() == self.geo_step0.val();
                self.geo_end_r.d.next = self.cstep.q.val() == self.geo_step1.val();
                // Rows are issued from step ISSUE_STEP = geo_step2 + 1 on while any are left.
                if self.issuing_r.q.val() {
                    self.issuing_r.d.next = !self.rows_ahead.q.val().get_bit(32);
                    self.rows_ahead.d.next = self.rows_ahead.q.val() - self.one_wide.val();
                } else {
                    self.issuing_r.d.next =
                        (self.cstep.q.val() == self.geo_step2.val()) & self.rows.val().any();
                }
                if self.cstep.q.val() == self.geo_step0.val() {
                    self.g_base.d.next = self.table_base_row.val();
                    self.g_count.d.next = self.table_count.val();
                }
                if self.cstep.q.val() == self.geo_step1.val() {
                    self.end_slot_r.d.next = self.end_calc.val();
                    self.g_round.d.next = self.count_round.val();
                }
                if self.cstep.q.val() == self.geo_step2.val() {
                    self.last_before.d.next = self.last_calc.val();
                    self.last_known.d.next = true;
                    self.rows_ahead.d.next = self.rows_wide.val() - self.two_wide.val();
                }
            }
            // The result stream.
            if self.enable.val() {
                self.step.d.next = self.step_next.val();
                self.at_last.d.next =
                    self.last_known.q.val() & (self.step.q.val() == self.last_before.q.val());
                if self.at_last.q.val() {
                    self.busy_r.d.next = false;
                    self.done_r.d.next = true;
                }
            }
        }

        self.busy.next = self.busy_r.q.val();
        self.busy_next.next = self.busy_r.d.val();
        self.done.next = self.done_r.q.val();
        self.cycles.next = self.cycles_r.q.val();
        self.read_symbol.next = self.rd_sym.q.val();
        self.read_address.next = self.rd_addr.q.val();
        self.copy_brackets.next = self.copy_brackets_r.q.val();
        self.geo_load.next = self.geo_load_r.q.val();
        self.geo_end.next = self.geo_end_r.q.val();
        self.issuing.next = self.issuing_r.q.val();
        self.base_row.next = self.g_base.q.val();
        self.end_slot.next = self.end_slot_r.q.val();
        self.price.next = self.price_r.q.val();
    }
}
