//! The build script's pure parts: Verilator's name mangling and the
//! generated sources (compiled here from `sim/build/`).

#[path = "../build/codegen.rs"]
mod codegen;

use codegen::{cpp_name, Verilated};
use liqscan_hw::verilog::parse_ports;

const VERILOG: &str = "\n\nmodule top(clock,at_equal,pos_wr_offset,res_valid$0,res_shortfall$0);\n\
    \n// Module arguments\ninput wire  clock;\ninput wire  at_equal;\ninput wire signed [107:0] pos_wr_offset;\n\
    output wire  res_valid$0;\noutput reg signed [109:0] res_shortfall$0;\n\n// Local signals\nreg  [3:0] step;\n\
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
        prefix: "Vscan1".into(),
        ports: parse_ports(VERILOG, "top").unwrap(),
        clock: "clock".into(),
        clock_prev: Some("__Vtrigrprev__TOP__clock".into()),
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
    assert!(cpp.contains("case 4: liqscan::take(top_.res_shortfall__0240, w)"));
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
