//! Verilates the RustHDL scanner for the lane counts the tests and the demo
//! use, and `liqscan_top` (the scanner behind the board's register map) for
//! [`TOP_LANES`], compiles the Verilator runtime and the C++ shim, and links them.
//!
//! Without Verilator the crate still builds: a warning is printed, the cfg
//! `liqscan_sim_missing` is set and `ScannerModel::new` returns an error that
//! names the install command. `LIQSCAN_VERILATOR` overrides the `verilator`
//! binary (set it to a nonexistent path to exercise that fallback).

#[path = "build/codegen.rs"]
mod codegen;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use codegen::Verilated;
use liqscan_hw::scanner::ports as scanner_ports;
use liqscan_hw::top::ports as top_ports;
use liqscan_hw::verilog::{
    parse_ports, scanner_verilog, top_verilog, Build, Dir, Port, TOP_MODULE,
};

/// Lane counts verilated (Sim build): 1 and the default 8.
const LANES: [usize; 2] = [1, 8];
/// Lane counts of `liqscan_top` verilated (Sim build): the default 8, and 1
/// (a few seconds more) for quick tests.
const TOP_LANES: [usize; 2] = [1, 8];
/// The scanner's single clock input.
const CLOCK: &str = "clock";
/// Names Verilator gives the clock's edge-detector state (5.006; later 5.x).
const CLOCK_PREV: [&str; 2] = [
    "__Vtrigrprev__TOP__clock",
    "__Vtrigprevexpr___TOP__clock__0",
];

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
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let verilator = std::env::var("LIQSCAN_VERILATOR").unwrap_or_else(|_| "verilator".into());
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

    let root = match verilator_root(&verilator) {
        Ok(root) => root,
        Err(reason) => {
            println!("cargo::warning=liqscan-sim: {reason}; the Verilator backend is disabled (install it: apt-get install -y verilator)");
            println!("cargo::rustc-cfg=liqscan_sim_missing");
            write(
                &out.join("ports.rs"),
                &codegen::ports_rs(&[], Some(&reason)),
            );
            return;
        }
    };

    let builds = LANES
        .iter()
        .map(|&lanes| (lanes, false))
        .chain(TOP_LANES.iter().map(|&lanes| (lanes, true)));
    let (mut models, mut model_dirs) = (Vec::new(), Vec::new());
    for (lanes, top) in builds {
        let started = Instant::now();
        let what = if top { "liqscan_top" } else { "scanner" };
        let verilog = if top {
            top_verilog(lanes, Build::Sim)
        } else {
            scanner_verilog(lanes, Build::Sim)
        }
        .unwrap_or_else(|e| panic!("{what} Verilog for {lanes} lanes: {e}"));
        let ports = parse_ports(&verilog, TOP_MODULE)
            .unwrap_or_else(|e| panic!("{what} ports for {lanes} lanes: {e}"));
        let prefix = format!("V{}{lanes}", if top { "top" } else { "scan" });
        let mdir = out.join(format!("obj{}{lanes}", if top { "top" } else { "" }));
        verilate(&verilator, &out, &mdir, &prefix, &verilog);
        check_members(&mdir.join(format!("{prefix}.h")), &ports);
        assert!(
            ports
                .iter()
                .any(|p| p.name == CLOCK && p.dir == Dir::In && p.width == 1),
            "no input `{CLOCK}`"
        );
        let clock_prev = clock_prev(&verilog, &mdir.join(format!("{prefix}___024root.h")));
        // `--cc --build` without `--exe` leaves the model as `<prefix>__ALL.a`;
        // copy it to the name the linker looks for.
        let lib = format!("liqscan_{}", prefix.to_lowercase());
        std::fs::copy(
            mdir.join(format!("{prefix}__ALL.a")),
            out.join(format!("lib{lib}.a")),
        )
        .expect("copy the model archive");
        println!(
            "liqscan-sim: verilated the {what} with {lanes} lane(s) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        models.push(Verilated {
            lanes,
            top,
            prefix,
            ports,
            clock: CLOCK.into(),
            clock_prev,
        });
        model_dirs.push(mdir);
    }

    // The shim references the models, which reference the runtime: link in that order.
    let models_cpp = out.join("models.cpp");
    write(&models_cpp, &codegen::models_cpp(&models));
    let mut shim = cxx(&root);
    shim.include("csrc").file("csrc/shim.cpp").file(&models_cpp);
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
    runtime(&root, &out);
    println!("cargo::rustc-link-lib=atomic");
    write(&out.join("ports.rs"), &codegen::ports_rs(&models, None));
}

/// Verilator's root directory, or why Verilator cannot be used.
fn verilator_root(verilator: &str) -> Result<PathBuf, String> {
    let output = Command::new(verilator)
        .args(["--getenv", "VERILATOR_ROOT"])
        .output()
        .map_err(|e| format!("cannot run `{verilator}` ({e})"))?;
    if !output.status.success() {
        return Err(format!("`{verilator} --getenv VERILATOR_ROOT` failed"));
    }
    let root = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if !root.join("include/verilated.cpp").is_file() {
        return Err(format!(
            "no include/verilated.cpp under Verilator's root {}",
            root.display()
        ));
    }
    Ok(root)
}

/// Verilator's options, with `OPT_FAST` etc. for the C++ compiler.
#[rustfmt::skip]
fn verilator_args(prefix: &str) -> Vec<String> {
    let args = [
        "--cc", "--build", "-j", "2", "--no-timing", "-O3",
        // Explicit X assignments may take any value; variables (memories
        // included) start at zero, deterministically.
        "--x-assign", "fast",
        "-Wno-fatal", "-Wno-lint", "-Wno-style",
        "--top-module", TOP_MODULE, "--prefix", prefix,
        // The per-cycle code at -O2; the constructor and initial code barely optimised.
        "-MAKEFLAGS", "OPT_FAST=-O2 OPT_SLOW=-O0 OPT_GLOBAL=-O2",
        // Lets g++ inline Verilator's wide-word helpers (`_vl_insert_WW`), which
        // the unaligned constant shifts of the partial-product sums call every cycle.
        "-CFLAGS", "--param=max-inline-insns-single=1000",
    ];
    args.iter().map(|a| a.to_string()).collect()
}

/// Verilates and compiles one model into `mdir`, unless the same Verilog was
/// already built there with the same options.
fn verilate(verilator: &str, out: &Path, mdir: &Path, prefix: &str, verilog: &str) {
    let source = out.join(format!("{prefix}.v"));
    let stamp = mdir.join("liqscan.stamp");
    let args = verilator_args(prefix);
    let key = format!("{}\n{verilog}", args.join(" "));
    if mdir.join(format!("{prefix}__ALL.a")).is_file()
        && std::fs::read_to_string(&stamp).is_ok_and(|old| old == key)
    {
        return;
    }
    write(&source, verilog);
    let output = Command::new(verilator)
        .args(&args)
        .arg("-Mdir")
        .arg(mdir)
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("running {verilator}: {e}"));
    if !output.status.success() {
        panic!(
            "verilator failed on {}:\n{}\n{}",
            source.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    write(&stamp, &key);
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

/// A C++ build with Verilator's headers and the flags its makefiles use.
fn cxx(root: &Path) -> cc::Build {
    let mut build = cc::Build::new();
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

/// Verilator's runtime (`verilated.cpp`, `verilated_threads.cpp`), compiled
/// once per output directory: it depends only on the installed Verilator.
fn runtime(root: &Path, out: &Path) {
    let name = "liqscan_verilated";
    let stamp = out.join(format!("lib{name}.a"));
    let built_from = out.join("verilated.root");
    let root_text = root.display().to_string();
    if stamp.is_file() && std::fs::read_to_string(&built_from).is_ok_and(|r| r == root_text) {
        println!("cargo::rustc-link-lib=static={name}");
        return;
    }
    cxx(root)
        .file(root.join("include/verilated.cpp"))
        .file(root.join("include/verilated_threads.cpp"))
        .compile(name);
    write(&built_from, &root_text);
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
