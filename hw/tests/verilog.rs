//! The generated Verilog: its port list, `verilator --lint-only -Wall`, and
//! yosys synthesis with `check -assert`.

use std::process::Command;

use liqscan_hw::scanner::{ports, Scanner};
use liqscan_hw::top::LiqscanTop;
use liqscan_hw::verilog::{
    generate, lint_waiver, parse_ports, scanner_verilog, top_verilog, Build, VerilogError,
    TOP_MODULE,
};

/// Writes `verilog` to `DIR/top.v` (named after its top module) and runs `tool` there.
fn run_tool(verilog: &str, tool: &str, args: &[&str]) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(format!("{TOP_MODULE}.v")), verilog).expect("write Verilog");
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {tool} (scripts/install-deps.sh installs it): {e}"));
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{tool} failed:\n{}", tail(&log));
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// `verilator --lint-only -Wall` finds nothing but the messages
/// `lint_waiver` expects, each for its stated reason.
fn lint(lanes: usize, build: Build) {
    let verilog = scanner_verilog(lanes, build).expect("Verilog");
    check_ports(&verilog, lanes, build);
    lint_text(&verilog, &format!("{lanes} lane(s), {build:?}"));
}

/// `liqscan_top`: its ports are `top::ports()`, and it lints like the scanner.
fn lint_top(lanes: usize, build: Build) {
    let verilog = top_verilog(lanes, build).expect("Verilog");
    let declared = parse_ports(&verilog, TOP_MODULE).expect("the top module's ports");
    assert_eq!(declared, liqscan_hw::top::ports());
    lint_text(
        &verilog,
        &format!("liqscan_top, {lanes} lane(s), {build:?}"),
    );
}

fn lint_text(verilog: &str, what: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(format!("{TOP_MODULE}.v")), verilog).expect("write Verilog");
    let out = Command::new("verilator")
        .args([
            "--lint-only",
            "-Wall",
            "-Wno-fatal",
            "--top-module",
            TOP_MODULE,
        ])
        // rust-hdl writes the whole module hierarchy into one file.
        .arg("-Wno-DECLFILENAME")
        .arg(format!("{TOP_MODULE}.v"))
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run verilator (scripts/install-deps.sh installs it): {e}")
        });
    let log = String::from_utf8_lossy(&out.stderr);
    let unwaived: Vec<&str> = log
        .lines()
        .filter(|line| line.starts_with('%') && lint_waiver(line, verilog).is_none())
        .collect();
    assert!(
        out.status.success() && unwaived.is_empty(),
        "verilator lint of {what}:\n{}",
        tail(&unwaived.join("\n"))
    );
}

/// The top module declares exactly `scanner::ports`, in order.
fn check_ports(verilog: &str, lanes: usize, build: Build) {
    let declared = parse_ports(verilog, TOP_MODULE).expect("the top module's ports");
    assert_eq!(declared, ports(lanes, build.symbol_bits()));
}

#[test]
fn lint_one_lane_fpga() {
    lint(1, Build::Fpga);
}

#[test]
fn lint_one_lane_sim() {
    lint(1, Build::Sim);
}

#[test]
fn lint_eight_lanes_fpga() {
    lint(8, Build::Fpga);
}

#[test]
fn lint_eight_lanes_sim() {
    lint(8, Build::Sim);
}

#[test]
fn lint_top_one_lane_fpga() {
    lint_top(1, Build::Fpga);
}

#[test]
fn lint_top_eight_lanes_fpga() {
    lint_top(8, Build::Fpga);
}

/// `liqscan_top` around a reduced scanner (1 lane, 32 slots, 8 symbols)
/// synthesizes and passes yosys's checks.
#[test]
fn yosys_synthesizes_reduced_top() {
    let verilog = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| generate(&mut LiqscanTop::<1, 5, 3, 5>::default()))
        .expect("spawn")
        .join()
        .expect("generator")
        .expect("Verilog");
    let script = format!("read_verilog top.v; synth -top {TOP_MODULE}; check -assert");
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}

#[test]
fn rejects_unsupported_lane_counts() {
    assert_eq!(scanner_verilog(3, Build::Fpga), Err(VerilogError::Lanes(3)));
    assert_eq!(
        scanner_verilog(32, Build::Sim),
        Err(VerilogError::Lanes(32))
    );
    assert_eq!(top_verilog(3, Build::Fpga), Err(VerilogError::Lanes(3)));
}

/// Generic `synth` would turn the full build's memories into flip-flops, so
/// this synthesizes a reduced-capacity instance (1 lane, 32 slots, 8
/// symbols) with the full datapath; scripts/synth.sh maps the FPGA build
/// onto the ECP5's block RAM.
#[test]
fn yosys_synthesizes_reduced_one_lane() {
    let verilog = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| generate(&mut Scanner::<1, 5, 3, 5>::default()))
        .expect("spawn")
        .join()
        .expect("generator")
        .expect("Verilog");
    let script = format!("read_verilog top.v; synth -top {TOP_MODULE}; check -assert");
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}

/// With `LIQSCAN_ECP5` defined (as scripts/synth.sh does) a multiplier is
/// one MULT18X18D whose input and output registers hold the whole pipeline:
/// ECP5 synthesis leaves no fabric register or LUT beside it. Without the
/// define the same block is plain Verilog, which the simulations run.
#[test]
fn ecp5_multipliers_are_registered_dsp_blocks() {
    use liqscan_hw::dsp::{Mul16, ECP5_DEFINE};
    let verilog = generate(&mut Mul16::default()).expect("Verilog");
    let registered = ["REG_INPUTA_CLK", "REG_INPUTB_CLK", "REG_OUTPUT_CLK"]
        .map(|p| format!("r:{p}=CLK0 %i"))
        .join(" ");
    let script = format!(
        "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -top {TOP_MODULE}; \
         select -assert-count 1 t:MULT18X18D; \
         select -assert-count 1 t:MULT18X18D {registered}; \
         select -assert-count 1 t:MULT18X18D r:REG_PIPELINE_CLK=NONE %i; \
         select -assert-none t:TRELLIS_FF t:LUT4 %u"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    // The plain branch: one multiplier and three enabled registers (a, b, p).
    let script = format!(
        "read_verilog top.v; prep -top {TOP_MODULE}; check -assert; \
         select -assert-count 1 t:$mul; select -assert-count 3 t:$dff t:$dffe %u"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}

/// With `LIQSCAN_ECP5` defined a first-level enable copy is one flip-flop
/// with `ready` on its synchronous set, `!busy` on its data input from its
/// own LUT (which the placer packs into the flip-flop's slice), and no other
/// cell, so `q` is the flip-flop's output and no routed net of the enable
/// passes a LUT. Without the define
/// it is the same register in plain Verilog.
#[test]
fn ecp5_ready_copies_need_no_logic_before_their_flip_flop() {
    use liqscan_hw::dsp::ECP5_DEFINE;
    use liqscan_hw::fanout::ReadyCopy;
    let verilog = generate(&mut ReadyCopy::default()).expect("Verilog");
    let script = format!(
        "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -top {TOP_MODULE}; \
         select -assert-count 1 t:TRELLIS_FF; \
         select -assert-count 1 t:TRELLIS_FF r:SRMODE=LSR_OVER_CE %i r:REGSET=SET %i; \
         select -assert-count 1 w:ready %co:+[LSR] t:TRELLIS_FF %i; \
         select -assert-count 1 t:LUT4; \
         select -assert-count 1 w:busy %co:+[A] t:LUT4 %i; \
         select -assert-count 1 t:LUT4 %co:+[Z] %co:+[DI] t:TRELLIS_FF %i; \
         select -assert-count 2 t:*"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    let script = format!(
        "read_verilog top.v; prep -top {TOP_MODULE}; check -assert; \
         select -assert-count 1 t:$dff t:$sdff %u"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}

/// With `LIQSCAN_ECP5` defined each of a lane's three result port field
/// groups has its selects on its own: two history copies and three select
/// registers a group (15 flip-flops, none merged), each select one LUT of
/// `ready`, `busy` and its group's history, and each of the nine outputs
/// driven by a flip-flop of its own. Merged back into one set (the
/// simulations' form), the count fails. The two forms are the same
/// function, proved with yosys's ECP5 cell models; without the define it
/// is one set of five registers.
#[test]
fn ecp5_port_selects_are_apart_for_each_field_group() {
    use liqscan_hw::dsp::ECP5_DEFINE;
    use liqscan_hw::fanout::{PortSelects, PORT_GROUPS};
    let verilog = generate(&mut PortSelects::default()).expect("Verilog");
    let mut script = format!(
        "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -top {TOP_MODULE}; \
         select -assert-count 15 t:TRELLIS_FF; \
         select -assert-count 12 t:LUT4; \
         select -assert-count 3 w:ready %co:+[LSR] t:TRELLIS_FF %i; \
         select -assert-count 9 w:ready %co:+[A] t:LUT4 %i; \
         select -assert-count 12 w:busy %co:+[A,B] t:LUT4 %i; \
         select -assert-count 9 w:back* %ci:+[Q] t:TRELLIS_FF %i; "
    );
    for g in PORT_GROUPS {
        // The group's three selects read its own history copies only.
        script.push_str(&format!(
            "select -assert-count 2 w:back*_{g} %ci:+[Q] t:TRELLIS_FF %i %ci:+[DI] %ci:+[Z] \
             t:LUT4 %i %ci:+[C,D] %ci:+[Q] t:TRELLIS_FF %i; \
             select -assert-count 3 w:back*_{g} %ci:+[Q] t:TRELLIS_FF %i; "
        ));
    }
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    let script = format!(
        "read_verilog top.v; prep -top {TOP_MODULE}; check -assert; \
         select -assert-count 5 t:$dff"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    prove_selects_forms_equal(&verilog, "-set-init-zero");
}

/// Proves a block's two forms equal with yosys: `gold` the plain Verilog,
/// `gate` the `LIQSCAN_ECP5` form through yosys's ECP5 cell models
/// (`cells_sim.v`), from the state of all registers zero through six clock
/// edges;
/// `sat` takes extra options.
fn prove_selects_forms_equal(verilog: &str, sat: &str) {
    use liqscan_hw::dsp::ECP5_DEFINE;
    let script = format!(
        "read_verilog -D{ECP5_DEFINE} top.v; rename {TOP_MODULE} gate; \
         read_verilog top.v; rename {TOP_MODULE} gold; \
         read_verilog +/ecp5/cells_sim.v; hierarchy -check; proc; flatten -wb; opt_clean; \
         miter -equiv -flatten -make_outputs gold gate miter; hierarchy -top miter; \
         sat -verify -prove trigger 0 -seq 6 {sat} miter"
    );
    run_tool(verilog, "yosys", &["-q", "-p", &script]);
}

/// With `LIQSCAN_ECP5` defined a memory of at most 2^14 words is whole
/// DP16KD blocks, each as wide as its depth allows, read through the block's
/// output register. Beside them ECP5 synthesis leaves no LUT or distributed
/// RAM and exactly the port registers: per group of `GROUP_TILES` blocks its
/// own read enable, read address, write enable and write address (none
/// merged with another group's), and the write data. Without the define it
/// is the plain pipeline the simulations run.
#[test]
fn ecp5_memories_are_block_rams_with_output_registers() {
    use liqscan_hw::dsp::ECP5_DEFINE;
    use liqscan_hw::memory::{Memory, GROUP_TILES};
    use rust_hdl::prelude::Bits;

    fn check<const W: usize, const N: usize>(blocks: usize, block_width: usize) {
        let verilog = generate(&mut Memory::<Bits<W>, N>::default()).expect("Verilog");
        let groups = blocks.div_ceil(GROUP_TILES);
        let registers = groups * (2 + 2 * N) + W;
        let script = format!(
            "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -top {TOP_MODULE}; \
             select -assert-count {blocks} t:DP16KD; \
             select -assert-count {blocks} t:DP16KD r:REGMODE_B=OUTREG %i r:REGMODE_A=NOREG %i; \
             select -assert-count {blocks} t:DP16KD r:DATA_WIDTH_B={block_width} %i r:DATA_WIDTH_A={block_width} %i; \
             select -assert-count {registers} t:TRELLIS_FF; \
             select -assert-none t:LUT4 t:TRELLIS_DPR16X4 %u"
        );
        run_tool(&verilog, "yosys", &["-q", "-p", &script]);
        // The plain branch: one memory; the enable, address, array and output
        // registers; the write enable, address and data registers.
        let script = format!(
            "read_verilog top.v; prep -top {TOP_MODULE}; check -assert; \
             select -assert-count 1 t:$mem_v2; select -assert-count 7 t:$dff t:$dffe %u"
        );
        run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    }
    // The FPGA build's shapes: a one-lane and an eight-lane position bank
    // (offset words), the bracket banks and the region table.
    check::<108, 14>(108, 1);
    check::<108, 11>(12, 9);
    check::<32, 12>(8, 4);
    check::<244, 10>(14, 18);
    check::<32, 8>(2, 18);
}

/// A field of a lane's bracket table is LUT RAM on the ECP5: four RAMs of
/// `ceil(W / 4)` TRELLIS_DPR16X4 each, no block RAM, and beside them only
/// the write port's controls (the write enable and the 2-bit row) and the
/// 4-bit select copy as registers. Without the ECP5 flow it is one
/// asynchronous-read memory per bank.
#[test]
fn ecp5_table_fields_are_lut_ram() {
    use liqscan_hw::table::{TableField, BANKS};

    fn check<const W: usize>() {
        let verilog = generate(&mut TableField::<W>::default()).expect("Verilog");
        let rams = BANKS * W.div_ceil(4);
        let registers = 1 + 2 + 4;
        let script = format!(
            "read_verilog top.v; synth_ecp5 -top {TOP_MODULE}; \
             select -assert-count {rams} t:TRELLIS_DPR16X4; \
             select -assert-none t:DP16KD; \
             select -assert-count {registers} t:TRELLIS_FF"
        );
        run_tool(&verilog, "yosys", &["-q", "-p", &script]);
        let script = format!(
            "read_verilog top.v; prep -top {TOP_MODULE}; check -assert; \
             select -assert-count {BANKS} t:$mem_v2"
        );
        run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    }
    // The lane's fields: maint (low and high part) and a weight.
    check::<56>();
    check::<51>();
    check::<37>();
}

/// A lane delay line is one LUT RAM deep on the ECP5: `ceil(W / 4)`
/// TRELLIS_DPR16X4, no block RAM, and as registers only the `W`-bit output,
/// the two 4-bit pointers and the enable copy. (The read pointer is the
/// write pointer less `DEPTH − 1`, so the two agree in as many low bits as
/// `DEPTH − 1` has trailing zeros, and synthesis keeps one flip-flop for
/// each of those.)
#[test]
fn ecp5_delay_lines_are_lut_ram() {
    use liqscan_hw::delay::DelayLine;

    fn check<const W: usize, const DEPTH: usize>() {
        let verilog = generate(&mut DelayLine::<W, DEPTH>::default()).expect("Verilog");
        let rams = W.div_ceil(4);
        let shared = (DEPTH - 1).trailing_zeros() as usize;
        let registers = W + 4 + 4 + 1 - shared;
        let script = format!(
            "read_verilog top.v; synth_ecp5 -top {TOP_MODULE}; \
             select -assert-count {rams} t:TRELLIS_DPR16X4; \
             select -assert-none t:DP16KD; \
             select -assert-count {registers} t:TRELLIS_FF"
        );
        run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    }
    // The lane's lines: the offset, the maintenance amount, X and the tag.
    check::<108, 15>();
    check::<107, 5>();
    check::<63, 5>();
    check::<32, 16>();
}

/// A cap compare keeps its own registers on the ECP5: the load flag, the
/// 64-bit cap, the comparison's result and the fit (`X` and the clock
/// enable come from the lane's copies for the compare's row; the values are
/// below 2^63, so the cap's bit 63 has no register). With `LIQSCAN_ECP5` the
/// comparison is one carry chain and no LUT: the chain's last cell drives
/// the result's flip-flop.
#[test]
fn ecp5_cap_compare_keeps_its_registers() {
    use liqscan_hw::carry_le::CHAIN_CELLS;
    use liqscan_hw::compare::{CapCompare, WIDE};
    use liqscan_hw::dsp::ECP5_DEFINE;

    let verilog = generate(&mut CapCompare::default()).expect("Verilog");
    // The cap's bit 63 is 0 and compared by no one: its register goes.
    let registers = 1 + (WIDE - 1) + 1 + 1;
    let cells = CHAIN_CELLS;
    let script = format!(
        "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -abc9 -top {TOP_MODULE}; \
         select -assert-count {registers} t:TRELLIS_FF; \
         select -assert-count {cells} t:CCU2C; \
         select -assert-none t:LUT4 t:MULT18X18D t:DP16KD t:TRELLIS_DPR16X4 %u; \
         select -assert-count 1 t:TRELLIS_FF %ci2:+[DI,S1] t:CCU2C %i"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}

/// `CarryLe`'s two forms are one function: with `LIQSCAN_ECP5` a chain of
/// CCU2C cells (simulated by yosys's own ECP5 cell model), without it
/// `x <= cap`; yosys proves them equal for all values below 2^63, from the
/// reset state through three clock edges (the flip-flop holds one sample).
/// On the ECP5 the chain's carry reaches the flip-flop with no LUT between,
/// and yosys maps the plain form to a compare, not the chain.
#[test]
fn ecp5_carry_le_equals_the_plain_compare() {
    use liqscan_hw::carry_le::{CarryLe, CHAIN_CELLS};
    use liqscan_hw::dsp::ECP5_DEFINE;

    let verilog = generate(&mut CarryLe::default()).expect("Verilog");
    // The values are below 2^63 (the ECP5 chain ignores bit 63).
    let wrap = "module WRAP(input clock, input enable, input [62:0] cap, input [62:0] x, output q);
  WRAP u(.clock(clock), .enable(enable), .cap({1'b0, cap}), .x({1'b0, x}), .q(q));
endmodule
";
    prove_forms_equal(&verilog, Some(wrap), "");
    let cells = CHAIN_CELLS;
    let script = format!(
        "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -abc9 -top {TOP_MODULE}; \
         select -assert-count 1 t:TRELLIS_FF; \
         select -assert-count {cells} t:CCU2C; \
         select -assert-none t:LUT4; \
         select -assert-count 1 t:TRELLIS_FF %ci2:+[DI,S1] t:CCU2C %i"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    let script = format!(
        "read_verilog top.v; prep -top {TOP_MODULE}; check -assert; \
         select -assert-count 1 t:$le; select -assert-none t:$sub t:$alu %u; \
         select -assert-count 1 t:$dff t:$dffe t:$sdffe %u"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}

/// LUTs fed by a carry chain's sum outputs (yosys selection): where each
/// chain ends in flip-flops, none.
const LUTS_AFTER_CHAINS: &str = "t:CCU2C %x:+[S0,S1] t:CCU2C %d %x:+[A,B,C,D] t:LUT4 %i";

/// The final adder's limbs are carry chains side by side on the ECP5: no
/// chain's sum feeds another chain in the same cycle. (`x + y + 1` next to
/// `x + y` comes out as the shared `x + y` and a second chain adding 1
/// behind it, twice the carry path of one limb.) With `LIQSCAN_ECP5` no
/// chain's sum feeds a LUT either: abc9 took a `+1` candidate's bit 0 as a
/// LUT inverting the `+0` candidate's chain sum, a second hop after the
/// chain (`PlusOne`, `CarryOut`). Both with the carry-in a constant, as the
/// lane has it, and free. (Without abc9, which the FPGA flow's yosys uses by
/// default: yosys 0.23's abc9 folds `CarryOut`'s chain to a constant, see
/// below. `docs/timing-log.md` has the pinned yosys's netlist checked for
/// LUTs after chains.)
#[test]
fn ecp5_wide_adder_chains_side_by_side() {
    use liqscan_hw::dsp::ECP5_DEFINE;
    use liqscan_hw::mul::WideAdder;
    use rust_hdl::prelude::*;

    #[derive(LogicBlock, Default)]
    struct WithCarryIn {
        clock: Signal<In, Clock>,
        enable: Signal<In, bool>,
        a_lo: Signal<In, Bits<64>>,
        a_hi: Signal<In, Bits<46>>,
        b_lo: Signal<In, Bits<64>>,
        b_hi: Signal<In, Bits<46>>,
        sum_lo: Signal<Out, Bits<64>>,
        sum_hi: Signal<Out, Bits<46>>,
        negative_without_cin: Signal<Out, bool>,
        add: WideAdder,
    }
    impl Logic for WithCarryIn {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, add);
            self.add.enable.next = self.enable.val();
            self.add.a_lo.next = self.a_lo.val();
            self.add.a_hi.next = self.a_hi.val();
            self.add.b_lo.next = self.b_lo.val();
            self.add.b_hi.next = self.b_hi.val();
            self.add.cin.next = true;
            self.sum_lo.next = self.add.sum_lo.val();
            self.sum_hi.next = self.add.sum_hi.val();
            self.negative_without_cin.next = self.add.negative_without_cin.val();
        }
    }

    for verilog in [
        generate(&mut WideAdder::default()).expect("Verilog"),
        generate(&mut WithCarryIn::default()).expect("Verilog"),
    ] {
        let script = format!(
            "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -top {TOP_MODULE}; \
             select -assert-min 50 t:CCU2C; \
             select -assert-none t:CCU2C %x:+[S0,S1] t:CCU2C %d \
             %x:+[A0,A1,B0,B1,C0,C1,D0,D1] t:CCU2C %i; \
             select -assert-none {LUTS_AFTER_CHAINS}"
        );
        run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    }
}

/// Proves a block's two forms equal with yosys: `gold` the plain Verilog,
/// `gate` the `LIQSCAN_ECP5` form through yosys's ECP5 cell models
/// (`cells_sim.v`), both from the reset state (zero) through three clock
/// edges; `wrap` (Verilog with `WRAP` for the module's name) puts each in
/// context when given, and `sat` takes extra options.
fn prove_forms_equal(verilog: &str, wrap: Option<&str>, sat: &str) {
    use liqscan_hw::dsp::ECP5_DEFINE;
    let (mut gold, mut gate) = ("gold".to_string(), "gate".to_string());
    let mut wrappers = String::new();
    if let Some(wrap) = wrap {
        wrappers = format!(
            "{}{}",
            wrap.replace("module WRAP", "module wrap_gold")
                .replace("WRAP ", "gold "),
            wrap.replace("module WRAP", "module wrap_gate")
                .replace("WRAP ", "gate ")
        );
        (gold, gate) = ("wrap_gold".into(), "wrap_gate".into());
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("wrap.v"), &wrappers).expect("write wrappers");
    let script = format!(
        "read_verilog -D{ECP5_DEFINE} top.v; rename {TOP_MODULE} gate; \
         read_verilog top.v; rename {TOP_MODULE} gold; \
         read_verilog {wrap_file}; \
         read_verilog +/ecp5/cells_sim.v; hierarchy -check; proc; flatten -wb; opt_clean; \
         miter -equiv -flatten -make_outputs {gold} {gate} miter; hierarchy -top miter; \
         sat -verify -prove trigger 0 -seq 3 -set-init-zero {sat} miter",
        wrap_file = dir.path().join("wrap.v").display(),
    );
    run_tool(verilog, "yosys", &["-q", "-p", &script]);
}

/// `CarryOut`'s two forms are one function (the ECP5 chain with no bit-0 sum
/// and `a > ¬b`), for the adder's odd width and an even one; on the ECP5 the
/// chain's carry reaches the flip-flop with no LUT between. (Mapped with
/// abc9, yosys 0.23 folds this chain's carry to a constant 0, which the
/// proof above shows it is not; the pinned yosys of the FPGA flow keeps the
/// chain, and so does 0.23 without abc9.)
#[test]
fn ecp5_carry_out_equals_the_plain_form() {
    use liqscan_hw::carry_out::CarryOut;
    use liqscan_hw::dsp::ECP5_DEFINE;

    fn check<const N: usize>() {
        let verilog = generate(&mut CarryOut::<N>::default()).expect("Verilog");
        prove_forms_equal(&verilog, None, "");
        let cells = CarryOut::<N>::CHAIN_CELLS;
        let script = format!(
            "read_verilog -D{ECP5_DEFINE} top.v; synth_ecp5 -top {TOP_MODULE}; \
             select -assert-count 1 t:TRELLIS_FF; \
             select -assert-count {cells} t:CCU2C; \
             select -assert-none t:LUT4; \
             select -assert-count 1 t:TRELLIS_FF %ci2:+[DI,S0,S1] t:CCU2C %i"
        );
        run_tool(&verilog, "yosys", &["-q", "-p", &script]);
    }
    check::<37>();
    check::<8>();
}

/// `PlusOne`'s two forms agree from the first enabled edge on, given the
/// `+0` candidate's register for `zero_lsb` (as `WideAdder` has it): its
/// reset value makes the ECP5 form's bit 0 1 before that edge. For both of
/// the adder's shapes (the carry out kept, and dropped).
#[test]
fn ecp5_plus_one_equals_the_plain_form() {
    use liqscan_hw::plus_one::PlusOne;

    fn check<const N: usize, const M: usize>() {
        let verilog = generate(&mut PlusOne::<N, M>::default()).expect("Verilog");
        let n = N - 1;
        let m = M - 1;
        let wrap = format!(
            "module WRAP(input clock, input enable, input [{n}:0] a, input [{n}:0] b, output [{m}:0] q);
  reg zero = 0;
  always @(posedge clock) if (enable) zero <= a[0] ^ b[0];
  WRAP u(.clock(clock), .enable(enable), .a(a), .b(b), .zero_lsb(zero), .q(q));
endmodule
"
        );
        prove_forms_equal(&verilog, Some(&wrap), "-prove-skip 1 -set-at 1 in_enable 1");
    }
    check::<37, 38>();
    check::<36, 36>();
}
