//! The register file's address decode, written out of
//! `spec::registers::MAP`: which word addresses are mapped, and the word a
//! read returns, registered.
//!
//! One input per readable register, named after it in the map in lower
//! case (`CMD_CONSUMER` → `cmd_consumer`). The Verilog is a `case` over the
//! map's offsets (a parallel select, not a chain of compares), generated
//! here from the map like the simulation model below, so no offset is
//! typed twice. A write-only register reads 0; an address outside the map
//! reads 0 with `read_error`.

use liqscan_core::spec::registers::{register_at, Access, Register, MAP};
use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

use super::{Word, WordAddr, WORD_ADDR_BITS};

/// The map's registers that a read returns a value of: one word, not write-only.
pub fn readable() -> impl Iterator<Item = &'static Register> {
    MAP.iter()
        .flat_map(|block| block.registers)
        .filter(|r| r.words == 1 && r.access != Access::Wo)
}

/// The register at a word address, if the map has one.
fn at(word: usize) -> Option<&'static Register> {
    register_at(u32::try_from(word * 4).ok()?)
}

/// The read port and decode of the register map.
#[derive(LogicBlock, Default)]
pub struct ReadSelect {
    pub clock: Signal<In, Clock>,
    /// Registers the word at `read_addr` on this edge.
    pub read: Signal<In, bool>,
    pub read_addr: Signal<In, WordAddr>,
    /// The word at the last `read` (0 for a write-only register or an address outside the map).
    pub read_data: Signal<Out, Word>,
    /// The last `read`'s address is outside the map.
    pub read_error: Signal<Out, bool>,
    /// `write_addr` is mapped (combinational).
    pub write_addr: Signal<In, WordAddr>,
    pub write_mapped: Signal<Out, bool>,
    pub magic: Signal<In, Word>,
    pub version: Signal<In, Word>,
    pub spec_hash: Signal<In, Word>,
    pub lanes: Signal<In, Word>,
    pub slots: Signal<In, Word>,
    pub symbols: Signal<In, Word>,
    pub pipeline_depth: Signal<In, Word>,
    pub cmd_entries: Signal<In, Word>,
    pub control: Signal<In, Word>,
    pub status: Signal<In, Word>,
    pub errors: Signal<In, Word>,
    pub scratch: Signal<In, Word>,
    pub cmd_producer: Signal<In, Word>,
    pub cmd_consumer: Signal<In, Word>,
    pub tick_symbol: Signal<In, Word>,
    pub tick_price: Signal<In, Word>,
    pub tick_seq: Signal<In, Word>,
    pub tick_done_seq: Signal<In, Word>,
    pub cycles_lo: Signal<In, Word>,
    pub cycles_hi: Signal<In, Word>,
    pub last_scan_cycles: Signal<In, Word>,
    pub ticks: Signal<In, Word>,
    pub results: Signal<In, Word>,
    pub stall_cycles: Signal<In, Word>,
}

impl ReadSelect {
    /// The input named after `register`, or `None` if this block has none
    /// (the tests check that every readable register has one).
    pub fn input(&self, register: &str) -> Option<&Signal<In, Word>> {
        Some(match register {
            "MAGIC" => &self.magic,
            "VERSION" => &self.version,
            "SPEC_HASH" => &self.spec_hash,
            "LANES" => &self.lanes,
            "SLOTS" => &self.slots,
            "SYMBOLS" => &self.symbols,
            "PIPELINE_DEPTH" => &self.pipeline_depth,
            "CMD_ENTRIES" => &self.cmd_entries,
            "CONTROL" => &self.control,
            "STATUS" => &self.status,
            "ERRORS" => &self.errors,
            "SCRATCH" => &self.scratch,
            "CMD_PRODUCER" => &self.cmd_producer,
            "CMD_CONSUMER" => &self.cmd_consumer,
            "TICK_SYMBOL" => &self.tick_symbol,
            "TICK_PRICE" => &self.tick_price,
            "TICK_SEQ" => &self.tick_seq,
            "TICK_DONE_SEQ" => &self.tick_done_seq,
            "CYCLES_LO" => &self.cycles_lo,
            "CYCLES_HI" => &self.cycles_hi,
            "LAST_SCAN_CYCLES" => &self.last_scan_cycles,
            "TICKS" => &self.ticks,
            "RESULTS" => &self.results,
            "STALL_CYCLES" => &self.stall_cycles,
            _ => return None,
        })
    }
}

impl Logic for ReadSelect {
    fn update(&mut self) {
        self.write_mapped.next = at(self.write_addr.val().index()).is_some();
        if self.clock.pos_edge() && self.read.val() {
            let (data, error) = match at(self.read_addr.val().index()) {
                None => (Word::default(), true),
                Some(r) if r.words > 1 || r.access == Access::Wo => (Word::default(), false),
                Some(r) => (
                    self.input(r.name)
                        .unwrap_or_else(|| panic!("ReadSelect has no input for {}", r.name))
                        .val(),
                    false,
                ),
            };
            self.read_data.next = data;
            self.read_error.next = error;
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
        self.read_error.connect();
        self.write_mapped.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(verilog())
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "read_select".into(),
            clock: "clock".into(),
            inputs: vec!["read".into(), "read_addr".into()],
            outputs: vec!["read_data".into(), "read_error".into()],
        }]
    }
}

/// The body: the mapped single words by `case`, the wider ranges (the
/// command ring) by compare.
fn verilog() -> String {
    let n = WORD_ADDR_BITS;
    let word = |r: &Register| r.offset as usize / 4;
    let singles: Vec<&Register> = MAP
        .iter()
        .flat_map(|b| b.registers)
        .filter(|r| r.words == 1)
        .collect();
    let ranges: Vec<String> = MAP
        .iter()
        .flat_map(|b| b.registers)
        .filter(|r| r.words > 1)
        .map(|r| {
            format!(
                "({{1'b0, ADDR}} >= {w}'d{}) && ({{1'b0, ADDR}} < {w}'d{})",
                word(r),
                word(r) + r.words as usize,
                w = n + 1
            )
        })
        .collect();
    let in_range = |addr: &str| {
        if ranges.is_empty() {
            "1'b0".to_string()
        } else {
            ranges.join(" || ").replace("ADDR", addr)
        }
    };
    let labels: Vec<String> = singles
        .iter()
        .map(|r| format!("{n}'d{}", word(r)))
        .collect();
    let mut read_arms = String::new();
    for r in &singles {
        let value = if r.access == Access::Wo {
            "32'd0".to_string()
        } else {
            r.name.to_lowercase()
        };
        read_arms += &format!(
            "         {n}'d{}: begin read_data <= {value}; read_error <= 1'b0; end // {}\n",
            word(r),
            r.name
        );
    }
    format!(
        "\
initial begin
   read_data = 32'd0;
   read_error = 1'b0;
end
always @(*) begin
   case (write_addr)
      {labels}: write_mapped = 1'b1;
      default: write_mapped = {write_range};
   endcase
end
always @(posedge clock) begin
   if (read) begin
      read_data <= 32'd0;
      read_error <= !({read_range});
      case (read_addr)
{read_arms}         default: ;
      endcase
   end
end
",
        labels = labels.join(", "),
        write_range = in_range("write_addr"),
        read_range = in_range("read_addr"),
    )
}
