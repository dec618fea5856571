//! The build script's parts: Verilator's name mangling, the generated
//! sources, the module sharing, the yosys pass and the cache keys
//! (compiled here from `sim/build/`).

#[path = "../build/codegen.rs"]
mod codegen;
#[path = "../build/copies.rs"]
mod copies;
#[path = "../build/ico.rs"]
mod ico;
#[path = "../build/lane_ports.rs"]
mod lane_ports;
#[path = "../build/lanes.rs"]
mod lanes;
#[path = "../build/prepass.rs"]
mod prepass;
#[path = "../build/share.rs"]
mod share;
#[path = "../build/verilator.rs"]
#[allow(dead_code)]
mod verilator;

use std::path::Path;

use codegen::{cpp_name, Verilated};
use liqscan_hw::verilog::parse_ports;

/// A one-lane scanner's ports, as RustHDL declares them.
const VERILOG: &str = "\n\nmodule top(clock,at_equal,pos_wr_offset,tick_valid,tick_symbol,tick_price,res_ready,\
    res_valid$0,res_slot$0,res_shortfall$0,busy,done,cycles);\n\
    \n// Module arguments\ninput wire  clock;\ninput wire  at_equal;\ninput wire signed [107:0] pos_wr_offset;\n\
    input wire  tick_valid;\ninput wire  [11:0] tick_symbol;\ninput wire  [31:0] tick_price;\ninput wire  res_ready;\n\
    output wire  res_valid$0;\noutput reg  [31:0] res_slot$0;\noutput reg signed [109:0] res_shortfall$0;\n\
    output reg  busy;\noutput reg  done;\noutput reg  [31:0] cycles;\n\n// Local signals\nreg  [3:0] step;\n\
    \nendmodule // top\n\nmodule top$lanes$0(clock,in_valid);\ninput wire  clock;\ninput wire  in_valid;\nendmodule\n";

#[test]
fn mangles_names_like_verilator() {
    assert_eq!(cpp_name("res_valid$0"), "res_valid__0240");
    assert_eq!(cpp_name("res_shortfall$12"), "res_shortfall__02412");
    assert_eq!(cpp_name("a__b"), "a___05Fb");
    assert_eq!(cpp_name("pos_wr_offset"), "pos_wr_offset");
}

#[test]
fn generates_a_case_per_port() {
    let model = Verilated {
        lanes: 1,
        top: false,
        traced: false,
        prefix: "Vscan1".into(),
        ports: parse_ports(VERILOG, "top").unwrap(),
        clock: "clock".into(),
        clock_prev: Some("__Vtrigrprev__TOP__clock".into()),
        split: false,
    };
    let top = Verilated {
        lanes: 8,
        top: true,
        prefix: "Vtop8".into(),
        ..model.clone()
    };
    let cpp = codegen::models_cpp(&[model.clone(), top.clone()]);
    // Inputs are settable, every port readable, each under its mangled name.
    assert!(cpp.contains("case 2: liqscan::put(top_.pos_wr_offset, w)"));
    assert!(!cpp.contains("liqscan::put(top_.res_valid__0240"));
    assert!(cpp.contains("case 9: liqscan::take(top_.res_shortfall__0240, w)"));
    assert!(cpp.contains("top_.rootp->__Vtrigrprev__TOP__clock = 0;"));
    assert!(cpp.contains("case 1: return new Model1();"));
    // Each module has its own factory.
    let top_factory = &cpp[cpp.find("make_top_model").unwrap()..];
    assert!(top_factory.contains("case 8: return new TopModel8();"));
    assert!(!top_factory.contains("Model1()"));
    let rs = codegen::ports_rs(&[model, top], None);
    assert!(rs.contains("pub const BUILT_LANES: &[usize] = &[1];"));
    assert!(rs.contains("pub const TOP_BUILT_LANES: &[usize] = &[8];"));
    assert!(rs.contains("8 => Some(PORTS_TOPMODEL8),"));
    assert!(rs.contains(
        r#"PortInfo { name: "res_shortfall$0", output: true, width: 110, signed: true }"#
    ));
    let missing = codegen::ports_rs(&[], Some("no verilator"));
    assert!(missing.contains(r#"pub const MISSING: Option<&str> = Some("no verilator");"#));
}

fn scanner_model(traced: bool) -> Verilated {
    Verilated {
        lanes: 1,
        top: false,
        traced,
        prefix: if traced { "Vscant1" } else { "Vscan1" }.into(),
        ports: parse_ports(VERILOG, "top").unwrap(),
        clock: "clock".into(),
        clock_prev: Some("__Vtrigrprev__TOP__clock".into()),
        split: false,
    }
}

/// A scanner's class runs whole scans (`liqscan::run_scan`) on its own
/// ports: the tick driven, each lane's result taken into the buffer.
#[test]
fn a_scanner_runs_its_scans_in_cpp() {
    let cpp = codegen::models_cpp(&[scanner_model(false)]);
    assert!(cpp.contains("class Model1 final : public liqscan::Scanner {"));
    assert!(cpp.contains("static constexpr uint32_t kLanes = 1;"));
    assert!(cpp.contains("bool done() const { return top_.done; }"));
    assert!(cpp.contains("bool any_valid() const { return (owns(0) && top_.res_valid__0240); }"));
    assert!(cpp.contains("        if (owns(0) && top_.res_valid__0240) {\n            out[n] = liqscan::Hit{};\n            out[n].slot = top_.res_slot__0240;\n            liqscan::take(top_.res_shortfall__0240, out[n].shortfall);"));
    assert!(cpp.contains("        top_.tick_symbol = symbol;\n        top_.tick_price = price;\n        top_.tick_valid = 1;\n        top_.res_ready = 1;\n        edge();\n        top_.tick_valid = 0;"));
    assert!(cpp
        .contains("return liqscan::run_scan(*this, *scan, ready, n_ready, out, capacity, *hits);"));
    // No tracing in an untraced build: no writer, an empty traced factory.
    assert!(!cpp.contains("waves.h") && !cpp.contains("traceEverOn"));
    let traced_factory = &cpp[cpp.find("make_traced_model").unwrap()..];
    let traced_factory = &traced_factory[..traced_factory.find("make_top_model").unwrap()];
    assert!(!traced_factory.contains("case"), "{traced_factory}");
}

/// A scanner whose lanes' edge calls were handed to the runtime can run
/// on two replicas: each owns half of the lanes, every input and edge
/// goes to both, a lane's outputs come from its owner, and a scan runs on
/// both (`liqscan::SplitScan`).
#[test]
fn a_split_scanner_drives_both_replicas() {
    let mut model = Verilated {
        lanes: 2,
        split: true,
        prefix: "Vscan2".into(),
        ..scanner_model(false)
    };
    let lane1: Vec<_> = model
        .ports
        .iter()
        .filter(|p| p.lane() == Some(0))
        .map(|p| liqscan_hw::verilog::Port {
            name: p.name.replace("$0", "$1"),
            ..p.clone()
        })
        .collect();
    model.ports.extend(lane1);
    let cpp = codegen::models_cpp(&[model]);
    let class = &cpp[cpp.find("class Model2 final").unwrap()..];
    assert!(class.contains("struct Replica {"));
    assert!(class.contains("a_.lanes_ = liqscan::LaneRange{0, 1};"));
    assert!(class.contains("b_->lanes_ = liqscan::LaneRange{1, 2};"));
    assert!(class.contains(
        "liqscan::put(a_.top_.pos_wr_offset, w);\n                a_.inputs_changed_ = true;\n                \
         if (b_) {\n                    liqscan::put(b().top_.pos_wr_offset, w);\n                    \
         b_->inputs_changed_ = true;"
    ));
    assert!(class.contains("liqscan::take(owner(1).top_.res_slot__0241, w)"));
    // The second replica's start of a tick waits for its scan, or for the
    // replica's next use.
    assert!(class
        .contains("b_start_ = liqscan::Start{symbol, price};\n            b_starting_ = true;"));
    assert!(class.contains("return b_ && b_->owns(lane) ? b() : a_;"));
    assert!(class.contains("if (b_) b().edge();") && class.contains("if (b_) b().eval();"));
    assert!(class.contains("liqscan::put(b().top_.pos_wr_offset, w);"));
    assert!(class.contains("liqscan::take(owner(0).top_.res_valid__0240, w)"));
    assert!(class.contains("liqscan::take(a_.top_.busy, w)"));
    // A replica evaluates its own lanes, says whether its inputs changed
    // since its last eval (its writes note it), and its edge its own eval.
    assert!(class.contains(
        "liqscan::EvaluationScope scope({lanes_, inputs_changed_});\n            \
         inputs_changed_ = false;\n            top_.eval();"
    ));
    assert!(class.contains("top_.res_ready = ready; inputs_changed_ = true; }"));
    assert!(class.contains("top_.res_ready = 1; inputs_changed_ = true;\n            edge();"));
    assert!(class.contains("top_.tick_valid = 0; inputs_changed_ = true;\n            eval();"));
    assert!(class.contains("top_.clock = 1;\n            eval();"));
    assert!(class.contains("if (owns(1) && top_.res_valid__0241) {"));
    assert!(class.contains("return split_.run(a_, *b_, start, worker, *scan"));
    assert!(cpp.contains("case 2: return new Model2();"));
    // Without the split, the one-replica class.
    let plain = codegen::models_cpp(&[Verilated {
        split: false,
        ..scanner_model(false)
    }]);
    assert!(!plain.contains("struct Replica"));
}

/// A traced scanner dumps the low half and the edge while switched on,
/// with tracing enabled in its context before the model is built.
#[test]
fn a_traced_scanner_dumps_its_edges() {
    let cpp = codegen::models_cpp(&[scanner_model(false), scanner_model(true)]);
    assert!(cpp.contains("#include \"waves.h\""));
    let class = &cpp[cpp.find("class TracedModel1").unwrap()..];
    let ever_on = class.find("traceEverOn(true)").unwrap();
    assert!(ever_on < class.find("Vscant1 top_{&ctx_, \"top\"};").unwrap());
    assert!(
        class.contains("waves_.dump(liqscan::kTracePeriod * edges_ + liqscan::kTracePeriod / 2);")
    );
    assert!(class.contains(
        "++edges_;\n        if (waves_.on()) waves_.dump(liqscan::kTracePeriod * edges_);"
    ));
    assert!(class.contains("bool trace_open(const char* path) override"));
    assert!(cpp.contains("case 1: return new TracedModel1();"));
    let rs = codegen::ports_rs(&[scanner_model(false), scanner_model(true)], None);
    assert!(rs.contains("pub const BUILT_LANES: &[usize] = &[1];"));
    assert!(rs.contains("pub const TRACED_LANES: &[usize] = &[1];"));
    // The traced model has its twin's ports: one table.
    assert_eq!(rs.matches("const PORTS_").count(), 1, "{rs}");
}

/// Module text for the sharing tests: `name` instantiating `children`.
fn module(name: &str, body: &str, children: &[(&str, &str)]) -> String {
    let mut text = format!("module {name}(clock,index,x);\n    input wire  clock;\n    input wire  [31:0] index;\n    input wire  x;\n{body}\n");
    for (module, instance) in children {
        text += &format!("    {module} {instance}(\n        .clock(clock)\n    );\n");
    }
    text += &format!("endmodule // {name}\n\n\n");
    text
}

/// Identical elements share the first one's module, names that merely
/// begin alike (`lanes$1` and `lanes$10`) are told apart, a different
/// element keeps its own, and a large shared module gets Verilator's
/// directives.
#[test]
fn identical_array_elements_share_one_module() {
    let mut verilog = String::from("\n\n");
    let lanes = ["0", "1", "10", "2"];
    let children: Vec<(String, String)> = lanes
        .iter()
        .map(|i| (format!("top$lanes${i}"), format!("lanes${i}")))
        .collect();
    let refs: Vec<(&str, &str)> = children
        .iter()
        .map(|(m, i)| (m.as_str(), i.as_str()))
        .collect();
    verilog += &module("top", "    reg  [3:0] lanes$1$x;", &refs);
    for i in lanes {
        let body = if i == "2" {
            "    reg  odd;"
        } else {
            "    reg  same;"
        };
        let lane = format!("top$lanes${i}");
        let mul = format!("{lane}$mul");
        verilog += &module(&lane, body, &[(&mul, "mul")]);
        verilog += &module(&mul, "    reg  [15:0] p;", &[]);
    }
    let shared = share::share(&verilog, "clock", 2);
    assert_eq!(
        shared.merged.get("top$lanes$0"),
        Some(&vec!["top$lanes$1".to_string(), "top$lanes$10".to_string()])
    );
    // `top$lanes$2` differs in its own text: it keeps its whole subtree.
    assert_eq!(shared.merged.len(), 1, "{:?}", shared.merged);
    let text = &shared.verilog;
    for gone in [
        "module top$lanes$1(",
        "module top$lanes$10(",
        "module top$lanes$1$mul(",
        "module top$lanes$10$mul(",
    ] {
        assert!(!text.contains(gone), "{gone} still defined:\n{text}");
    }
    for kept in [
        "module top$lanes$0(",
        "module top$lanes$0$mul(",
        "module top$lanes$2(",
        "module top$lanes$2$mul(",
        "top$lanes$0 lanes$0(",
        "top$lanes$0 lanes$1(",
        "top$lanes$0 lanes$10(",
        "top$lanes$2 lanes$2(",
        "top$lanes$0$mul mul(",
    ] {
        assert!(text.contains(kept), "no `{kept}`:\n{text}");
    }
    // A signal named like a module is not renamed.
    assert!(text.contains("reg  [3:0] lanes$1$x;"));
    assert_eq!(shared.out_of_line, ["top$lanes$0"]);
    let lane0 = &text[text.find("module top$lanes$0(").unwrap()..];
    let lane0 = &lane0[..lane0.find("endmodule").unwrap()];
    assert!(lane0.contains("/*verilator no_inline_module*/"));
    assert!(lane0.contains("input wire  [31:0] index /*verilator public_flat_rd*/;"));
    assert!(
        lane0.contains("input wire  clock;"),
        "the clock stays private"
    );
    // Nothing to share: the text is unchanged.
    let single = module("top", "    reg  a;", &[]);
    let unchanged = share::share(&single, "clock", 2);
    assert_eq!(unchanged.verilog, single);
    assert!(unchanged.merged.is_empty() && unchanged.out_of_line.is_empty());
}

/// The 8-lane scanner's lane slices are one module: the same text but for
/// their names, so the lane number (a port) is all that tells them apart.
#[test]
fn the_scanners_lanes_are_one_module() {
    use liqscan_hw::verilog::{scanner_verilog, Build};
    let verilog = scanner_verilog(8, Build::Sim).unwrap();
    let shared = share::share(&verilog, "clock", share::OUT_OF_LINE_MODULES);
    let others: Vec<String> = (1..8).map(|i| format!("top$lanes${i}")).collect();
    assert_eq!(shared.merged.get("top$lanes$0"), Some(&others));
    assert_eq!(shared.out_of_line, ["top$lanes$0"]);
    assert_eq!(shared.verilog.matches("top$lanes$0 lanes$").count(), 8);
    assert!(
        shared.verilog.len() * 5 < verilog.len(),
        "{} of {}",
        shared.verilog.len(),
        verilog.len()
    );
    // The top module's ports are untouched.
    assert_eq!(
        parse_ports(&shared.verilog, "top").unwrap(),
        parse_ports(&verilog, "top").unwrap()
    );
}

#[test]
fn reads_verilator_versions_and_keys_the_cache() {
    assert_eq!(
        verilator::parse_version("Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"),
        Some((5, 6))
    );
    assert_eq!(
        verilator::parse_version("Verilator 4.228 2022-10-01"),
        Some((4, 228))
    );
    assert!(
        verilator::parse_version("Verilator 4.228 2022-10-01").unwrap() < verilator::MIN_VERSION
    );
    assert!(
        verilator::parse_version("Verilator 5.020 2024-01-01").unwrap() >= verilator::MIN_VERSION
    );
    assert_eq!(verilator::parse_version("verilator"), None);
    // FNV-1a's published test vectors: the key does not move between toolchains.
    assert_eq!(verilator::fnv1a(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(verilator::fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(
        verilator::cache_root(Path::new("/t/ci/build/liqscan-sim-0123/out")),
        Path::new("/t/liqscan-verilated")
    );
    assert_eq!(
        verilator::cache_root(Path::new("/elsewhere/out")),
        Path::new("/elsewhere/out/liqscan-verilated")
    );
}

#[test]
fn verilates_for_speed_and_traces_on_request() {
    let compiler = verilator::Compiler {
        path: Some("g++".into()),
        gcc: true,
    };
    let model = verilator::Model {
        prefix: "Vscan8",
        verilog: "",
        traced: false,
        split_lanes: Some(8),
        clock: "clock",
    };
    let args = verilator::args(&model, &compiler, "2").join(" ");
    for flag in [
        "-O3",
        "--x-assign fast",
        "--x-initial fast",
        "--prefix Vscan8",
        "CXX=g++ OPT_FAST=-O2",
        "--param=max-inline-insns-single=1000",
    ] {
        assert!(args.contains(flag), "{flag} missing: {args}");
    }
    assert!(!args.contains("--trace"));
    let clang = verilator::Compiler {
        path: Some("clang++".into()),
        gcc: false,
    };
    let traced = verilator::Model {
        traced: true,
        ..model
    };
    let args = verilator::args(&traced, &clang, "2").join(" ");
    assert!(args.contains("--trace-fst --timescale 1ns/1ns"), "{args}");
    assert!(args.contains("CXX=clang++ OPT_FAST=-O1"), "{args}");
    assert!(
        !args.contains("--param"),
        "GCC's options are not given to clang: {args}"
    );
}

#[test]
fn names_each_port_once() {
    let rs = codegen::port_names_rs(["clock", "pos_wr_slot", "res_slot$0", "res_slot$1"]);
    let consts: Vec<&str> = rs.lines().filter(|l| l.starts_with("pub const")).collect();
    assert_eq!(
        consts,
        [
            r#"pub const CLOCK: &str = "clock";"#,
            r#"pub const POS_WR_SLOT: &str = "pos_wr_slot";"#,
            r#"pub const RES_SLOT: &str = "res_slot";"#,
        ]
    );
}

/// Memories are found by their declaration, with or without attributes;
/// a register or a vector is not one.
#[test]
fn finds_the_modules_that_hold_memories() {
    for memory in [
        "    (* ram_style = \"distributed\" *) reg [50:0] mem [0:3];",
        "    reg [31:0] mem [0:131071];",
        "reg valid_bits [0:15];",
    ] {
        assert!(prepass::declares_memory(memory), "{memory}");
    }
    for not_memory in [
        "    reg  [16:0] lane_row$d;",
        "    reg  [243:0] bank$0;",
        "    wire [7:0] table [0:3];",
        "    q = mem[address];",
    ] {
        assert!(!prepass::declares_memory(not_memory), "{not_memory}");
    }
}

/// yosys's versions as `yosys -V` prints them; 0.9 (Ubuntu 22.04's) has
/// no `opt_dff` and is left out with a warning.
#[test]
fn reads_yosys_versions() {
    assert_eq!(
        prepass::parse_version("Yosys 0.23 (git sha1 7ce5011c24b)"),
        Some((0, 23))
    );
    assert_eq!(
        prepass::parse_version("Yosys 0.9+4081 (git sha1 862e84eb, gcc 11.2.0)"),
        Some((0, 9))
    );
    assert!(prepass::parse_version("Yosys 0.9+4081").unwrap() < prepass::MIN_VERSION);
    assert!(
        prepass::parse_version("Yosys 0.33 (git sha1 2584903a060)").unwrap()
            >= prepass::MIN_VERSION
    );
    assert_eq!(prepass::parse_version("yosys"), None);
    assert_eq!(prepass::parse_version("Verilator 5.006 2023-01-22"), None);
}

/// yosys's text gets Verilator's directives back: after the whole header
/// (which it writes over several lines) and on every input but the clock.
#[test]
fn marks_the_rewritten_lane_for_verilator() {
    let text = "/* Generated by Yosys 0.23 */\n\nmodule \\top$lanes$0 (clock, index,\n, q);\n  input clock;\n  wire clock;\n  input [31:0] index;\n  output q;\nendmodule\n";
    let marked = share::out_of_line_text(text, "clock");
    assert!(
        marked.contains(
            "(clock, index,\n, q);\n    /*verilator no_inline_module*/\n  input clock;\n"
        ),
        "{marked}"
    );
    assert!(marked.contains("  input [31:0] index /*verilator public_flat_rd*/;\n"));
    assert_eq!(marked.matches("verilator").count(), 2, "{marked}");
}

/// The pass keeps cells and memories: no techmap, no memory mapping, the
/// memories' modules blackboxes.
#[test]
fn the_pass_rewrites_registers_not_cells() {
    let script = prepass::script("top$lanes$0", &["top$lanes$0$ram", "top$lanes$0$mem"]);
    for pass in [
        "blackbox top$lanes$0$ram top$lanes$0$mem\n",
        "hierarchy -top top$lanes$0\n",
        "proc\nflatten\n",
        "opt_dff\n",
        "splitnets -driver\n",
        "write_verilog -noattr out.v\n",
    ] {
        assert!(script.contains(pass), "{pass} missing: {script}");
    }
    for absent in ["memory", "techmap", "synth", "wreduce", "opt -full", "abc"] {
        assert!(!script.contains(absent), "{absent} in {script}");
    }
}

/// A lane in RustHDL's style through yosys: its register becomes one with
/// an enable, its flip-flop module is flattened into it, its memory's
/// module keeps its text, and the rest of the design is untouched. Needs
/// yosys (`scripts/install-deps.sh` installs it).
#[test]
fn yosys_writes_registers_with_enables() {
    let yosys = prepass::find("yosys").unwrap_or_else(|reason| {
        panic!("{reason}: install yosys (apt-get install -y yosys; brew install yosys)")
    });
    let top = "module top(clock,en,x,y);\n    input wire  clock;\n    input wire  en;\n    input wire  [7:0] x;\n    output wire  [7:0] y;\n    top$lanes$0 lanes$0(\n        .clock(clock),\n        .en(en),\n        .x(x),\n        .y(y)\n    );\nendmodule // top\n\n";
    let lane = "module top$lanes$0(clock,en,x,y);\n    /*verilator no_inline_module*/\n    input wire  clock;\n    input wire  en /*verilator public_flat_rd*/;\n    input wire  [7:0] x /*verilator public_flat_rd*/;\n    output reg  [7:0] y;\n    reg  [7:0] r$d;\n    wire  [7:0] r$q;\n    reg  r$clock;\n    wire  [7:0] mem$read_data;\n    top$lanes$0$r r(\n        .d(r$d),\n        .q(r$q),\n        .clock(r$clock)\n    );\n    top$lanes$0$mem mem(\n        .clock(clock),\n        .address(r$q[1:0]),\n        .read_data(mem$read_data)\n    );\n    always @(*) begin\n        r$clock = clock;\n        r$d = r$q;\n        if (en) begin\n            r$d = x;\n        end\n        y = r$q ^ mem$read_data;\n    end\nendmodule // top$lanes$0\n\n";
    let register = "module top$lanes$0$r(d,q,clock);\n    input wire  [7:0] d;\n    output reg  [7:0] q;\n    input wire  clock;\n    initial begin\n       q = 8'h0;\n    end\n    always @(posedge clock) begin\n       q <= d;\n    end\nendmodule // top$lanes$0$r\n\n";
    let memory = "module top$lanes$0$mem(clock,address,read_data);\n    input wire  clock;\n    input wire  [1:0] address;\n    output reg  [7:0] read_data;\n    reg [7:0] mem [0:3];\n    always @(*) read_data = mem[address];\nendmodule // top$lanes$0$mem\n\n";
    let verilog = format!("\n\n{top}{lane}{register}{memory}");
    let cache = tempfile::tempdir().unwrap();
    let roots = ["top$lanes$0".to_string()];
    let out = prepass::apply(&yosys, &verilog, &roots, "clock", cache.path());
    assert!(out.starts_with(&format!("\n\n{top}")), "{out}");
    assert!(out.ends_with(memory), "{out}");
    assert!(!out.contains("module top$lanes$0$r("), "{out}");
    assert!(!out.contains("r$d = r$q"), "{out}");
    let rewritten = &out[out
        .find("module \\top$lanes$0 ")
        .expect("the lane, by name")..];
    let rewritten = &rewritten[..rewritten.find("endmodule").unwrap()];
    assert!(rewritten.contains("always @(posedge clock)"), "{rewritten}");
    assert!(rewritten.contains("if (en)"), "{rewritten}");
    assert!(
        rewritten.contains("/*verilator no_inline_module*/"),
        "{rewritten}"
    );
    assert!(
        rewritten.contains("input [7:0] x /*verilator public_flat_rd*/;"),
        "{rewritten}"
    );
    // A second run reads the cache and gives the same text.
    assert_eq!(
        prepass::apply(&yosys, &verilog, &roots, "clock", cache.path()),
        out
    );
}

/// The root's edge code as Verilator 5.006 writes it for three lanes.
const EDGE_CPP: &str = "\
#include \"Vscan3___024root.h\"

void Vscan3_top__024lanes__0240___nba_sequent__TOP__0(Vscan3_top__024lanes__0240* vlSelf);

void Vscan3___024root___eval_nba(Vscan3___024root* vlSelf) {
    Vscan3__Syms* const __restrict vlSymsp VL_ATTR_UNUSED = vlSelf->vlSymsp;
    if (vlSelf->__VnbaTriggered.at(0U)) {
        Vscan3___024root___nba_sequent__TOP__0(vlSelf);
        Vscan3_top__024lanes__0240___nba_sequent__TOP__0((&vlSymsp->TOP__top__DOT__lanes__0240));
        Vscan3_top__024lanes__0240___nba_sequent__TOP__0((&vlSymsp->TOP__top__DOT__lanes__0241));
        Vscan3_top__024lanes__0240___nba_sequent__TOP__0((&vlSymsp->TOP__top__DOT__lanes__0242));
        Vscan3___024root___nba_sequent__TOP__1(vlSelf);
        Vscan3_top__024lanes__0240___ico_sequent__TOP__0((&vlSymsp->TOP__top__DOT__lanes__0240));
    }
}
";

#[test]
fn hands_the_lanes_edge_calls_to_the_replica_runtime() {
    let patched = lanes::split(EDGE_CPP, 3).expect("the run of three calls");
    // The run is one call with the three instances, in order, between the
    // root's code before and after it; the input-combo call stays.
    let call = "        {\n            void* const liqscan_lanes[3] = {(&vlSymsp->TOP__top__DOT__lanes__0240), \
                (&vlSymsp->TOP__top__DOT__lanes__0241), (&vlSymsp->TOP__top__DOT__lanes__0242)};\n            \
                liqscan_eval_lanes(&liqscan_lane_edge, liqscan_lanes, 3U);\n        }\n";
    assert!(patched.contains(&format!(
        "nba_sequent__TOP__0(vlSelf);\n{call}        Vscan3___024root___nba_sequent__TOP__1(vlSelf);"
    )), "{patched}");
    assert!(!patched.contains("lanes__0240___nba_sequent__TOP__0((&vlSymsp"));
    assert!(patched.contains("___ico_sequent__TOP__0((&vlSymsp->TOP__top__DOT__lanes__0240));"));
    // The trampoline casts to the lane's class and comes after the
    // function's prototype, before the function that called it.
    let trampoline = patched.find("static void liqscan_lane_edge(void* lane) {\n    \
        Vscan3_top__024lanes__0240___nba_sequent__TOP__0(static_cast<Vscan3_top__024lanes__0240*>(lane));\n}")
        .expect("the trampoline");
    let prototype = patched
        .find("void Vscan3_top__024lanes__0240___nba_sequent__TOP__0(Vscan3_top")
        .unwrap();
    let holder = patched.find("void Vscan3___024root___eval_nba(").unwrap();
    assert!(prototype < trampoline && trampoline < holder);
    assert_eq!(
        patched
            .matches("extern \"C\" void liqscan_eval_lanes(")
            .count(),
        1
    );
}

#[test]
fn leaves_code_without_the_whole_run_alone() {
    // Another lane count, a run cut short, lanes out of order, one lane.
    assert!(lanes::split(EDGE_CPP, 2).is_none());
    assert!(lanes::split(EDGE_CPP, 4).is_none());
    assert!(lanes::split(&EDGE_CPP.replace("lanes__0242));", "lanes__0243));"), 3).is_none());
    assert!(lanes::split(&EDGE_CPP.replace("lanes__0241));", "lanes__0242));"), 3).is_none());
    assert!(lanes::split(EDGE_CPP, 1).is_none());
    let other_function = EDGE_CPP.replacen(
        "Vscan3_top__024lanes__0240___nba_sequent__TOP__0((&vlSymsp->TOP__top__DOT__lanes__0241",
        "Vscan3_top__024lanes__0240___nba_sequent__TOP__1((&vlSymsp->TOP__top__DOT__lanes__0241",
        1,
    );
    assert!(lanes::split(&other_function, 3).is_none());
}

/// `n` copies of root values into lane `k`'s inputs, then the select of
/// its result port, as Verilator writes them in the root.
fn lane_statements(k: usize, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s += &format!(
            "    vlSymsp->TOP__top__DOT__lanes__024{k}.in{i} \n        = vlSelf->top__DOT__control__DOT__r{i};\n"
        );
    }
    s += &format!(
        "    if (vlSymsp->TOP__top__DOT__lanes__024{k}.__PVT__back0) {{\n        \
         vlSelf->res_slot__024{k} = vlSymsp->TOP__top__DOT__lanes__024{k}.__PVT__slot;\n    \
         }} else {{\n        vlSelf->res_slot__024{k} = 0U;\n    }}\n"
    );
    s
}

/// A root file whose clock-edge function copies into two lanes.
fn root_cpp(lane0: &str, lane1: &str, after: &str) -> String {
    format!(
        "#include \"Vscan2__pch.h\"\n\n\
         VL_INLINE_OPT void Vscan2___024root___nba_sequent__TOP__1(Vscan2___024root* vlSelf) {{\n    \
         if (false && vlSelf) {{}}  // Prevent unused\n    \
         Vscan2__Syms* const __restrict vlSymsp VL_ATTR_UNUSED = vlSelf->vlSymsp;\n    \
         // Body\n{lane0}{lane1}{after}}}\n"
    )
}

fn lane_names() -> Vec<String> {
    (0..2)
        .map(|k| format!("TOP__top__DOT__lanes__024{k}"))
        .collect()
}

fn guarded(files: &[(&str, String)]) -> Vec<(String, String)> {
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect();
    lane_ports::guard(&files, &lane_names())
}

const ROOT: &str = "out/Vscan2___024root__DepSet_h1__0.cpp";

/// Each lane's run of statements is run only by the replica that owns the
/// lane: the range is asked once per function, each run sits in its guard,
/// and what names no lane stays as it was.
#[test]
fn guards_each_lanes_run_of_root_statements() {
    let after = "    vlSelf->busy = vlSelf->top__DOT__control__DOT__busy_r;\n";
    let cpp = root_cpp(&lane_statements(0, 20), &lane_statements(1, 20), after);
    let out = guarded(&[(ROOT, cpp.clone())]);
    assert_eq!(out.len(), 1);
    let (name, text) = &out[0];
    assert_eq!(name, ROOT);
    assert_eq!(text.matches("liqscan_lanes_now();\n").count(), 2, "{text}");
    assert!(
        text.contains(
            "    // Body\n    const liqscan_lane_range liqscan_own = liqscan_lanes_now();\n    \
         if (liqscan_own.from <= 0U && 0U < liqscan_own.to) {\n    \
         vlSymsp->TOP__top__DOT__lanes__0240.in0 "
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "        vlSelf->res_slot__0240 = 0U;\n    }\n    }\n    \
         if (liqscan_own.from <= 1U && 1U < liqscan_own.to) {\n    \
         vlSymsp->TOP__top__DOT__lanes__0241.in0 "
        ),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "        vlSelf->res_slot__0241 = 0U;\n    }}\n    }}\n{after}}}\n"
        )),
        "{text}"
    );
    // Only lines added (the declaration, the range, two per guard): the
    // original's lines are all there, in order.
    let original: Vec<&str> = cpp.lines().collect();
    let mut next = 0;
    for line in text.lines() {
        if next < original.len() && line == original[next] {
            next += 1;
        }
    }
    assert_eq!(next, original.len());
    let declaration = text
        .find("#endif\n")
        .map(|end| text[..end].lines().count() + 1);
    assert_eq!(
        text.lines().count(),
        original.len() + declaration.unwrap() + 1 + 2 * 2
    );
}

/// A statement stays unguarded where skipping it could change what the
/// replica computes, or where a guard costs more than it saves.
#[test]
fn leaves_statements_a_skip_could_change() {
    let run = |k| lane_statements(k, 20);
    // A run too short to pay for its guard.
    let out = guarded(&[(ROOT, root_cpp(&lane_statements(0, 4), &run(1), ""))]);
    assert!(!out[0].1.contains("0U && 0U <") && out[0].1.contains("1U && 1U <"));
    // A port the root's other code reads: its select stays, and so does
    // the run it would have ended.
    let reader = "    vlSelf->any = vlSelf->res_slot__0241;\n";
    let out = guarded(&[(ROOT, root_cpp(&run(0), &run(1), reader))]);
    let text = &out[0].1;
    assert!(text.contains("1U && 1U <") && text.contains("0U && 0U <"));
    let select = text
        .find("if (vlSymsp->TOP__top__DOT__lanes__0241.__PVT__back0)")
        .unwrap();
    let guard = text.find("1U && 1U <").unwrap();
    assert!(text[guard..select].matches('}').count() == 1, "{text}");
    // ... also when another file reads it.
    let other = (
        "out/Vscan2_top__024lanes__0240__DepSet_h2__0.cpp",
        reader.to_string(),
    );
    let out = guarded(&[(ROOT, root_cpp(&run(0), &run(1), "")), other.clone()]);
    assert!(out[0].1.contains("1U && 1U <"));
    let select = out[0]
        .1
        .find("if (vlSymsp->TOP__top__DOT__lanes__0241.__PVT__back0)")
        .unwrap();
    assert!(out[0].1[out[0].1.find("1U && 1U <").unwrap()..select].contains("    }\n"));
    // ... but not the slow code, which runs before any lane is skipped.
    let slow = (
        "out/Vscan2___024root__DepSet_h1__0__Slow.cpp",
        reader.to_string(),
    );
    let out = guarded(&[(ROOT, root_cpp(&run(0), &run(1), "")), slow]);
    let select = out[0]
        .1
        .find("if (vlSymsp->TOP__top__DOT__lanes__0241.__PVT__back0)")
        .unwrap();
    assert!(!out[0].1[out[0].1.find("1U && 1U <").unwrap()..select].contains("    }\n"));
    // A statement that names two lanes, and one that calls a function
    // (which may write through its arguments), split the run they are in.
    for odd in [
        "    vlSymsp->TOP__top__DOT__lanes__0241.x = vlSymsp->TOP__top__DOT__lanes__0240.y;\n",
        "    VL_ASSIGNSEL_WI(64, 3, vlSymsp->TOP__top__DOT__lanes__0241.w, vlSelf->v);\n",
        "    vlSymsp->TOP__top__DOT__lanes__0241.x += vlSelf->v;\n",
        "    vlSelf->local_sum = vlSymsp->TOP__top__DOT__lanes__0241.x;\n    vlSelf->z = vlSelf->local_sum;\n",
    ] {
        let lane1 = format!("{}{odd}{}", lane_statements(1, 10), lane_statements(1, 10));
        let out = guarded(&[(ROOT, root_cpp(&run(0), &lane1, ""))]);
        assert!(!out[0].1.contains("1U && 1U <"), "{odd}: {}", out[0].1);
    }
}

/// The input-combo region's trigger asks the runtime whether an input
/// changed; a model whose region reads the clock (in any of its files) is
/// left as it is.
#[test]
fn input_combo_region_asks_whether_inputs_changed() {
    let trigger = "    vlSelf->__VicoTriggered.at(0U) = (0U == vlSelf->__VicoIterCount);\n";
    let cpp = format!(
        "void Vscan2___024root___eval_triggers__ico(Vscan2___024root* vlSelf) {{\n    // Body\n{trigger}}}\n\n\
         VL_INLINE_OPT void Vscan2___024root___ico_sequent__TOP__0(Vscan2___024root* vlSelf) {{\n    \
         // Body\n    vlSelf->x = vlSelf->clock_enable;\n}}\n"
    );
    assert!(!ico::reads_clock(&cpp, "clock"));
    let patched = ico::patch(&cpp).expect("the trigger");
    assert!(patched.contains("extern \"C\" bool liqscan_inputs_changed();"));
    assert!(patched.contains(
        "    vlSelf->__VicoTriggered.at(0U) = ((0U == vlSelf->__VicoIterCount) & liqscan_inputs_changed());"
    ));
    assert!(!patched.contains(trigger));
    let reads_clock = cpp.replace("vlSelf->clock_enable", "vlSelf->clock");
    assert!(ico::reads_clock(&reads_clock, "clock"));
    assert!(ico::reads_clock(&reads_clock.replace(trigger, ""), "clock"));
    assert!(ico::patch(&cpp.replace(trigger, "")).is_none());
}

/// Statements `to[i] = from[i];` for `indices`, as Verilator writes them
/// on one line or two.
fn copies_run(to: &str, from: &str, indices: impl Iterator<Item = u64>, two_lines: bool) -> String {
    indices
        .map(|i| {
            let k = if i < 10 {
                format!("{i}U")
            } else {
                format!("{i:#x}U")
            };
            if two_lines {
                format!("    {to}[{k}] \n        = {from}[{k}];\n")
            } else {
                format!("    {to}[{k}] = {from}[{k}];\n")
            }
        })
        .collect()
}

#[test]
fn a_run_of_word_copies_becomes_one_memcpy() {
    let to = "vlSymsp->TOP__top__DOT__lanes__0240.brackets";
    let from = "vlSelf->top__DOT__symbols__024row";
    let cpp = format!(
        "void f() {{\n{}    x = 1;\n}}\n",
        copies_run(to, from, 0..31, false)
    );
    let merged = copies::merge(&cpp).expect("a run of 31");
    assert!(merged.starts_with("#include <cstring>\n"));
    assert!(merged.contains(&format!(
        "    std::memcpy(&{to}[0U], &{from}[0U], 31 * sizeof({to}[0U]));\n    x = 1;\n"
    )));
    assert!(merged.contains(&format!(
        "static_assert(sizeof({to}[0U]) == sizeof({from}[0U])"
    )));
    assert!(!merged.contains(&format!("{to}[0x1eU]")));
}

#[test]
fn two_line_statements_and_a_later_start_are_merged() {
    let cpp = copies_run("vlSelf->a", "vlSelf->b", 3..11, true);
    let merged = copies::merge(&cpp).expect("a run of 8");
    assert_eq!(
        merged.lines().nth(2),
        Some("    std::memcpy(&vlSelf->a[3U], &vlSelf->b[3U], 8 * sizeof(vlSelf->a[3U]));")
    );
    assert_eq!(merged.lines().count(), 3);
}

#[test]
fn short_runs_gaps_and_other_statements_are_left_alone() {
    // Seven copies.
    assert!(copies::merge(&copies_run("vlSelf->a", "vlSelf->b", 0..7, false)).is_none());
    // Index 4 missing: two runs of four.
    let gap = copies_run("vlSelf->a", "vlSelf->b", (0..9).filter(|&i| i != 4), false);
    assert!(copies::merge(&gap).is_none());
    // Indices that differ between the sides, or a shifted source.
    let shifted: String = (0..9)
        .map(|i| format!("    vlSelf->a[{i}U] = vlSelf->b[{}U];\n", i + 1))
        .collect();
    assert!(copies::merge(&shifted).is_none());
    let masked: String = (0..9)
        .map(|i| format!("    vlSelf->a[{i}U] = (1U & vlSelf->b[{i}U]);\n"))
        .collect();
    assert!(copies::merge(&masked).is_none());
    // Another array breaks the run.
    let mut mixed = copies_run("vlSelf->a", "vlSelf->b", 0..4, false);
    mixed += &copies_run("vlSelf->a", "vlSelf->c", 4..9, false);
    assert!(copies::merge(&mixed).is_none());
}

#[test]
fn a_copy_within_one_variable_is_left_alone() {
    // The same array through the root's two spellings may overlap.
    let cpp = copies_run("vlSymsp->TOP.x", "vlSelf->x", 0..9, false);
    assert!(copies::merge(&cpp).is_none());
    let within: String = (0..9)
        .map(|i| format!("    vlSelf->x[{i}U] = vlSelf->x[{i}U];\n"))
        .collect();
    assert!(copies::merge(&within).is_none());
}
