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
/// enable come from the lane's copies for the compare's row).
#[test]
fn ecp5_cap_compare_keeps_its_registers() {
    use liqscan_hw::compare::{CapCompare, WIDE};

    let verilog = generate(&mut CapCompare::default()).expect("Verilog");
    let registers = 1 + WIDE + 1 + 1;
    let script = format!(
        "read_verilog top.v; synth_ecp5 -top {TOP_MODULE}; \
         select -assert-count {registers} t:TRELLIS_FF; \
         select -assert-none t:MULT18X18D t:DP16KD t:TRELLIS_DPR16X4 %u"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}

/// The final adder's limbs are carry chains side by side on the ECP5: no
/// chain's sum feeds another chain in the same cycle. (`x + y + 1` next to
/// `x + y` comes out as the shared `x + y` and a second chain adding 1
/// behind it, twice the carry path of one limb.)
#[test]
fn ecp5_wide_adder_chains_side_by_side() {
    use liqscan_hw::mul::WideAdder;

    let verilog = generate(&mut WideAdder::default()).expect("Verilog");
    let script = format!(
        "read_verilog top.v; synth_ecp5 -top {TOP_MODULE}; \
         select -assert-min 50 t:CCU2C; \
         select -assert-none t:CCU2C %x:+[S0,S1] t:CCU2C %d \
         %x:+[A0,A1,B0,B1,C0,C1,D0,D1] t:CCU2C %i"
    );
    run_tool(&verilog, "yosys", &["-q", "-p", &script]);
}
