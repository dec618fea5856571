//! A yosys pass over each out-of-line lane before Verilator: the same
//! cells, written as registers with enables.
//!
//! RustHDL writes every register as a `d`/`q` pair: a flip-flop module
//! (`always @(posedge clock) q <= d`) and, in its parent's combinational
//! block, a default `x$d = x$q` that the block's conditions may override.
//! Verilator compiles that literally: every cycle it copies each register's
//! `q` into `d` and `d` back into `q`, wide values word by word, enabled or
//! not. yosys reads the same text, turns each `d = en ? v : q` into a
//! flip-flop with an enable (`opt_dff`), flattens the lane's small
//! modules into it and writes it back as `always @(posedge clock) if (en)
//! q <= v`, whole wires assigned once (`splitnets -driver`, so Verilator
//! can order every assignment statically). The cells and registers are
//! the ones RustHDL generated (logic optimisations that keep every output
//! and register exact: constants folded, duplicates merged, unused wires
//! dropped); nothing is mapped to gates and the modules holding memories
//! are not touched (they are blackboxes to yosys and keep their text).
//!
//! The lane keeps its name and Verilator's directives (`share.rs`), so it
//! is still one module whose code runs once per lane.

use std::path::Path;
use std::process::Command;

use crate::share;
use crate::verilator::{fnv1a, write};

/// A usable yosys.
#[derive(Debug, Clone)]
pub struct Yosys {
    pub bin: String,
    /// `yosys -V`'s first two words, e.g. `Yosys 0.23`.
    pub version: String,
}

/// The oldest yosys the pass runs on: `opt_dff` came in 0.10.
pub const MIN_VERSION: (u32, u32) = (0, 10);

/// `(major, minor)` from `Yosys 0.23 (git sha1 …)` or `Yosys 0.9+4081 (…)`.
pub fn parse_version(text: &str) -> Option<(u32, u32)> {
    let mut words = text.split_whitespace();
    if words.next()? != "Yosys" {
        return None;
    }
    let (major, rest) = words.next()?.split_once('.')?;
    let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// yosys at `bin`, or why it cannot be used (missing, broken, too old).
pub fn find(bin: &str) -> Result<Yosys, String> {
    let out = Command::new(bin)
        .arg("-V")
        .output()
        .map_err(|e| format!("cannot run `{bin}` ({e})"))?;
    if !out.status.success() {
        return Err(format!("`{bin} -V` failed"));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let (major, minor) = parse_version(&text)
        .ok_or_else(|| format!("`{bin} -V` printed {:?}, not a yosys version", text.trim()))?;
    let version: Vec<&str> = text.split_whitespace().take(2).collect();
    let version = version.join(" ");
    if (major, minor) < MIN_VERSION {
        return Err(format!(
            "{version} is too old for the lane's pass (it needs yosys {}.{} or newer)",
            MIN_VERSION.0, MIN_VERSION.1
        ));
    }
    Ok(Yosys {
        bin: bin.into(),
        version,
    })
}

/// The pass, for the lane `root` whose memories are the modules `memories`:
/// read `in.v`, write `out.v`.
pub fn script(root: &str, memories: &[&str]) -> String {
    let mut s = String::from("read_verilog in.v\n");
    if !memories.is_empty() {
        s.push_str(&format!("blackbox {}\n", memories.join(" ")));
    }
    s.push_str(&format!("hierarchy -top {root}\n"));
    for pass in [
        "proc",
        "flatten",
        "opt_expr",
        "opt_merge",
        "opt_clean",
        "opt_dff",
        "opt_expr",
        "opt_merge",
        "opt_clean -purge",
        "splitnets -driver",
        "opt_clean -purge",
    ] {
        s.push_str(pass);
        s.push('\n');
    }
    // Drops the flattened modules; blackboxes are not written.
    s.push_str(&format!(
        "hierarchy -top {root}\nwrite_verilog -noattr out.v\n"
    ));
    s
}

/// Whether a module's text declares a memory (`reg [w] name [a:b];`).
pub fn declares_memory(text: &str) -> bool {
    text.lines().any(|line| {
        let mut line = line.trim();
        while let Some(rest) = line.strip_prefix("(*") {
            line = rest.split_once("*)").map_or("", |(_, after)| after).trim();
        }
        let Some(body) = line.strip_prefix("reg ").and_then(|l| l.strip_suffix("];")) else {
            return false;
        };
        body.rfind('[')
            .map(|at| body[..at].trim_end())
            .and_then(|before| before.chars().next_back())
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    })
}

/// `verilog` with each module of `roots` and the modules below it replaced
/// by yosys's rewrite (cached under `cache`), the memories' modules kept.
/// Panics with yosys's log if it fails.
pub fn apply(yosys: &Yosys, verilog: &str, roots: &[String], clock: &str, cache: &Path) -> String {
    let mut verilog = verilog.to_string();
    for root in roots {
        let (header, modules) = share::split(&verilog);
        let in_tree = |name: &str| name == root || name.starts_with(&format!("{root}$"));
        let tree: Vec<&share::Module<'_>> = modules.iter().filter(|m| in_tree(m.name)).collect();
        let memories: Vec<&share::Module<'_>> = tree
            .iter()
            .copied()
            .filter(|m| declares_memory(m.text))
            .collect();
        let input: String = tree.iter().map(|m| m.text).collect();
        let names: Vec<&str> = memories.iter().map(|m| m.name).collect();
        let script = script(root, &names);
        let rewritten = run(yosys, &script, &input, cache);
        let mut out = header.to_string();
        let mut placed = false;
        for m in &modules {
            if !in_tree(m.name) {
                out.push_str(m.text);
            } else if !placed {
                out.push_str(&share::out_of_line_text(&rewritten, clock));
                out.push('\n');
                for memory in &memories {
                    out.push_str(memory.text);
                }
                placed = true;
            }
        }
        verilog = out;
    }
    verilog
}

/// yosys's output for `script` on `input`, from the cache when it ran before.
fn run(yosys: &Yosys, script: &str, input: &str, cache: &Path) -> String {
    let key = fnv1a(&format!("{}\n{script}\n{input}", yosys.version));
    let done = cache.join(format!("yosys-{key:016x}.v"));
    if let Ok(text) = std::fs::read_to_string(&done) {
        return text;
    }
    let work = cache.join(format!("yosys-{key:016x}.building-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("creating {}: {e}", work.display()));
    write(&work.join("in.v"), input);
    write(&work.join("pass.ys"), script);
    let output = Command::new(&yosys.bin)
        .current_dir(&work)
        .args(["-q", "-l", "yosys.log", "pass.ys"])
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", yosys.bin));
    let log = work.join("yosys.log");
    if !output.status.success() {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        panic!(
            "{} failed on the lane's pass (set LIQSCAN_YOSYS=none to build without it); \
             in {}:\n{}\n{}",
            yosys.version,
            work.display(),
            String::from_utf8_lossy(&output.stderr),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        );
    }
    let text = std::fs::read_to_string(work.join("out.v"))
        .unwrap_or_else(|e| panic!("reading yosys's output in {}: {e}", work.display()));
    // Renamed into place, so a concurrent build never reads half a file.
    let staged = work.join("done.v");
    write(&staged, &text);
    let _ = std::fs::rename(&staged, &done);
    let _ = std::fs::remove_dir_all(&work);
    prune(cache);
    text
}

/// Keeps the newest few rewrites (other revisions' and worktrees').
fn prune(cache: &Path) {
    const KEEP: usize = 12;
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with("yosys-") && name.ends_with(".v")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, path) in files.into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(path);
    }
}
