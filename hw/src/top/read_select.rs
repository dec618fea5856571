//! The register file's address decode, written out of
//! `spec::registers::MAP`: which word addresses are mapped, and the word a
//! read returns, over three edges.
//!
//! One input per readable register, named after it in the map in lower
//! case (`CMD_CONSUMER` → `cmd_consumer`). The Verilog is `case`s
//! (parallel selects, not chains of compares), generated here from the map
//! like the simulation model below, so no offset is typed twice: the edge
//! of a read registers the address's position among the readable registers
//! (or none) and whether it is mapped; the next edge registers, for each
//! group of [`GROUP`] readable registers, the word of the one at the
//! position's place in its group (a four-way select beside the group's
//! registers) and the position's group; the edge after that registers the
//! word of that group. No step holds more than the address decode, a
//! four-way or a seven-way select: the readable registers lie all over the
//! top, and one select of all of them took several LUT levels with a hop
//! between each. A write-only register reads 0; an address outside the map
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

/// Bits of a position among the readable registers (one more for "none").
const INDEX_BITS: usize = 5;
/// Readable registers per group of the second edge's select.
pub const GROUP: usize = 4;
/// Bits of a position within a group.
const GROUP_BITS: usize = GROUP.trailing_zeros() as usize;
/// Edges from `read` to `read_data`.
pub const LATENCY: usize = 3;

/// The position among [`readable`] of the register at a word address, and
/// whether the address is outside the map; `None` reads 0.
fn decode(word: usize) -> (Option<usize>, bool) {
    match at(word) {
        None => (None, true),
        Some(r) => (readable().position(|x| x.offset == r.offset), false),
    }
}

/// The read port and decode of the register map.
#[derive(LogicBlock, Default)]
pub struct ReadSelect {
    pub clock: Signal<In, Clock>,
    /// Decodes `read_addr` on this edge; its word follows [`LATENCY`]
    /// edges later.
    pub read: Signal<In, bool>,
    pub read_addr: Signal<In, WordAddr>,
    /// The word of the `read` three edges before, as it was on the second
    /// (0 for a write-only register or an address outside the map).
    pub read_data: Signal<Out, Word>,
    /// That `read`'s address is outside the map.
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
    /// The simulation's first step: a read decoded on the last edge, its
    /// position and error.
    _decoded: Option<(Option<usize>, bool)>,
    /// Its second: the word as sampled on the read's second edge, and the
    /// error.
    _sampled: Option<(Word, bool)>,
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
        if self.clock.pos_edge() {
            if let Some((word, error)) = self._sampled {
                self.read_data.next = word;
                self.read_error.next = error;
            }
            self._sampled = self._decoded.map(|(index, error)| {
                let register = index.and_then(|i| readable().nth(i));
                let word = match register {
                    None => Word::default(),
                    Some(r) => self
                        .input(r.name)
                        .unwrap_or_else(|| panic!("ReadSelect has no input for {}", r.name))
                        .val(),
                };
                (word, error)
            });
            self._decoded = self
                .read
                .val()
                .then(|| decode(self.read_addr.val().index()));
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
/// command ring) by compare; then each group's word by a `case` on the
/// position's place in the group, and the word by a `case` on its group.
fn verilog() -> String {
    let n = WORD_ADDR_BITS;
    let b = INDEX_BITS;
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
    let none = (1usize << b) - 1;
    assert!(readable().count() < none, "INDEX_BITS too few for the map");
    let mut decode_arms = String::new();
    for r in &singles {
        let (index, _) = decode(word(r));
        decode_arms += &format!(
            "         {n}'d{}: begin sel <= {b}'d{}; sel_error <= 1'b0; end // {}\n",
            word(r),
            index.unwrap_or(none),
            r.name
        );
    }
    // Second edge: each group's word at the position's place in the group
    // (a place past the group's last register reads 0).
    let registers: Vec<&Register> = readable().collect();
    let groups = registers.len().div_ceil(GROUP);
    let none_group = (1usize << (b - GROUP_BITS)) - 1;
    assert!(groups <= none_group, "INDEX_BITS too few for the groups");
    let mut group_regs = String::new();
    let mut group_arms = String::new();
    for (g, members) in registers.chunks(GROUP).enumerate() {
        group_regs += &format!("reg [31:0] group_{g};\ninitial group_{g} = 32'd0;\n");
        group_arms += &format!("   case (sel[{}:0])\n", GROUP_BITS - 1);
        for (i, r) in members.iter().enumerate() {
            group_arms += &format!(
                "      {GROUP_BITS}'d{i}: group_{g} <= {};\n",
                r.name.to_lowercase()
            );
        }
        group_arms += &format!("      default: group_{g} <= 32'd0;\n   endcase\n");
    }
    // Third edge: the position's group's word.
    let mut read_arms = String::new();
    for g in 0..groups {
        read_arms += &format!(
            "         {}'d{g}: read_data <= group_{g};\n",
            b - GROUP_BITS
        );
    }
    format!(
        "\
reg [{msb}:0] sel;
reg sel_error;
reg decoded;
reg [{gmsb}:0] group_sel;
reg group_error;
reg sampled;
{group_regs}initial begin
   read_data = 32'd0;
   read_error = 1'b0;
   sel = {b}'d{none};
   sel_error = 1'b0;
   decoded = 1'b0;
   group_sel = {gb}'d{none_group};
   group_error = 1'b0;
   sampled = 1'b0;
end
always @(*) begin
   case (write_addr)
      {labels}: write_mapped = 1'b1;
      default: write_mapped = {write_range};
   endcase
end
always @(posedge clock) begin
   decoded <= read;
   if (read) begin
      sel <= {b}'d{none};
      sel_error <= !({read_range});
      case (read_addr)
{decode_arms}         default: ;
      endcase
   end
   // The groups' words and the group follow `sel` on every edge: on the
   // edge after a read's decode they hold its word's group.
   sampled <= decoded;
   group_sel <= sel[{msb}:{GROUP_BITS}];
   group_error <= sel_error;
{group_arms}   if (sampled) begin
      read_error <= group_error;
      case (group_sel)
{read_arms}         default: read_data <= 32'd0;
      endcase
   end
end
",
        msb = b - 1,
        gmsb = b - GROUP_BITS - 1,
        gb = b - GROUP_BITS,
        labels = labels.join(", "),
        write_range = in_range("write_addr"),
        read_range = in_range("read_addr"),
    )
}
