//! [`CardModel`]: a small, exact Rust model of `liqscan_top`'s register
//! semantics, the reference that the hardware's tests and the driver's unit
//! tests check against. It is never on a real path of the CLI: a board is
//! the card itself or the Verilator model of it.
//!
//! # What it models, exactly
//! * The register map of `spec::registers`: identification constants, `RW`
//!   registers that read back what was written, `WO` words that read 0,
//!   `STATUS`, the sticky `ERRORS` and `ERRORS_CLEAR`, the counters. An
//!   access to an address outside the map (or misaligned) sets
//!   `BAD_ADDRESS` and fails (the AXI `SLVERR`).
//! * The command ring: a new `CMD_PRODUCER` commits entries; they are
//!   applied in order, one per cycle, between scans, and counted in
//!   `CMD_CONSUMER`. A producer more than `CMD_ENTRIES` ahead of the
//!   consumer, or moving backwards, sets `CMD_OVERRUN` and is refused (the
//!   producer keeps its value, as in the circuit). An unknown
//!   opcode sets `BAD_OPCODE`; a slot, bracket index, symbol or region
//!   beyond the build sets `OUT_OF_RANGE`; both skip the entry. Fields are
//!   read at their widths ([`Command::decode`]).
//! * The doorbell: a new `TICK_SEQ` rings it (a write of the same value is
//!   not a new tick). A value other than the previous plus 1 sets
//!   `TICK_SEQ_GAP` and the tick runs; a doorbell while a rung tick has not
//!   started sets `TICK_OVERRUN` and drops the new tick. A tick starts once
//!   the commands committed before its doorbell are applied (later ones
//!   wait for the scan); a tick of a symbol beyond the build sets
//!   `OUT_OF_RANGE` and completes at once (a completion record of count 0).
//! * A scan of symbol `s` at price `P` walks its region in slot order with
//!   `spec::margin_sum` on its bracket table and `spec::liquidates` with
//!   `CONTROL.AT_EQUAL` as it was when the scan started, clears each
//!   liquidated slot and streams one liquidation record per slot, in slot
//!   order, then one completion record (`COUNT` = the liquidation records).
//!   `BUSY` is set from the accepting edge until the completion record has
//!   left (a record waiting on `ready = false` keeps it set, as in the
//!   circuit), and the next rung tick starts only then: with `BUSY`,
//!   `TICK_PENDING` and `CMD_PENDING` clear, every record has left.
//!
//! # Its cycles
//! A scan of `n` slots takes `spec::scan_cycles(n, L)` cycles from the
//! accepting edge to `done` when its records never wait: the timing
//! contract. Beyond that the model's stream is its own, not a reference for
//! the circuit's cycle counts: a liquidation record may leave every cycle
//! from the scan's start, a cycle in which one waits on `ready = false`
//! holds the scan (a stall, counted in the completion's `STALLS` and in
//! `STALL_CYCLES`), and a scan with more records than cycles lasts until
//! its last record has left.

use std::collections::VecDeque;

use liqscan_core::spec::registers::{
    self, control, errors, reg, status, CMD_BASE, CMD_ENTRIES, CMD_WORDS, MAGIC, MAP_VERSION,
};
use liqscan_core::spec::{
    liquidates, margin_sum, scan_cycles, BracketConst, PositionConst, MAX_BRACKETS, PIPELINE_DEPTH,
};

use crate::card::Card;
use crate::error::DriverError;
use crate::format::{Command, Entry, Record, ResultRecord};

/// A tick rung and not started.
#[derive(Debug, Clone, Copy)]
struct Rung {
    symbol: u32,
    price: u32,
    seq: u32,
    /// `CMD_PRODUCER` when it was rung: those commands come first.
    after: u32,
}

/// A scan in progress.
#[derive(Debug)]
struct Scan {
    seq: u32,
    /// Cycles left to `done` (not counting stalls).
    remaining: u64,
    /// Liquidation records not yet sent.
    records: VecDeque<Record>,
    count: u32,
    /// Cycles since the accepting edge, stalls included.
    cycles: u64,
    stalls: u64,
}

/// The model of `liqscan_top`; see the module documentation.
#[derive(Debug)]
pub struct CardModel {
    lanes: u32,
    symbols: u32,
    slots: Vec<Option<PositionConst>>,
    brackets: Vec<[BracketConst; MAX_BRACKETS]>,
    /// `(base_row, count)` per symbol.
    regions: Vec<(u32, u32)>,
    entries: Vec<Entry>,
    control: u32,
    scratch: u32,
    cmd_producer: u32,
    cmd_consumer: u32,
    tick_symbol: u32,
    tick_price: u32,
    tick_seq: u32,
    tick_done_seq: u32,
    rung: Option<Rung>,
    scan: Option<Scan>,
    errors: u32,
    cycles: u64,
    last_scan_cycles: u32,
    ticks: u32,
    results: u32,
    stall_cycles: u32,
}

impl CardModel {
    /// A card of `lanes` lanes, `slots` slots (whole rows) and `symbols`
    /// symbols, just out of reset: every slot a hole, every region empty,
    /// every bracket table zero.
    pub fn new(lanes: usize, slots: usize, symbols: usize) -> Result<Self, DriverError> {
        if lanes == 0 || slots % lanes != 0 || slots > u32::MAX as usize || symbols == 0 {
            return Err(DriverError::Card(format!(
                "a card of {slots} slots on {lanes} lanes and {symbols} symbols"
            )));
        }
        Ok(Self {
            lanes: lanes as u32,
            symbols: symbols as u32,
            slots: vec![None; slots],
            brackets: vec![[BracketConst::default(); MAX_BRACKETS]; symbols],
            regions: vec![(0, 0); symbols],
            entries: vec![Entry::default(); CMD_ENTRIES as usize],
            control: 0,
            scratch: 0,
            cmd_producer: 0,
            cmd_consumer: 0,
            tick_symbol: 0,
            tick_price: 0,
            tick_seq: 0,
            tick_done_seq: 0,
            rung: None,
            scan: None,
            errors: 0,
            cycles: 0,
            last_scan_cycles: 0,
            ticks: 0,
            results: 0,
            stall_cycles: 0,
        })
    }

    /// The FPGA build's capacity (`spec::FPGA_SLOTS`, `spec::FPGA_SYMBOLS`).
    pub fn fpga(lanes: usize) -> Result<Self, DriverError> {
        Self::new(
            lanes,
            liqscan_core::spec::FPGA_SLOTS,
            liqscan_core::spec::FPGA_SYMBOLS,
        )
    }

    /// Slot `slot` as the card holds it.
    pub fn slot(&self, slot: u32) -> Option<PositionConst> {
        self.slots.get(slot as usize).copied().flatten()
    }

    /// The sticky error flags.
    pub fn errors(&self) -> u32 {
        self.errors
    }

    fn status(&self) -> u32 {
        let mut s = 0;
        if self.scan.is_some() {
            s |= status::BUSY;
        }
        if self.rung.is_some() {
            s |= status::TICK_PENDING;
        }
        if self.cmd_consumer != self.cmd_producer {
            s |= status::CMD_PENDING;
        }
        s
    }

    /// Fails an access outside the map, setting `BAD_ADDRESS`.
    fn bad_address(&mut self, offset: u32, access: &str) -> DriverError {
        self.errors |= errors::BAD_ADDRESS;
        DriverError::Bus(format!(
            "{access} of byte {offset:#x}: no register there (SLVERR)"
        ))
    }

    fn check_address(&mut self, offset: u32, access: &str) -> Result<(), DriverError> {
        if offset % 4 != 0 || registers::register_at(offset).is_none() {
            return Err(self.bad_address(offset, access));
        }
        Ok(())
    }

    fn commit(&mut self, producer: u32) {
        if producer == self.cmd_producer {
            return;
        }
        let ahead = producer.wrapping_sub(self.cmd_consumer);
        let moved = producer.wrapping_sub(self.cmd_producer);
        if ahead > CMD_ENTRIES || moved > u32::MAX / 2 {
            // Refused, as the circuit does: the producer keeps its value.
            self.errors |= errors::CMD_OVERRUN;
            return;
        }
        self.cmd_producer = producer;
    }

    fn ring(&mut self, seq: u32) {
        if seq == self.tick_seq {
            return;
        }
        if seq != self.tick_seq.wrapping_add(1) {
            self.errors |= errors::TICK_SEQ_GAP;
        }
        self.tick_seq = seq;
        if self.rung.is_some() {
            self.errors |= errors::TICK_OVERRUN;
            return;
        }
        self.rung = Some(Rung {
            symbol: self.tick_symbol,
            price: self.tick_price,
            seq,
            after: self.cmd_producer,
        });
    }

    /// Applies the entry at `CMD_CONSUMER`.
    fn apply_command(&mut self) {
        let entry = self.entries[(self.cmd_consumer % CMD_ENTRIES) as usize];
        self.cmd_consumer = self.cmd_consumer.wrapping_add(1);
        match Command::decode(&entry) {
            Err(_) => self.errors |= errors::BAD_OPCODE,
            Ok(Command::Position { slot, position }) => match self.slots.get_mut(slot as usize) {
                Some(at) => *at = position,
                None => self.errors |= errors::OUT_OF_RANGE,
            },
            Ok(Command::Bracket {
                symbol,
                index,
                bracket,
            }) => {
                if symbol < self.symbols && (index as usize) < MAX_BRACKETS {
                    self.brackets[symbol as usize][index as usize] = bracket;
                } else {
                    self.errors |= errors::OUT_OF_RANGE;
                }
            }
            Ok(Command::Region {
                symbol,
                base_row,
                count,
            }) => {
                let end = u64::from(base_row) * u64::from(self.lanes) + u64::from(count);
                if symbol < self.symbols && end <= self.slots.len() as u64 {
                    self.regions[symbol as usize] = (base_row, count);
                } else {
                    self.errors |= errors::OUT_OF_RANGE;
                }
            }
        }
    }

    /// Accepts the rung tick: scans the region at once (the records then
    /// leave at the stream's pace).
    fn start(&mut self, rung: Rung) {
        self.rung = None;
        if rung.symbol >= self.symbols {
            // Completed at once with no liquidation, so the host is never left waiting.
            self.errors |= errors::OUT_OF_RANGE;
            self.scan = Some(Scan {
                seq: rung.seq,
                remaining: 0,
                count: 0,
                records: VecDeque::new(),
                cycles: 0,
                stalls: 0,
            });
            return;
        }
        let (base_row, count) = self.regions[rung.symbol as usize];
        let brackets = &self.brackets[rung.symbol as usize];
        let at_equal = self.control & control::AT_EQUAL != 0;
        let first = base_row as usize * self.lanes as usize;
        let mut records = VecDeque::new();
        for (i, slot) in self.slots[first..first + count as usize]
            .iter_mut()
            .enumerate()
        {
            let Some(position) = *slot else { continue };
            let sum = margin_sum(brackets, position, rung.price);
            if liquidates(sum, at_equal) {
                *slot = None;
                records.push_back(
                    ResultRecord::Liquidation {
                        seq: rung.seq,
                        slot: (first + i) as u32,
                        shortfall: -sum,
                    }
                    .encode(),
                );
            }
        }
        self.scan = Some(Scan {
            seq: rung.seq,
            remaining: scan_cycles(u64::from(count), u64::from(self.lanes)),
            count: records.len() as u32,
            records,
            cycles: 0,
            stalls: 0,
        });
    }

    /// Runs at most `left` cycles of the current scan; returns the cycles spent.
    fn run_scan(&mut self, left: u64, ready: bool, out: &mut Vec<Record>) -> u64 {
        let Some(scan) = self.scan.as_mut() else {
            return 0;
        };
        if !scan.records.is_empty() {
            if !ready {
                scan.stalls += left;
                scan.cycles += left;
                return left;
            }
            let n = left.min(scan.records.len() as u64);
            out.extend(scan.records.drain(..n as usize));
            scan.remaining = scan.remaining.saturating_sub(n);
            scan.cycles += n;
            return n;
        }
        if scan.remaining > 0 {
            let n = left.min(scan.remaining);
            scan.remaining -= n;
            scan.cycles += n;
            return n;
        }
        if !ready {
            // Done; the completion record waits (not a stall: the scan is over).
            return left;
        }
        out.push(
            ResultRecord::Completion {
                seq: scan.seq,
                cycles: scan.cycles as u32,
                count: scan.count,
                stalls: scan.stalls as u32,
            }
            .encode(),
        );
        self.tick_done_seq = scan.seq;
        self.ticks = self.ticks.wrapping_add(1);
        self.last_scan_cycles = scan.cycles as u32;
        self.results = self.results.wrapping_add(scan.count);
        self.stall_cycles = self.stall_cycles.wrapping_add(scan.stalls as u32);
        self.scan = None;
        1
    }
}

impl Card for CardModel {
    fn lanes(&self) -> usize {
        self.lanes as usize
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        self.check_address(offset, "write")?;
        if offset >= CMD_BASE {
            let word = (offset - CMD_BASE) / 4;
            self.entries[(word / CMD_WORDS) as usize][(word % CMD_WORDS) as usize] = value;
            return Ok(());
        }
        match offset {
            reg::CONTROL => self.control = value,
            reg::ERRORS_CLEAR => self.errors &= !value,
            reg::SCRATCH => self.scratch = value,
            reg::CMD_PRODUCER => self.commit(value),
            reg::TICK_SYMBOL => self.tick_symbol = value,
            reg::TICK_PRICE => self.tick_price = value,
            reg::TICK_SEQ => self.ring(value),
            // Read-only: the write is ignored.
            _ => {}
        }
        Ok(())
    }

    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.check_address(offset, "read")?;
        if offset >= CMD_BASE {
            return Ok(0);
        }
        let capacity = self.slots.len() as u32;
        Ok(match offset {
            reg::MAGIC => MAGIC,
            reg::VERSION => MAP_VERSION,
            reg::SPEC_HASH => registers::spec_hash(),
            reg::LANES => self.lanes,
            reg::SLOTS => capacity,
            reg::SYMBOLS => self.symbols,
            reg::PIPELINE_DEPTH => PIPELINE_DEPTH as u32,
            reg::CMD_ENTRIES => CMD_ENTRIES,
            reg::CONTROL => self.control,
            reg::STATUS => self.status(),
            reg::ERRORS => self.errors,
            reg::SCRATCH => self.scratch,
            reg::CMD_PRODUCER => self.cmd_producer,
            reg::CMD_CONSUMER => self.cmd_consumer,
            reg::TICK_SYMBOL => self.tick_symbol,
            reg::TICK_PRICE => self.tick_price,
            reg::TICK_SEQ => self.tick_seq,
            reg::TICK_DONE_SEQ => self.tick_done_seq,
            reg::CYCLES_LO => self.cycles as u32,
            reg::CYCLES_HI => (self.cycles >> 32) as u32,
            reg::LAST_SCAN_CYCLES => self.last_scan_cycles,
            reg::TICKS => self.ticks,
            reg::RESULTS => self.results,
            reg::STALL_CYCLES => self.stall_cycles,
            // Write-only (`ERRORS_CLEAR`).
            _ => 0,
        })
    }

    fn clock(
        &mut self,
        cycles: u64,
        ready: bool,
        out: &mut Vec<Record>,
    ) -> Result<(), DriverError> {
        let mut left = cycles;
        while left > 0 {
            let spent = if self.scan.is_some() {
                self.run_scan(left, ready, out)
            } else if let Some(rung) = self
                .rung
                .filter(|r| self.cmd_consumer.wrapping_sub(r.after) <= u32::MAX / 2)
            {
                // The accepting edge.
                self.start(rung);
                1
            } else if self.cmd_consumer != self.cmd_producer {
                self.apply_command();
                1
            } else {
                left
            };
            left -= spent;
            self.cycles += spent;
        }
        Ok(())
    }

    fn simulated_cycles(&self) -> u64 {
        self.cycles
    }
}

#[cfg(test)]
mod tests;
