//! The verilated scanner behind a safe, typed interface: host writes, ticks
//! driven to `done` with the result stream drained every cycle.

use std::path::Path;

use liqscan_core::spec::{self, BracketConst, PositionConst};

use crate::dut::{Dut, Port};
use crate::error::SimError;
use crate::ffi::{RawHit, ScanState, ScanStatus};
use crate::ports::name;

/// Position slots of the verilated (Sim) build.
pub const SLOTS: usize = spec::SIM_SLOTS;
/// Symbols of the verilated (Sim) build.
pub const SYMBOLS: usize = spec::SIM_SYMBOLS;
/// Width of symbol numbers.
const SYMBOL_BITS: u32 = SYMBOLS.trailing_zeros();
/// Width of slot numbers, rows, counts and the cycle counter.
const WORD_BITS: u32 = 32;
/// Margin beyond the contract's cycle count before a scan counts as hung.
const TIMEOUT_SLACK: u64 = 64;

/// The scanner's ports, resolved and width-checked against `spec`.
#[derive(Debug)]
struct Ports {
    at_equal: Port,
    pos_wr: Port,
    pos_wr_slot: Port,
    pos_wr_valid: Port,
    pos_wr_qty: Port,
    pos_wr_offset: Port,
    brk_wr: Port,
    brk_wr_symbol: Port,
    brk_wr_index: Port,
    brk_wr_cap: Port,
    brk_wr_maint: Port,
    brk_wr_weight_long: Port,
    brk_wr_weight_short: Port,
    reg_wr: Port,
    reg_wr_symbol: Port,
    reg_wr_base_row: Port,
    reg_wr_count: Port,
    res_ready: Port,
    res_shortfall: Port,
    busy: Port,
    done: Port,
    cycles: Port,
}

impl Ports {
    fn resolve(dut: &Dut, lanes: usize) -> Result<Self, SimError> {
        let input = |port: &str, width: u32| dut.port_checked(port, width, false);
        let output = |port: &str, width: u32| dut.port_checked(port, width, true);
        // RustHDL names element `i` of a port array `port$i`.
        let per_lane = |port: &str, width: u32| {
            (0..lanes)
                .map(|i| output(&format!("{port}${i}"), width))
                .collect::<Result<Vec<_>, _>>()
        };
        // The shim's scan loop drives and reads these; their shapes are
        // checked here all the same.
        input(name::TICK_VALID, 1)?;
        input(name::TICK_SYMBOL, SYMBOL_BITS)?;
        input(name::TICK_PRICE, spec::PRICE_BITS)?;
        per_lane(name::RES_VALID, 1)?;
        per_lane(name::RES_SLOT, WORD_BITS)?;
        Ok(Self {
            at_equal: input(name::AT_EQUAL, 1)?,
            pos_wr: input(name::POS_WR, 1)?,
            pos_wr_slot: input(name::POS_WR_SLOT, WORD_BITS)?,
            pos_wr_valid: input(name::POS_WR_VALID, 1)?,
            pos_wr_qty: input(name::POS_WR_QTY, spec::QTY_STORE_BITS)?,
            pos_wr_offset: input(name::POS_WR_OFFSET, spec::OFFSET_BITS)?,
            brk_wr: input(name::BRK_WR, 1)?,
            brk_wr_symbol: input(name::BRK_WR_SYMBOL, SYMBOL_BITS)?,
            brk_wr_index: input(name::BRK_WR_INDEX, spec::MAX_BRACKETS.trailing_zeros())?,
            brk_wr_cap: input(name::BRK_WR_CAP, spec::NOTIONAL_BITS)?,
            brk_wr_maint: input(name::BRK_WR_MAINT, spec::MAINT_BITS)?,
            brk_wr_weight_long: input(name::BRK_WR_WEIGHT_LONG, spec::WEIGHT_BITS)?,
            brk_wr_weight_short: input(name::BRK_WR_WEIGHT_SHORT, spec::WEIGHT_BITS)?,
            reg_wr: input(name::REG_WR, 1)?,
            reg_wr_symbol: input(name::REG_WR_SYMBOL, SYMBOL_BITS)?,
            reg_wr_base_row: input(name::REG_WR_BASE_ROW, WORD_BITS)?,
            reg_wr_count: input(name::REG_WR_COUNT, WORD_BITS)?,
            res_ready: input(name::RES_READY, 1)?,
            res_shortfall: per_lane(name::RES_SHORTFALL, spec::SUM_BITS)?[0],
            busy: output(name::BUSY, 1)?,
            done: output(name::DONE, 1)?,
            cycles: output(name::CYCLES, WORD_BITS)?,
        })
    }
}

/// How one scan went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickStats {
    /// `K`: edges from the one that accepted the tick to the one that raised `done`.
    pub cycles: u64,
    /// Busy cycles with `res_ready` low.
    pub stalls: u64,
    /// The scanner's own `cycles` counter, read in the `done` cycle.
    pub counter: u64,
}

/// One liquidation reported by the scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub slot: u32,
    /// `MM − E = −(T + A_b + σ·X·W_b,σ)`, units of `10^-s`.
    pub shortfall: i128,
}

/// The verilated scanner with `lanes` lanes, [`SLOTS`] slots and [`SYMBOLS`] symbols.
#[derive(Debug)]
pub struct ScannerModel {
    dut: Dut,
    ports: Ports,
    lanes: usize,
    /// A scan was started and has not reached `done` (it failed): the
    /// scanner may still be busy and would ignore host writes.
    unfinished: bool,
    /// Where the shim puts a scan's results, reused from tick to tick.
    buffer: Vec<RawHit>,
}

impl ScannerModel {
    /// A fresh scanner (all memories zero: every slot a hole), idle, with
    /// `res_ready` high and `at_equal` low.
    pub fn new(lanes: usize) -> Result<Self, SimError> {
        Self::with_dut(Dut::new(lanes)?, lanes)
    }

    /// Like [`Self::new`], the model built with waveform tracing (the
    /// `trace` feature): [`Self::trace_open`] and [`Self::trace`] write an
    /// FST file of the edges chosen.
    pub fn new_traced(lanes: usize) -> Result<Self, SimError> {
        Self::with_dut(Dut::new_traced(lanes)?, lanes)
    }

    /// Like [`Self::new`], a scan run on `threads` host threads (1 or 2):
    /// with 2, a second replica of the model takes the same inputs and each
    /// evaluates the clock edges of half of the lanes, and a scan runs on
    /// both at once, the second on a worker thread that spins between scans
    /// (worth it with a core to spare). The same results either way;
    /// [`Self::threads`] is the count in use (1 for a one-lane model, or
    /// one built without the split: see the build's warnings).
    pub fn with_threads(lanes: usize, threads: usize) -> Result<Self, SimError> {
        Self::with_dut(Dut::with_threads(lanes, threads)?, lanes)
    }

    fn with_dut(dut: Dut, lanes: usize) -> Result<Self, SimError> {
        let ports = Ports::resolve(&dut, lanes)?;
        let mut model = Self {
            dut,
            ports,
            lanes,
            unfinished: false,
            buffer: vec![RawHit::default(); lanes * 256],
        };
        model.dut.set_bit(model.ports.res_ready, true);
        if model.busy() {
            return Err(SimError::Protocol("busy after reset".into()));
        }
        Ok(model)
    }

    /// Lanes `L`.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// Host threads a scan runs on (see [`Self::with_threads`]).
    pub fn threads(&self) -> usize {
        self.dut.threads()
    }

    /// Rising clock edges simulated so far.
    pub fn simulated_cycles(&self) -> u64 {
        self.dut.cycles()
    }

    /// Whether a scan is running.
    pub fn busy(&mut self) -> bool {
        self.dut.get_bit(self.ports.busy)
    }

    /// The scanner's `cycles` counter: cycles of the current or last scan.
    pub fn cycle_counter(&mut self) -> u64 {
        self.dut.get(self.ports.cycles) as u64
    }

    /// Clocks one cycle with no host write and no tick; returns `(busy, done)`
    /// in the cycle after it.
    pub fn idle_cycle(&mut self) -> (bool, bool) {
        self.dut.posedge();
        (self.busy(), self.dut.get_bit(self.ports.done))
    }

    /// Liquidate at a margin sum of exactly zero (static configuration).
    pub fn set_at_equal(&mut self, at_equal: bool) {
        self.dut.set_bit(self.ports.at_equal, at_equal);
    }

    /// Scans run to `done` inside [`Self::tick`], so the scanner is idle
    /// between calls unless one failed.
    fn check_idle(&self) -> Result<(), SimError> {
        if self.unfinished {
            return Err(SimError::Protocol("a previous scan did not finish".into()));
        }
        Ok(())
    }

    /// Clocks one host write whose data ports are already driven: `strobe`
    /// high for exactly one edge.
    fn write_cycle(&mut self, strobe: Port) -> Result<(), SimError> {
        self.check_idle()?;
        self.dut.set_bit(strobe, true);
        self.dut.posedge();
        self.dut.set_bit(strobe, false);
        Ok(())
    }

    /// Writes slot `slot`: a position, or a hole (`None`).
    pub fn write_position(
        &mut self,
        slot: u32,
        position: Option<PositionConst>,
    ) -> Result<(), SimError> {
        if slot as usize >= SLOTS {
            return Err(SimError::Range(format!("slot {slot}")));
        }
        let fields = position.unwrap_or_default();
        if !fits_signed(fields.offset, spec::OFFSET_BITS) {
            return Err(SimError::Range(format!("offset {}", fields.offset)));
        }
        let p = &self.ports;
        let (slot_port, valid, qty, offset) =
            (p.pos_wr_slot, p.pos_wr_valid, p.pos_wr_qty, p.pos_wr_offset);
        self.dut.set(slot_port, u128::from(slot));
        self.dut.set_bit(valid, position.is_some());
        self.dut.set_signed(qty, i128::from(fields.qty_lots));
        self.dut.set_signed(offset, fields.offset);
        self.write_cycle(self.ports.pos_wr)
    }

    /// Writes entry `index` (`< MAX_BRACKETS`) of `symbol`'s bracket table.
    pub fn write_bracket(
        &mut self,
        symbol: u32,
        index: usize,
        bracket: &BracketConst,
    ) -> Result<(), SimError> {
        check_symbol(symbol)?;
        if index >= spec::MAX_BRACKETS {
            return Err(SimError::Range(format!("bracket index {index}")));
        }
        if bracket.cap > spec::NOTIONAL_MAX
            || bracket.maint >> spec::MAINT_BITS != 0
            || bracket.weight_long >> spec::WEIGHT_BITS != 0
            || bracket.weight_short >> spec::WEIGHT_BITS != 0
        {
            return Err(SimError::Range(format!("bracket {bracket:?}")));
        }
        let p = &self.ports;
        let (sym, idx, cap, maint, wl, ws) = (
            p.brk_wr_symbol,
            p.brk_wr_index,
            p.brk_wr_cap,
            p.brk_wr_maint,
            p.brk_wr_weight_long,
            p.brk_wr_weight_short,
        );
        self.dut.set(sym, u128::from(symbol));
        self.dut.set(idx, index as u128);
        self.dut.set(cap, u128::from(bracket.cap));
        self.dut.set(maint, bracket.maint);
        self.dut.set(wl, u128::from(bracket.weight_long));
        self.dut.set(ws, u128::from(bracket.weight_short));
        self.write_cycle(self.ports.brk_wr)
    }

    /// Writes all [`spec::MAX_BRACKETS`] entries of `symbol`'s (padded) table.
    pub fn write_brackets(
        &mut self,
        symbol: u32,
        brackets: &[BracketConst; spec::MAX_BRACKETS],
    ) -> Result<(), SimError> {
        brackets
            .iter()
            .enumerate()
            .try_for_each(|(i, b)| self.write_bracket(symbol, i, b))
    }

    /// Gives `symbol` the slots `base_row·L .. base_row·L + count`.
    pub fn write_region(&mut self, symbol: u32, base_row: u32, count: u32) -> Result<(), SimError> {
        check_symbol(symbol)?;
        let first = u64::from(base_row) * self.lanes as u64;
        if first + u64::from(count) > SLOTS as u64 {
            return Err(SimError::Range(format!(
                "region of {count} slots at row {base_row}"
            )));
        }
        self.dut.set(self.ports.reg_wr_symbol, u128::from(symbol));
        self.dut
            .set(self.ports.reg_wr_base_row, u128::from(base_row));
        self.dut.set(self.ports.reg_wr_count, u128::from(count));
        self.write_cycle(self.ports.reg_wr)
    }

    /// Scans `symbol` at mark `price` with `res_ready` always high; appends
    /// the liquidations to `out` in the order the scanner reports them. The
    /// whole scan runs in the model's C++ (one call per tick, unless the
    /// results outgrow the buffer).
    pub fn tick(
        &mut self,
        symbol: u32,
        price: u32,
        out: &mut Vec<Hit>,
    ) -> Result<TickStats, SimError> {
        self.scan(symbol, price, out, None::<fn(u64) -> bool>)
    }

    /// Scans with back-pressure: `ready(c)` is `res_ready` in the `c`-th cycle
    /// after the accepting edge (`c ≥ 1`), asked once per cycle in order. A
    /// result is taken in a cycle where its lane is valid and `res_ready`
    /// is high, as the edge that ends the cycle transfers it.
    pub fn tick_with_ready(
        &mut self,
        symbol: u32,
        price: u32,
        out: &mut Vec<Hit>,
        ready: impl FnMut(u64) -> bool,
    ) -> Result<TickStats, SimError> {
        self.scan(symbol, price, out, Some(ready))
    }

    /// The tick, run by the shim's scan loop: all at once when `ready` is
    /// `None`, else one cycle per call with `ready`'s value.
    fn scan(
        &mut self,
        symbol: u32,
        price: u32,
        out: &mut Vec<Hit>,
        mut ready: Option<impl FnMut(u64) -> bool>,
    ) -> Result<TickStats, SimError> {
        check_symbol(symbol)?;
        if price == 0 {
            return Err(SimError::Range("price 0".into()));
        }
        self.check_idle()?;
        self.unfinished = true;
        self.dut.scan_start(symbol, price)?; // edge 0: accepts the tick
        let mut scan = ScanState {
            limit: spec::scan_cycles(SLOTS as u64, self.lanes as u64) + TIMEOUT_SLACK,
            ready: 1,
            ..ScanState::default()
        };
        let mut buffer = std::mem::take(&mut self.buffer);
        // `res_ready` for the cycle after edge `scan.cycles`, once asked.
        let mut next_ready: Option<(u64, u8)> = None;
        let status = loop {
            let cycle = scan.cycles + 1;
            let given = match ready.as_mut() {
                None => None,
                Some(ready) => {
                    let value = match next_ready {
                        Some((c, value)) if c == cycle => value,
                        _ => u8::from(ready(cycle)),
                    };
                    next_ready = Some((cycle, value));
                    Some([value])
                }
            };
            let (status, n) =
                self.dut
                    .scan_run(&mut scan, given.as_ref().map(|r| &r[..]), &mut buffer);
            out.extend(buffer[..n].iter().map(|raw| self.hit(raw)));
            match status {
                ScanStatus::More => continue,
                ScanStatus::Full => {
                    // Room for many cycles of results next time.
                    let grown = (buffer.len() * 2).max(self.lanes * 64);
                    buffer.resize(grown, RawHit::default());
                }
                status => break status,
            }
        };
        self.buffer = buffer;
        let k = scan.cycles;
        match status {
            ScanStatus::Done => {
                self.unfinished = false;
                Ok(TickStats {
                    cycles: k,
                    stalls: scan.stalls,
                    counter: u64::from(scan.counter),
                })
            }
            ScanStatus::BusyAtDone => Err(SimError::Protocol("busy in the done cycle".into())),
            ScanStatus::ResultAtDone => Err(SimError::Protocol(
                "result presented in the done cycle".into(),
            )),
            ScanStatus::IdleWithoutDone => Err(SimError::Protocol(format!(
                "not busy {} cycle(s) after the tick and no done",
                k + 1
            ))),
            ScanStatus::Timeout => Err(SimError::Timeout(k)),
            ScanStatus::ReplicasDiverged => Err(SimError::Protocol(
                "the model's two replicas ended the scan unalike".into(),
            )),
            ScanStatus::NotScanner | ScanStatus::More | ScanStatus::Full => {
                Err(SimError::Protocol("the model is not a scanner".into()))
            }
        }
    }

    /// A result as the shim handed it back: the shortfall sign-extended
    /// from the port's width.
    fn hit(&self, raw: &RawHit) -> Hit {
        let value = raw
            .shortfall
            .iter()
            .enumerate()
            .fold(0u128, |v, (i, w)| v | (u128::from(*w) << (32 * i)));
        let shift = 128 - self.ports.res_shortfall.width();
        Hit {
            slot: raw.slot,
            shortfall: ((value << shift) as i128) >> shift,
        }
    }

    /// Opens a waveform file: the model must be traced ([`Self::new_traced`]).
    /// Nothing is written until [`Self::trace`] switches it on.
    pub fn trace_open(&mut self, path: &Path) -> Result<(), SimError> {
        self.dut.trace_open(path)
    }

    /// Dumps every clock edge from now on into the waveform file, or stops.
    pub fn trace(&mut self, on: bool) {
        self.dut.trace(on);
    }

    /// Closes the waveform file, writing out what it buffers.
    pub fn trace_close(&mut self) {
        self.dut.trace_close();
    }
}

fn check_symbol(symbol: u32) -> Result<(), SimError> {
    if symbol as usize >= SYMBOLS {
        return Err(SimError::Range(format!("symbol {symbol}")));
    }
    Ok(())
}

/// Whether `value` is a `bits`-wide two's-complement number.
fn fits_signed(value: i128, bits: u32) -> bool {
    let half = 1i128 << (bits - 1);
    (-half..half).contains(&value)
}
