//! One 16×16 unsigned multiply with registered operands and product.
//!
//! yosys maps a Verilog `*` onto an ECP5 MULT18X18D without its internal
//! registers, so a fabric register → multiplier → fabric register path pays
//! the multiplier's whole combinational delay plus two routes in one cycle.
//! With its input and output registers switched on, the block's paths start
//! and end inside it and the fabric sees only a clock-to-output and a setup.
//!
//! The Verilog instantiates the primitive when `LIQSCAN_ECP5` is defined
//! (`scripts/synth.sh` defines it) and is otherwise the same two-stage
//! pipeline in plain Verilog (Verilator, generic yosys), which is also what
//! the rust-hdl simulation runs.

use rust_hdl::core::prelude::*;
use rust_hdl::core::timing::TimingInfo;

/// `p = a·b`, [`Mul16::LATENCY`] enabled edges after `a` and `b` are sampled.
#[derive(LogicBlock, Default)]
pub struct Mul16 {
    pub clock: Signal<In, Clock>,
    /// Clock enable of both register stages.
    pub enable: Signal<In, bool>,
    pub a: Signal<In, Bits<16>>,
    pub b: Signal<In, Bits<16>>,
    pub p: Signal<Out, Bits<32>>,
    // The input registers (simulation side).
    _a: Bits<16>,
    _b: Bits<16>,
}

impl Mul16 {
    /// Enabled edges from sampling the operands to the product on `p`.
    pub const LATENCY: usize = 2;
}

/// The macro that selects the ECP5 primitive in the generated Verilog.
pub const ECP5_DEFINE: &str = "LIQSCAN_ECP5";

impl Logic for Mul16 {
    fn update(&mut self) {
        if self.clock.pos_edge() && self.enable.val() {
            self.p.next = self._a * self._b;
            self._a = self.a.val();
            self._b = self.b.val();
        }
    }

    fn connect(&mut self) {
        self.p.connect();
    }

    fn hdl(&self) -> Verilog {
        let operand = |port: char, name: &str| {
            (0..18)
                .map(|i| match i {
                    0..=15 => format!(".{port}{i}({name}[{i}])"),
                    _ => format!(".{port}{i}(1'b0)"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let product = (0..36)
            .map(|i| format!(".P{i}(product[{i}])"))
            .collect::<Vec<_>>()
            .join(", ");
        let c_tied = (0..18)
            .map(|i| format!(".C{i}(1'b0)"))
            .collect::<Vec<_>>()
            .join(", ");
        Verilog::Custom(format!(
            "\
`ifdef {ECP5_DEFINE}
// Input registers A and B and the output register, all on CLK0 with CE0;
// no pipeline register between the multiplier and the output register.
wire [35:0] product;
MULT18X18D #(
   .REG_INPUTA_CLK(\"CLK0\"), .REG_INPUTA_CE(\"CE0\"), .REG_INPUTA_RST(\"RST0\"),
   .REG_INPUTB_CLK(\"CLK0\"), .REG_INPUTB_CE(\"CE0\"), .REG_INPUTB_RST(\"RST0\"),
   .REG_PIPELINE_CLK(\"NONE\"),
   .REG_OUTPUT_CLK(\"CLK0\"), .REG_OUTPUT_CE(\"CE0\"), .REG_OUTPUT_RST(\"RST0\"),
   .GSR(\"DISABLED\"), .RESETMODE(\"SYNC\")
) dsp (
   {a_pins},
   {b_pins},
   {c_tied},
   .SIGNEDA(1'b0), .SIGNEDB(1'b0), .SOURCEA(1'b0), .SOURCEB(1'b0),
   .CLK0(clock), .CLK1(1'b0), .CLK2(1'b0), .CLK3(1'b0),
   .CE0(enable), .CE1(1'b0), .CE2(1'b0), .CE3(1'b0),
   .RST0(1'b0), .RST1(1'b0), .RST2(1'b0), .RST3(1'b0),
   {product}
);
always @(*) p = product[31:0];
`else
reg [15:0] a_q;
reg [15:0] b_q;
always @(posedge clock) begin
   if (enable) begin
      a_q <= a;
      b_q <= b;
      p <= a_q * b_q;
   end
end
`endif
",
            a_pins = operand('A', "a"),
            b_pins = operand('B', "b"),
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "mul16".into(),
            clock: "clock".into(),
            inputs: vec!["a".into(), "b".into(), "enable".into()],
            outputs: vec!["p".into()],
        }]
    }
}
