//! One module definition per distinct subtree of the generated Verilog.
//!
//! RustHDL names every module after its instance path (`top$lanes$3$lane…`),
//! so the `L` lane slices of the scanner are `L` copies of the same text
//! under different names, and Verilator, given `L` modules, compiles and
//! evaluates `L` copies of the same code. Here the element `X$i` of an
//! array of blocks whose whole subtree (the module and every module below
//! it) reads exactly as `X$0`'s, names aside, is instantiated as `X$0` and
//! its definitions are dropped: the same instances, ports and logic, so the
//! same netlist. The lane number, the one thing that tells the lanes apart,
//! is a port of the lane slice (`liqscan_hw::scanner::LaneSlice::index`).
//!
//! A shared subtree large enough to matter gets two Verilator directives,
//! comments to every other tool: `no_inline_module`, so that Verilator keeps
//! it a module whose code runs once per instance instead of flattening
//! `L` copies into the top, and `public_flat_rd` on its inputs (the clock
//! aside), so that Verilator does not fold a constant input (the lane
//! number) into a copy of the code per instance.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A shared subtree of at least this many modules is kept out of line (a
/// lane slice has hundreds; a compare or a RAM is inlined by Verilator).
pub const OUT_OF_LINE_MODULES: usize = 32;

/// The Verilog with identical array elements sharing one definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    pub verilog: String,
    /// Modules now instantiated in place of others, with the names they replaced.
    pub merged: BTreeMap<String, Vec<String>>,
    /// Shared modules that Verilator keeps out of line.
    pub out_of_line: Vec<String>,
}

/// One `module … endmodule` of the text.
pub struct Module<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// The text before the first module (a header) and each module, in order.
pub fn split(verilog: &str) -> (&str, Vec<Module<'_>>) {
    let starts: Vec<usize> = line_starts(verilog)
        .filter(|&at| verilog[at..].starts_with("module "))
        .collect();
    let header = &verilog[..starts.first().copied().unwrap_or(verilog.len())];
    let modules = starts
        .iter()
        .enumerate()
        .map(|(i, &at)| {
            let end = starts.get(i + 1).copied().unwrap_or(verilog.len());
            let text = &verilog[at..end];
            let name = text["module ".len()..]
                .split(|c: char| c == '(' || c == ';' || c.is_whitespace())
                .next()
                .unwrap_or_default();
            Module { name, text }
        })
        .collect();
    (header, modules)
}

fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1))
}

/// A character of a Verilog identifier (RustHDL's `$` included).
fn ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// `text` with the module name `from` (and every name below it, `from$…`)
/// renamed to `to`: a match must not continue an identifier before it, and
/// after it comes `$` or a character that ends the identifier.
fn rename(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in text.match_indices(from) {
        if at < rest {
            continue;
        }
        let before = text[..at].chars().next_back();
        let after = text[at + from.len()..].chars().next();
        let starts = !matches!(before, Some(c) if ident_char(c));
        let ends = !matches!(after, Some(c) if c != '$' && ident_char(c));
        if starts && ends {
            out.push_str(&text[rest..at]);
            out.push_str(to);
            rest = at + from.len();
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// `name` as `X$i`: the array `X` and the element `i`.
fn element(name: &str) -> Option<(&str, u64)> {
    let (array, index) = name.rsplit_once('$')?;
    let digits = !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| Some((array, index.parse().ok()?))).flatten()
}

/// Shares every array element whose subtree equals the first element's;
/// a shared subtree of at least `out_of_line` modules gets the Verilator
/// directives. `clock` is the input that stays out of `public_flat_rd`.
pub fn share(verilog: &str, clock: &str, out_of_line: usize) -> Shared {
    let (header, modules) = split(verilog);
    let index: HashMap<&str, usize> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name, i))
        .collect();
    // The modules of each subtree, by root.
    let below = |root: &str| -> Vec<usize> {
        let prefix = format!("{root}$");
        let mut members: Vec<usize> = modules
            .iter()
            .enumerate()
            .filter(|(_, m)| m.name == root || m.name.starts_with(&prefix))
            .map(|(i, _)| i)
            .collect();
        members.sort_by_key(|&i| modules[i].name);
        members
    };
    // A subtree's text with its root's name taken out.
    let canonical = |root: &str, members: &[usize]| -> String {
        let mut text = String::new();
        for &i in members {
            text.push_str(&modules[i].name[root.len()..]);
            text.push('\n');
            text.push_str(&rename(modules[i].text, root, "\u{0}"));
        }
        text
    };

    // Arrays, shallowest first, so a dropped subtree's inner arrays are skipped.
    let mut arrays: BTreeMap<(usize, &str), Vec<(u64, &str)>> = BTreeMap::new();
    for m in &modules {
        if let Some((array, i)) = element(m.name) {
            let depth = m.name.matches('$').count();
            arrays.entry((depth, array)).or_default().push((i, m.name));
        }
    }
    let mut dropped: BTreeSet<usize> = BTreeSet::new();
    let mut merged: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut renames: Vec<(&str, &str)> = Vec::new();
    for elements in arrays.values_mut() {
        elements.sort_unstable();
        let live: Vec<&str> = elements
            .iter()
            .map(|&(_, name)| name)
            .filter(|name| !dropped.contains(&index[name]))
            .collect();
        let Some((&first, others)) = live.split_first() else {
            continue;
        };
        let first_members = below(first);
        let first_text = canonical(first, &first_members);
        for &other in others {
            let members = below(other);
            if canonical(other, &members) == first_text {
                dropped.extend(members);
                renames.push((other, first));
                merged
                    .entry(first.to_string())
                    .or_default()
                    .push(other.to_string());
            }
        }
    }

    let mut kept_out_of_line = Vec::new();
    let mut verilog = header.to_string();
    for (i, m) in modules.iter().enumerate() {
        if dropped.contains(&i) {
            continue;
        }
        let mut text = m.text.to_string();
        for &(from, to) in &renames {
            if text.contains(from) {
                text = rename_instances(&text, from, to);
            }
        }
        if merged.contains_key(m.name) && below(m.name).len() >= out_of_line {
            text = out_of_line_text(&text, clock);
            kept_out_of_line.push(m.name.to_string());
        }
        verilog.push_str(&text);
    }
    Shared {
        verilog,
        merged,
        out_of_line: kept_out_of_line,
    }
}

/// `text` with instantiations of module `from` made instantiations of `to`:
/// a line `from instance(` (no other use of a module's name is renamed,
/// and names below `from` are gone with its subtree).
fn rename_instances(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let is_instance = trimmed
            .strip_prefix(from)
            .is_some_and(|rest| rest.starts_with(' ') && rest.trim_end().ends_with('('));
        if is_instance {
            let indent = &line[..line.len() - trimmed.len()];
            out.push_str(indent);
            out.push_str(to);
            out.push_str(&trimmed[from.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The module's text with Verilator's `no_inline_module` after its header
/// (which may span lines, as yosys writes it) and every input but `clock`
/// readable from outside (so never folded to a constant).
pub fn out_of_line_text(text: &str, clock: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1024);
    let (mut in_header, mut marked) = (false, false);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let input = trimmed
            .strip_prefix("input ")
            .and_then(|rest| rest.strip_suffix(';'))
            .map(|rest| rest.rsplit(' ').next().unwrap_or_default());
        match input {
            Some(name) if name != clock && !in_header => {
                let at = line.rfind(';').expect("an input declaration ends in ';'");
                out.push_str(&line[..at]);
                out.push_str(" /*verilator public_flat_rd*/");
                out.push_str(&line[at..]);
            }
            _ => out.push_str(line),
        }
        if !marked && trimmed.starts_with("module ") {
            in_header = true;
        }
        if in_header && trimmed.ends_with(';') {
            out.push_str("    /*verilator no_inline_module*/\n");
            (in_header, marked) = (false, true);
        }
    }
    out
}
