//! Finding Verilator, checking its version, and verilating a model into a
//! cache shared by every build of the same target directory.
//!
//! A model is built once per distinct input: its directory under
//! `<target>/liqscan-verilated/` is named by a hash of the Verilog, the
//! Verilator options, the C++ compiler and Verilator's version, so a
//! profile (`ci`, `release`) or a feature set (`trace`) with a build
//! directory of its own finds the models another one already built.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The oldest Verilator the models build with.
pub const MIN_VERSION: (u32, u32) = (5, 6);

/// A usable Verilator installation.
#[derive(Debug, Clone)]
pub struct Verilator {
    pub bin: String,
    pub root: PathBuf,
    /// `verilator --version`'s first words, e.g. `Verilator 5.006 2023-01-22`.
    pub version: String,
}

/// `(major, minor)` from `Verilator 5.006 2023-01-22 rev …`.
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let number = text.split_whitespace().nth(1)?;
    let (major, minor) = number.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Verilator at `bin`, or why it cannot be used (missing, broken, too old).
pub fn find(bin: &str) -> Result<Verilator, String> {
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run `{bin}` ({e})"))
            .and_then(|out| {
                if out.status.success() {
                    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
                } else {
                    Err(format!("`{bin} {}` failed", args.join(" ")))
                }
            })
    };
    let version = run(&["--version"])?;
    let (major, minor) = parse_version(&version)
        .ok_or_else(|| format!("cannot read the version of `{bin}` from {version:?}"))?;
    if (major, minor) < MIN_VERSION {
        return Err(format!(
            "{version} is too old: the models need Verilator {}.{:03} or newer",
            MIN_VERSION.0, MIN_VERSION.1
        ));
    }
    let root = PathBuf::from(run(&["--getenv", "VERILATOR_ROOT"])?);
    if !root.join("include/verilated.cpp").is_file() {
        return Err(format!(
            "no include/verilated.cpp under Verilator's root {}",
            root.display()
        ));
    }
    let version = version
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Verilator {
        bin: bin.into(),
        root,
        version,
    })
}

/// The C++ compiler the models are built with: the one `cc` picks for the
/// shim, so that both agree (`None`: Verilator's own, for a path make
/// cannot take), and whether it takes GCC's `--param`s.
#[derive(Debug, Clone)]
pub struct Compiler {
    pub path: Option<String>,
    pub gcc: bool,
}

/// What a model is built from: its Verilog and how.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    pub prefix: &'a str,
    pub verilog: &'a str,
    /// `--trace-fst`: the model can write waveforms.
    pub traced: bool,
    /// The lane count whose edge calls are handed to `liqscan_eval_lanes`
    /// (`build/lanes.rs`), if the model's lanes may run on two threads.
    pub split_lanes: Option<usize>,
    /// The clock input (which the input-combo region must not read for
    /// `build/ico.rs` to skip it).
    pub clock: &'a str,
}

/// Verilator's options for `model`.
#[rustfmt::skip]
pub fn args(model: &Model<'_>, compiler: &Compiler, jobs: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "--cc", "--build", "-j", jobs, "--no-timing", "-O3",
        // Explicit X assignments may take any value; variables (memories
        // included) start at zero.
        "--x-assign", "fast", "--x-initial", "fast",
        "-Wno-fatal", "-Wno-lint", "-Wno-style",
        "--top-module", "top", "--prefix", model.prefix,
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    // The per-cycle code at -O2; the constructor and initial code barely
    // optimised. A traced model's per-cycle code is mostly its tracing
    // (four times the model's): at -O1 it compiles in half the time.
    let cxx = compiler.path.as_ref().map(|path| format!("CXX={path} ")).unwrap_or_default();
    let fast = if model.traced { "-O1" } else { "-O2" };
    args.push("-MAKEFLAGS".into());
    args.push(format!("{cxx}OPT_FAST={fast} OPT_SLOW=-O0 OPT_GLOBAL={fast}"));
    if compiler.gcc {
        // Lets g++ inline Verilator's wide-word helpers (`VL_SHIFTL_WWI`,
        // `_vl_insert_WW`) with their constant operands into the per-cycle code.
        args.push("-CFLAGS".into());
        args.push(
            "--param=max-inline-insns-single=1000 --param=large-function-growth=10000 \
             --param=inline-unit-growth=1000"
                .into(),
        );
    }
    if model.traced {
        // Time in the waveform in ns (`csrc/waves.h` sets 10 ns per cycle).
        args.extend(["--trace-fst", "--timescale", "1ns/1ns"].map(String::from));
    }
    args
}

/// FNV-1a, 64 bits: a stable hash for cache keys.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The directory shared by the builds of one target directory:
/// `<target>/liqscan-verilated` for `OUT_DIR = <target>/<profile>/build/<pkg>/out`,
/// else `OUT_DIR` itself.
pub fn cache_root(out: &Path) -> PathBuf {
    let up = |n: usize| out.ancestors().nth(n);
    match (up(2), up(4)) {
        (Some(build), Some(target)) if build.file_name().is_some_and(|n| n == "build") => {
            target.join("liqscan-verilated")
        }
        _ => out.join("liqscan-verilated"),
    }
}

/// A built model: its directory (headers) and its archive.
#[derive(Debug, Clone)]
pub struct Built {
    pub dir: PathBuf,
    pub archive: PathBuf,
    /// Whether this call built it (rather than finding it built).
    pub fresh: bool,
    /// Whether its lanes' edge calls go through `liqscan_eval_lanes`.
    pub split: bool,
}

/// Builds `model` into the cache under `root`, unless it is there.
pub fn build(
    verilator: &Verilator,
    compiler: &Compiler,
    model: &Model<'_>,
    root: &Path,
    jobs: &str,
) -> Built {
    // The jobs count changes nothing built: the key has a placeholder.
    // The patchers' own source is part of the key: a change to them
    // rebuilds the split models.
    let patchers = fnv1a(concat!(
        include_str!("lanes.rs"),
        include_str!("lane_ports.rs"),
        include_str!("ico.rs"),
        include_str!("copies.rs")
    ));
    let key = format!(
        "{}\n{}\n{}\nsplit lanes {:?} by {patchers:016x}\n{}",
        verilator.version,
        verilator.root.display(),
        args(model, compiler, "N").join(" "),
        model.split_lanes,
        model.verilog
    );
    let args = args(model, compiler, jobs);
    let dir = root.join(format!("{}-{:016x}", model.prefix, fnv1a(&key)));
    let archive = dir.join(format!("{}__ALL.a", model.prefix));
    let done = dir.join("liqscan.done");
    let split_marker = |dir: &Path| dir.join("liqscan.split");
    if done.is_file() && archive.is_file() {
        return Built {
            split: split_marker(&dir).is_file(),
            dir,
            archive,
            fresh: false,
        };
    }
    // Built beside its final place and renamed into it, so a concurrent
    // build never sees half a model.
    let work = root.join(format!(
        "{}.building-{}",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("model"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("creating {}: {e}", work.display()));
    let source = work.join(format!("{}.v", model.prefix));
    write(&source, model.verilog);
    // With lanes to split, Verilator writes the C++, the edge code is
    // patched, and make compiles it as `--build` would have.
    let verilate: Vec<&String> = args
        .iter()
        .filter(|a| model.split_lanes.is_none() || a.as_str() != "--build")
        .collect();
    let output = Command::new(&verilator.bin)
        .args(&verilate)
        .arg("-Mdir")
        .arg(&work)
        .arg(&source)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", verilator.bin));
    check(&output, &format!("verilator on {}", source.display()));
    let mut split = false;
    if let Some(lanes) = model.split_lanes {
        split = split_lanes(&work, lanes, model.clock);
        if split {
            write(&split_marker(&work), "");
        }
        let make_flags = args
            .iter()
            .skip_while(|a| a.as_str() != "-MAKEFLAGS")
            .nth(1)
            .map(|f| f.split_whitespace().collect::<Vec<_>>())
            .unwrap_or_default();
        let output = Command::new("make")
            .arg("-C")
            .arg(&work)
            .arg("-f")
            .arg(format!("{}.mk", model.prefix))
            .arg(format!("-j{jobs}"))
            .args(make_flags)
            .output()
            .unwrap_or_else(|e| panic!("running make: {e}"));
        check(&output, &format!("make in {}", work.display()));
    }
    prune_sources(&work);
    write(&work.join("liqscan.done"), &key[..key.len().min(4096)]);
    match std::fs::rename(&work, &dir) {
        Ok(()) => {}
        // Another build finished the same model first: use that one.
        Err(_) if done.is_file() => {
            let _ = std::fs::remove_dir_all(&work);
        }
        Err(e) => panic!("moving {} to {}: {e}", work.display(), dir.display()),
    }
    prune_old(root, model.prefix, &dir);
    Built {
        dir,
        archive,
        fresh: true,
        split,
    }
}

/// Panics with a command's output if it failed.
fn check(output: &std::process::Output, what: &str) {
    if !output.status.success() {
        panic!(
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Patches the lanes' calls in the generated C++ under `dir`
/// (`build/lanes.rs`), guards the root's one-lane statements
/// (`build/lane_ports.rs`), lets the replicas skip the input-combo
/// region (`build/ico.rs`) and merges runs of word copies
/// (`build/copies.rs`); whether a file had lane calls.
fn split_lanes(dir: &Path, lanes: usize, clock: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let generated: Vec<(String, String)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|path| path.extension().is_some_and(|e| e == "cpp"))
        .filter_map(|path| {
            let cpp = std::fs::read_to_string(&path).ok()?;
            Some((path.to_string_lossy().into_owned(), cpp))
        })
        .collect();
    let mut files = generated.clone();
    let instances = files
        .iter()
        .find_map(|(_, cpp)| crate::lanes::instances(cpp, lanes));
    let skip_ico = !files
        .iter()
        .any(|(_, cpp)| crate::ico::reads_clock(cpp, clock));
    let mut split = false;
    for (_, cpp) in &mut files {
        if let Some(patched) = crate::lanes::split(cpp, lanes) {
            *cpp = patched;
            split = true;
        }
        if let Some(patched) = crate::ico::patch(cpp).filter(|_| skip_ico) {
            *cpp = patched;
        }
    }
    if let Some(instances) = instances {
        for (path, patched) in crate::lane_ports::guard(&files, &instances) {
            if let Some((_, cpp)) = files.iter_mut().find(|(p, _)| *p == path) {
                *cpp = patched;
            }
        }
    }
    for (_, cpp) in &mut files {
        if let Some(merged) = crate::copies::merge(cpp) {
            *cpp = merged;
        }
    }
    for ((path, patched), (_, original)) in files.iter().zip(&generated) {
        if patched != original {
            write(Path::new(path.as_str()), patched);
        }
    }
    split
}

/// Drops the generated C++ and objects (the archive holds them), keeping
/// the headers the shim includes.
fn prune_sources(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if matches!(ext, "cpp" | "o" | "d") {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Keeps the newest few builds of `prefix` (other worktrees' or
/// revisions' models) and removes the others.
fn prune_old(root: &Path, prefix: &str, keep: &Path) {
    const KEEP: usize = 3;
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let name = format!("{prefix}-");
    let mut builds: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let file = e.file_name();
            let file = file.to_string_lossy();
            file.strip_prefix(&name)
                .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .filter_map(|e| {
            Some((
                e.path()
                    .join("liqscan.done")
                    .metadata()
                    .ok()?
                    .modified()
                    .ok()?,
                e.path(),
            ))
        })
        .collect();
    builds.sort_by_key(|b| std::cmp::Reverse(b.0));
    for (_, path) in builds.into_iter().skip(KEEP) {
        if path != keep {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

pub fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
