//! Verilates the RustHDL scanner for the lane counts the tests and the demo
//! use, and `liqscan_top` (the scanner behind the board's register map) for
//! [`TOP_LANES`], compiles the Verilator runtime and the C++ shim, and links
//! them. With the `trace` feature it also builds the scanner with waveform
//! tracing (`--trace-fst`) and the FST writer.
//!
//! The Verilog given to Verilator is the generated one with identical lane
//! subtrees sharing one module definition (`build/share.rs`): the same
//! netlist, compiled once per distinct module instead of once per lane.
//! Before Verilator, yosys rewrites that shared lane with registers that
//! have enables instead of RustHDL's `d = q` defaults (`build/prepass.rs`):
//! the same cells, about 1.5 times the speed; without yosys the models are
//! built from the text as generated, with a warning. The traced model keeps
//! the generated text, so that its waveforms carry RustHDL's signal names.
//! Models are cached per target directory by their input
//! (`build/verilator.rs`), so another profile or feature set reuses them.
//!
//! Without a usable Verilator (missing, or older than 5.006) the crate still
//! builds: a warning is printed, the cfg `liqscan_sim_missing` is set and
//! `ScannerModel::new` returns an error that says why and how to install
//! it. `LIQSCAN_VERILATOR` overrides the `verilator` binary (set it to a
//! nonexistent path to exercise that fallback); `LIQSCAN_YOSYS` does the
//! same for `yosys`.

#[path = "build/codegen.rs"]
mod codegen;
#[path = "build/copies.rs"]
mod copies;
#[path = "build/ico.rs"]
mod ico;
#[path = "build/lane_ports.rs"]
mod lane_ports;
#[path = "build/lanes.rs"]
mod lanes;
#[path = "build/prepass.rs"]
mod prepass;
#[path = "build/share.rs"]
mod share;
#[path = "build/verilator.rs"]
mod verilator;

use std::path::{Path, PathBuf};
use std::time::Instant;

use codegen::Verilated;
use liqscan_hw::scanner::ports as scanner_ports;
use liqscan_hw::top::ports as top_ports;
use liqscan_hw::verilog::{
    parse_ports, scanner_verilog, top_verilog, Build, Dir, Port, TOP_MODULE,
};
use verilator::Compiler;

/// Lane counts verilated (Sim build): 1 and the default 8.
const LANES: [usize; 2] = [1, 8];
/// Lane counts of `liqscan_top` verilated (Sim build): the default 8, and 1
/// (a few seconds more) for quick tests.
const TOP_LANES: [usize; 2] = [1, 8];
/// Lane counts of the scanner verilated with tracing (the `trace` feature):
/// the CLI's (`spec::DEFAULT_LANES`). A traced model takes minutes to
/// compile, so only the one `liqscan scan --trace` runs is built.
const TRACED_LANES: [usize; 1] = [8];
/// The scanner's single clock input.
const CLOCK: &str = "clock";
/// Names Verilator gives the clock's edge-detector state (5.006; later 5.x).
const CLOCK_PREV: [&str; 2] = [
    "__Vtrigrprev__TOP__clock",
    "__Vtrigprevexpr___TOP__clock__0",
];
/// How to install Verilator, for the warning.
const INSTALL: &str = "install Verilator 5.006 or newer (apt-get install -y verilator; \
                       brew install verilator; dnf install verilator; pacman -S verilator)";

/// One model to build.
struct Spec {
    lanes: usize,
    top: bool,
    traced: bool,
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(liqscan_sim_missing)");
    for path in [
        "build.rs",
        "build",
        "csrc",
        "../hw/src",
        "../sw/core/src/spec",
    ] {
        println!("cargo::rerun-if-changed={path}");
    }
    println!("cargo::rerun-if-env-changed=LIQSCAN_VERILATOR");
    println!("cargo::rerun-if-env-changed=LIQSCAN_YOSYS");
    println!("cargo::rerun-if-env-changed=LIQSCAN_SIM_CXX");
    println!("cargo::rerun-if-env-changed=CXX");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let bin = std::env::var("LIQSCAN_VERILATOR").unwrap_or_else(|_| "verilator".into());
    let trace = std::env::var_os("CARGO_FEATURE_TRACE").is_some();
    // Port names come from the hardware's own list, with or without Verilator.
    write(
        &out.join("port_names.rs"),
        &codegen::port_names_rs(
            scanner_ports(1, Build::Sim.symbol_bits())
                .iter()
                .map(|p| p.name.as_str()),
        ),
    );
    write(
        &out.join("top_port_names.rs"),
        &codegen::port_names_rs(top_ports().iter().map(|p| p.name.as_str())),
    );

    let verilator = match verilator::find(&bin) {
        Ok(verilator) => verilator,
        Err(reason) => {
            println!("cargo::warning=liqscan-sim: {reason}; the Verilator backend is disabled ({INSTALL})");
            println!("cargo::rustc-cfg=liqscan_sim_missing");
            write(
                &out.join("ports.rs"),
                &codegen::ports_rs(&[], Some(&reason)),
            );
            return;
        }
    };

    let chosen = cxx_compiler();
    let tool = cxx(&verilator.root, chosen.as_deref()).get_compiler();
    let path = tool.path().to_string_lossy().into_owned();
    let compiler = Compiler {
        gcc: tool.is_like_gnu() && !tool.is_like_clang(),
        path: (!path.contains(char::is_whitespace)).then_some(path),
    };
    println!(
        "liqscan-sim: C++ compiler {}",
        compiler.path.as_deref().unwrap_or("(Verilator's)")
    );
    let jobs = std::env::var("NUM_JOBS").unwrap_or_else(|_| "2".into());
    let yosys_bin = std::env::var("LIQSCAN_YOSYS").unwrap_or_else(|_| "yosys".into());
    let yosys = prepass::find(&yosys_bin)
        .inspect_err(|reason| {
            println!(
                "cargo::warning=liqscan-sim: {reason}; the models are built without the yosys pass \
                 and run at about two thirds of the speed (install yosys: docs/install.md)"
            )
        })
        .ok();
    let cache = verilator::cache_root(&out);
    std::fs::create_dir_all(&cache).unwrap_or_else(|e| panic!("creating {}: {e}", cache.display()));

    let specs = LANES
        .iter()
        .map(|&lanes| Spec {
            lanes,
            top: false,
            traced: false,
        })
        .chain(TOP_LANES.iter().map(|&lanes| Spec {
            lanes,
            top: true,
            traced: false,
        }))
        .chain(TRACED_LANES.iter().filter(|_| trace).map(|&lanes| Spec {
            lanes,
            top: false,
            traced: true,
        }));
    let (mut models, mut model_dirs) = (Vec::new(), Vec::new());
    for spec in specs {
        let started = Instant::now();
        let lanes = spec.lanes;
        let what = if spec.top { "liqscan_top" } else { "scanner" };
        let generated = if spec.top {
            top_verilog(lanes, Build::Sim)
        } else {
            scanner_verilog(lanes, Build::Sim)
        }
        .unwrap_or_else(|e| panic!("{what} Verilog for {lanes} lanes: {e}"));
        let ports = parse_ports(&generated, TOP_MODULE)
            .unwrap_or_else(|e| panic!("{what} ports for {lanes} lanes: {e}"));
        let shared = share::share(&generated, CLOCK, share::OUT_OF_LINE_MODULES);
        let verilog = match &yosys {
            Some(yosys) if !spec.traced => {
                prepass::apply(yosys, &shared.verilog, &shared.out_of_line, CLOCK, &cache)
            }
            _ => shared.verilog.clone(),
        };
        let kind = match (spec.top, spec.traced) {
            (true, _) => "top",
            (false, true) => "scant",
            (false, false) => "scan",
        };
        let prefix = format!("V{kind}{lanes}");
        let built = verilator::build(
            &verilator,
            &compiler,
            &verilator::Model {
                prefix: &prefix,
                verilog: &verilog,
                traced: spec.traced,
                // A traced model dumps from the lanes' code: one thread.
                split_lanes: (!spec.traced && lanes >= 2).then_some(lanes),
                clock: CLOCK,
            },
            &cache,
            &jobs,
        );
        check_members(&built.dir.join(format!("{prefix}.h")), &ports);
        assert!(
            ports
                .iter()
                .any(|p| p.name == CLOCK && p.dir == Dir::In && p.width == 1),
            "no input `{CLOCK}`"
        );
        let clock_prev = clock_prev(&verilog, &built.dir.join(format!("{prefix}___024root.h")));
        // The linker looks for `lib<name>.a`.
        let lib = format!("liqscan_{}", prefix.to_lowercase());
        std::fs::copy(&built.archive, out.join(format!("lib{lib}.a")))
            .expect("copy the model archive");
        println!(
            "liqscan-sim: {} the {what}{} with {lanes} lane(s) ({} modules shared, {} out of line{}) in {:.1} s",
            if built.fresh { "verilated" } else { "reused" },
            if spec.traced { " (traced)" } else { "" },
            shared.merged.values().map(Vec::len).sum::<usize>(),
            shared.out_of_line.len(),
            if verilog == shared.verilog { "" } else { ", rewritten by yosys" },
            started.elapsed().as_secs_f64()
        );
        if !spec.traced && lanes >= 2 && !built.split {
            println!(
                "cargo::warning=liqscan-sim: no run of {lanes} lane edge calls in {}'s C++ from {}: \
                 its lanes run on one thread",
                prefix, verilator.version
            );
        }
        models.push(Verilated {
            lanes,
            top: spec.top,
            traced: spec.traced,
            prefix,
            ports,
            clock: CLOCK.into(),
            clock_prev,
            split: built.split,
        });
        model_dirs.push(built.dir);
    }

    // The shim references the models, which reference the runtime: link in that order.
    let models_cpp = out.join("models.cpp");
    write(&models_cpp, &codegen::models_cpp(&models));
    let mut shim = cxx(&verilator.root, chosen.as_deref());
    shim.include("csrc")
        .file("csrc/shim.cpp")
        .file("csrc/lanes.cpp")
        .file(&models_cpp);
    if trace {
        shim.define("LIQSCAN_TRACE", "1");
    }
    for dir in &model_dirs {
        shim.include(dir);
    }
    shim.compile("liqscan_sim_shim");
    println!("cargo::rustc-link-search=native={}", out.display());
    for m in &models {
        println!(
            "cargo::rustc-link-lib=static=liqscan_{}",
            m.prefix.to_lowercase()
        );
    }
    runtime(&verilator.root, chosen.as_deref(), &out, trace);
    if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux") {
        // Verilator's threads runtime uses 64-bit atomics; macOS has them in libc.
        println!("cargo::rustc-link-lib=atomic");
    }
    if trace {
        // The FST writer compresses with zlib.
        println!("cargo::rustc-link-lib=z");
    }
    write(&out.join("ports.rs"), &codegen::ports_rs(&models, None));
}

/// Every port is a member of the model class under the name the shim uses.
fn check_members(header: &Path, ports: &[Port]) {
    let text = std::fs::read_to_string(header)
        .unwrap_or_else(|e| panic!("reading {}: {e}", header.display()));
    for port in ports {
        let member = format!("(&{},", codegen::cpp_name(&port.name));
        assert!(
            text.contains(&member),
            "{} declares no port member {member}",
            header.display()
        );
    }
}

/// The member to reset instead of evaluating the falling clock edge, if that
/// is safe: every process runs on `posedge clock` and Verilator's edge
/// detector has a name we know. `None` makes the shim evaluate it.
fn clock_prev(verilog: &str, root_header: &Path) -> Option<String> {
    let posedge = format!("posedge {CLOCK})");
    let only_rising = !verilog.contains("negedge")
        && verilog.matches("posedge").count() == verilog.matches(&posedge).count();
    let header = std::fs::read_to_string(root_header)
        .unwrap_or_else(|e| panic!("reading {}: {e}", root_header.display()));
    let found = CLOCK_PREV
        .iter()
        .find(|name| header.contains(&format!(" {name};")));
    if !only_rising || found.is_none() {
        println!("cargo::warning=liqscan-sim: simulating both clock edges (slower)");
    }
    found.filter(|_| only_rising).map(|name| name.to_string())
}

/// The C++ compiler for the models, the shim and the runtime:
/// `LIQSCAN_SIM_CXX` if set; the `cc` crate's choice if `CXX` is set (it
/// reads it); else `clang++` if installed (the models it compiles run about
/// 1.6 times as fast as g++ 12's: see docs/hardware.md); else the `cc`
/// crate's default (`c++`).
fn cxx_compiler() -> Option<String> {
    let set = |var: &str| std::env::var(var).ok().filter(|c| !c.trim().is_empty());
    if let Some(chosen) = set("LIQSCAN_SIM_CXX") {
        return Some(chosen);
    }
    if set("CXX").is_some() {
        return None;
    }
    let clang = std::process::Command::new("clang++")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    clang.then(|| "clang++".to_string())
}

/// A C++ build with Verilator's headers and the flags its makefiles use,
/// with `compiler` (`None`: the `cc` crate's choice).
fn cxx(root: &Path, compiler: Option<&str>) -> cc::Build {
    let mut build = cc::Build::new();
    if let Some(compiler) = compiler {
        build.compiler(compiler);
    }
    build
        .cpp(true)
        .std("gnu++17")
        .opt_level(2)
        .debug(false)
        .warnings(false)
        .include(root.join("include"))
        .include(root.join("include/vltstd"))
        .flag("-faligned-new")
        .flag("-pthread");
    for define in [
        "VM_COVERAGE",
        "VM_SC",
        "VM_TRACE",
        "VM_TRACE_FST",
        "VM_TRACE_VCD",
    ] {
        build.define(define, "0");
    }
    build
}

/// Verilator's runtime (`verilated.cpp`, `verilated_threads.cpp`, and with
/// tracing the FST writer), compiled once per output directory: it depends
/// only on the installed Verilator.
fn runtime(root: &Path, compiler: Option<&str>, out: &Path, trace: bool) {
    let name = "liqscan_verilated";
    let stamp = out.join(format!("lib{name}.a"));
    let built_from = out.join("verilated.root");
    let root_text = format!(
        "{} {}{}",
        root.display(),
        compiler.unwrap_or("cc"),
        if trace { " +fst" } else { "" }
    );
    if stamp.is_file() && std::fs::read_to_string(&built_from).is_ok_and(|r| r == root_text) {
        println!("cargo::rustc-link-lib=static={name}");
        return;
    }
    let mut build = cxx(root, compiler);
    build
        .file(root.join("include/verilated.cpp"))
        .file(root.join("include/verilated_threads.cpp"));
    if trace {
        build.file(root.join("include/verilated_fst_c.cpp"));
    }
    build.compile(name);
    write(&built_from, &root_text);
}

fn write(path: &Path, text: &str) {
    verilator::write(path, text);
}
