//! The root's statements that serve one lane only, run only by the replica
//! that evaluates that lane.
//!
//! Verilator's root code copies each lane's inputs into the lane's instance
//! and each lane's result ports out of it, lane by lane:
//!
//! ```text
//!     vlSymsp->TOP__top__DOT__lanes__0243.busy = vlSelf->top__DOT__control__DOT__busy_r__024q;
//!     if (vlSymsp->TOP__top__DOT__lanes__0243.__PVT__enables__02eback_le1__02eq) {
//!         vlSelf->res_slot__0243 = vlSymsp->TOP__top__DOT__lanes__0243.__PVT__…;
//!     …
//! ```
//!
//! In a model of two replicas (`csrc/lanes.h`) each replica evaluates half
//! of the lanes, so the other half's copies are work for nothing. `guard`
//! wraps each run of such statements in `if (the lane is this replica's)`.
//! It guards a statement only where skipping it changes nothing the
//! replica computes: the statement names one lane's instance and no other,
//! calls no function (a call may write through its arguments), writes only
//! that lane's fields and root variables, and nothing outside that lane's
//! guarded statements names what it writes.

use std::collections::{BTreeSet, HashMap};

/// The runtime function the guarded code asks for the lanes of the
/// replica being evaluated (`csrc/lanes.h`).
pub const RANGE: &str = "liqscan_lanes_now";

/// The fewest consecutive statements of one lane worth a guard.
const MIN_RUN: usize = 16;

/// One top-level statement of a root function: lines `[start, end)`.
struct Statement {
    start: usize,
    end: usize,
    /// Its identifiers and member pairs, with their counts ([`names`]).
    names: HashMap<String, usize>,
    /// The one lane whose instance it names, if it names exactly one.
    lane: Option<usize>,
    /// What it writes: root variables (`vlSelf->x` as `x`) and lane fields
    /// (`vlSymsp->instance.f` as `instance.f`); `None` if it writes anything
    /// else or calls a function.
    writes: Option<BTreeSet<String>>,
}

/// A root function: its `// Body` line (after which the guarded code asks
/// for the lane range) and its statements.
struct Function {
    body: usize,
    statements: Vec<Statement>,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The spans `[start, end)` of the identifiers in `text`, in order.
fn identifiers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if is_ident(bytes[i]) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            spans.push((start, i));
        } else {
            i += 1;
        }
    }
    spans
}

/// Identifiers and `a.b` member pairs in `text`, with their counts.
fn names(text: &str, counts: &mut HashMap<String, usize>) {
    let spans = identifiers(text);
    for (n, &(start, end)) in spans.iter().enumerate() {
        *counts.entry(text[start..end].to_string()).or_default() += 1;
        if let Some(&(s, e)) = n.checked_sub(1).map(|p| &spans[p]) {
            if e + 1 == start && text.as_bytes()[e] == b'.' {
                *counts
                    .entry(format!("{}.{}", &text[s..e], &text[start..end]))
                    .or_default() += 1;
            }
        }
    }
}

/// The lvalues a statement assigns, as written (`vlSelf->x[1U]`); `None`
/// if it has a compound assignment or a function call.
fn assigned(text: &str) -> Option<Vec<&str>> {
    let bytes = text.as_bytes();
    // A call: an identifier followed by `(`, other than `if`.
    let call = identifiers(text)
        .into_iter()
        .any(|(start, end)| text[end..].trim_start().starts_with('(') && &text[start..end] != "if");
    if call {
        return None;
    }
    let mut lvalues = Vec::new();
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' | b'{' | b'}' => from = i + 1,
            b'=' if bytes.get(i + 1) == Some(&b'=') => i += 1,
            b'=' => {
                let before = if i > 0 { bytes[i - 1] } else { b' ' };
                if b"+-*/%&|^".contains(&before) {
                    return None;
                }
                if b"!<>".contains(&before) {
                    // `<<=` and `>>=` assign; `<=`, `>=`, `!=` compare.
                    if i > 1 && (bytes[i - 2] == before) && before != b'!' {
                        return None;
                    }
                } else {
                    lvalues.push(text[from..i].trim());
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(lvalues)
}

/// What an lvalue names: `vlSelf->x…` → `x`, `vlSymsp->inst.f…` → `inst.f`.
fn written(lvalue: &str) -> Option<String> {
    let base = lvalue.split('[').next()?.trim();
    let name_ok = |s: &str| !s.is_empty() && s.bytes().all(is_ident);
    if let Some(root) = base.strip_prefix("vlSelf->") {
        return name_ok(root).then(|| root.to_string());
    }
    let member = base.strip_prefix("vlSymsp->")?;
    let (instance, field) = member.split_once('.')?;
    (name_ok(instance) && name_ok(field)).then(|| member.to_string())
}

/// The lane whose instance a statement with these [`names`] names, if it
/// names exactly one.
fn lane_of(counts: &HashMap<String, usize>, instances: &[String]) -> Option<usize> {
    let named: Vec<usize> = instances
        .iter()
        .enumerate()
        .filter(|(_, i)| counts.contains_key(i.as_str()))
        .map(|(k, _)| k)
        .collect();
    (named.len() == 1).then(|| named[0])
}

/// The root functions of `lines` (a per-cycle root file) and their
/// top-level statements.
fn functions(lines: &[&str], instances: &[String]) -> Vec<Function> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < lines.len() {
        let line = lines[at];
        let root_function = (line.starts_with("void ") || line.starts_with("VL_INLINE_OPT void "))
            && line.contains("___024root___")
            && line.trim_end().ends_with(") {");
        if !root_function {
            at += 1;
            continue;
        }
        let Some(end) = (at + 1..lines.len()).find(|&i| lines[i] == "}") else {
            break;
        };
        let body = (at + 1..end)
            .find(|&i| lines[i].trim() == "// Body")
            .unwrap_or(at);
        let mut statements = Vec::new();
        let mut i = body + 1;
        while i < end {
            let l = lines[i];
            let top = l.starts_with("    ") && !l[4..].starts_with([' ', '}', '/']);
            if !top {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < end && (lines[j].starts_with("     ") || lines[j].starts_with("    }")) {
                j += 1;
            }
            let text = lines[i..j].join("\n");
            let mut counts = HashMap::new();
            names(&text, &mut counts);
            let lane = lane_of(&counts, instances);
            let writes = assigned(&text).and_then(|lvalues| {
                lvalues
                    .iter()
                    .map(|l| written(l))
                    .collect::<Option<BTreeSet<_>>>()
            });
            statements.push(Statement {
                start: i,
                end: j,
                names: counts,
                lane,
                writes,
            });
            i = j;
        }
        found.push(Function { body, statements });
        at = end + 1;
    }
    found
}

/// `files` (a model's per-cycle C++: name and text) with the root's
/// one-lane statements guarded; the files it changes, with their new text.
pub fn guard(files: &[(String, String)], instances: &[String]) -> Vec<(String, String)> {
    let roots: Vec<usize> = (0..files.len())
        .filter(|&f| files[f].0.contains("___024root__") && !files[f].0.contains("__Slow"))
        .collect();
    let lines: Vec<Vec<&str>> = files.iter().map(|(_, t)| t.lines().collect()).collect();
    let parsed: HashMap<usize, Vec<Function>> = roots
        .iter()
        .map(|&f| (f, functions(&lines[f], instances)))
        .collect();
    // Every per-cycle file's names. Not the slow code (constructors, the
    // first evaluation's settle), the symbol table's scope registration nor
    // the model's own file (its constructor binds the ports, its entry
    // points call the root): they run before any lane is skipped, or read
    // no signal.
    let mut total = HashMap::new();
    for (name, text) in files {
        let stem = name.rsplit('/').next().unwrap_or(name);
        if !name.contains("__Slow") && !name.ends_with("__Syms.cpp") && stem.contains("__") {
            names(text, &mut total);
        }
    }
    // Candidates, then drop those whose writes are named elsewhere until
    // none is: a name counts as private to lane k when all its occurrences
    // are in lane k's guarded statements.
    let mut guarded: BTreeSet<(usize, usize, usize)> = BTreeSet::new();
    for (&f, functions) in &parsed {
        for (g, function) in functions.iter().enumerate() {
            for (s, st) in function.statements.iter().enumerate() {
                let writes_own = st.lane.zip(st.writes.as_ref()).is_some_and(|(k, w)| {
                    w.iter()
                        .all(|n| !n.contains('.') || n.starts_with(&format!("{}.", instances[k])))
                });
                if writes_own {
                    guarded.insert((f, g, s));
                }
            }
        }
    }
    // Short runs are left alone: a guard's compare and branch cost about
    // what a few copies do, and it splits the straight-line code that
    // loads each value once for every lane. A run is what one guard holds:
    // one lane's statements of one function, each right after the last.
    let mut runs: Vec<Vec<(usize, usize, usize)>> = Vec::new();
    for &(f, g, s) in &guarded {
        let st = &parsed[&f][g].statements[s];
        let joins = runs
            .last()
            .and_then(|run| run.last())
            .is_some_and(|&(pf, pg, ps)| {
                let previous = &parsed[&pf][pg].statements[ps];
                (pf, pg) == (f, g) && previous.end == st.start && previous.lane == st.lane
            });
        match runs.last_mut() {
            Some(run) if joins => run.push((f, g, s)),
            _ => runs.push(vec![(f, g, s)]),
        }
    }
    for run in runs.iter().filter(|run| run.len() < MIN_RUN) {
        for at in run {
            guarded.remove(at);
        }
    }
    loop {
        let mut inside: HashMap<(usize, String), usize> = HashMap::new();
        for &(f, g, s) in &guarded {
            let st = &parsed[&f][g].statements[s];
            for (name, n) in &st.names {
                *inside.entry((st.lane.unwrap(), name.clone())).or_default() += n;
            }
        }
        let before = guarded.len();
        guarded.retain(|&(f, g, s)| {
            let st = &parsed[&f][g].statements[s];
            let k = st.lane.unwrap();
            st.writes.as_ref().unwrap().iter().all(|name| {
                total.get(name).copied().unwrap_or(0)
                    == inside.get(&(k, name.clone())).copied().unwrap_or(0)
            })
        });
        if guarded.len() == before {
            break;
        }
    }
    let mut changed = Vec::new();
    for &f in &roots {
        let functions = &parsed[&f];
        if !guarded.iter().any(|&(gf, _, _)| gf == f) {
            continue;
        }
        // What goes before which line: each run's end, the range asked for
        // after a function's `// Body`, each run's guard, in that order.
        let mut inserts: Vec<(usize, u8, String)> = Vec::new();
        for (g, function) in functions.iter().enumerate() {
            let mut open: Option<(usize, usize)> = None; // (lane, end line)
            for (s, st) in function.statements.iter().enumerate() {
                if !guarded.contains(&(f, g, s)) {
                    continue;
                }
                let k = st.lane.unwrap();
                // A run goes on while the next guarded statement is the same
                // lane's and follows directly.
                if open != Some((k, st.start)) {
                    if let Some((_, end)) = open {
                        inserts.push((end, 0, "    }\n".into()));
                    } else {
                        let fetch =
                            format!("    const liqscan_lane_range liqscan_own = {RANGE}();\n");
                        inserts.push((function.body + 1, 1, fetch));
                    }
                    let test =
                        format!("    if (liqscan_own.from <= {k}U && {k}U < liqscan_own.to) {{\n");
                    inserts.push((st.start, 2, test));
                }
                open = Some((k, st.end));
            }
            if let Some((_, end)) = open {
                inserts.push((end, 0, "    }\n".into()));
            }
        }
        inserts.sort();
        // Guarded: Verilator's make may compile the files as one unit.
        let mut out = format!(
            "#ifndef LIQSCAN_LANES_NOW\n#define LIQSCAN_LANES_NOW\n\
             // The lanes [from, to) of the replica being evaluated (liqscan's lane worker).\n\
             struct liqscan_lane_range {{\n    unsigned from;\n    unsigned to;\n}};\n\
             extern \"C\" liqscan_lane_range {RANGE}();\n#endif\n"
        );
        let mut next = inserts.iter().peekable();
        for (at, line) in lines[f].iter().enumerate() {
            while let Some((_, _, text)) = next.next_if(|(i, _, _)| *i == at) {
                out += text;
            }
            out += line;
            out.push('\n');
        }
        for (_, _, text) in next {
            out += text;
        }
        changed.push((files[f].0.clone(), out));
    }
    changed
}
