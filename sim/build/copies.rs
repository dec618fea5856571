//! Runs of word copies between two arrays made one `memcpy`.
//!
//! Verilator copies a wide value word by word. Each lane's bracket-row
//! input, 31 words, is copied on every edge as
//!
//! ```text
//!     vlSymsp->TOP__top__DOT__lanes__0240.brackets[0U] = vlSelf->top__DOT__symbols__024row[0U];
//!     …
//!     vlSymsp->TOP__top__DOT__lanes__0240.brackets[0x1eU] = vlSelf->top__DOT__symbols__024row[0x1eU];
//! ```
//!
//! Both arrays are reached through pointers, so the compiler cannot tell
//! that they do not overlap and keeps 31 loads and 31 stores in order.
//! Two distinct variables cannot overlap: `memcpy` copies the same words,
//! and the compiler makes it a few vector moves. `merge` rewrites a run of
//! at least [`MIN_RUN`] such statements (consecutive lines, the same two
//! arrays, the same consecutive indices on both sides), with a
//! `static_assert` that the two element types have one size. Shorter runs
//! the compiler pairs into vector moves itself.

/// The fewest word copies worth a `memcpy`.
pub const MIN_RUN: usize = 8;

/// One statement `to[i] = from[i];` as Verilator writes it, on one line
/// or two (the second starting with `= `).
struct Copy<'a> {
    indent: &'a str,
    to: &'a str,
    from: &'a str,
    index: u64,
    /// Lines it spans.
    lines: usize,
}

/// `a[i]` → (`a`, `i`) for a plain variable `a` (identifiers joined by
/// `->` or `.`) and a literal index (`7U`, `0x1eU`).
fn element(text: &str) -> Option<(&str, u64)> {
    let (array, rest) = text.trim().split_once('[')?;
    let index = rest.strip_suffix(']')?.strip_suffix('U')?;
    let index = match index.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => index.parse().ok()?,
    };
    let plain = array.replace("->", ".").split('.').all(|part| {
        !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    plain.then_some((array, index))
}

fn copy_at<'a>(lines: &[&'a str], at: usize) -> Option<Copy<'a>> {
    let first = lines[at];
    let (text, spanned) = if first.trim_end().ends_with(';') {
        (first.trim().to_string(), 1)
    } else {
        let second = lines.get(at + 1)?.trim();
        if !second.starts_with("= ") {
            return None;
        }
        (format!("{} {second}", first.trim()), 2)
    };
    let (to, from) = text.strip_suffix(';')?.split_once(" = ")?;
    let (to_array, index) = element(to)?;
    let (from_array, from_index) = element(from)?;
    // Distinct variables do not overlap; `vlSymsp->TOP.x` is `vlSelf->x`
    // in the root's functions.
    let same = |a: &str| a.replacen("vlSymsp->TOP.", "vlSelf->", 1);
    if index != from_index || same(to_array) == same(from_array) {
        return None;
    }
    let indent = &first[..first.len() - first.trim_start().len()];
    // Borrow the arrays' names from the source lines, not the joined text.
    let to = first.trim_start().split('[').next()?;
    let from_line = lines[at + spanned - 1];
    let from_start = from_line.rfind(from_array)?;
    Some(Copy {
        indent,
        to,
        from: &from_line[from_start..from_start + from_array.len()],
        index,
        lines: spanned,
    })
}

/// `cpp` with every run of word copies merged, if it has one; else `None`.
pub fn merge(cpp: &str) -> Option<String> {
    let lines: Vec<&str> = cpp.lines().collect();
    let mut out = String::with_capacity(cpp.len());
    let mut merged = false;
    let mut at = 0;
    while at < lines.len() {
        if let Some(first) = copy_at(&lines, at) {
            let mut next = at + first.lines;
            let mut count = 1;
            while let Some(c) = (next < lines.len())
                .then(|| copy_at(&lines, next))
                .flatten()
            {
                if c.to != first.to || c.from != first.from || c.index != first.index + count {
                    break;
                }
                next += c.lines;
                count += 1;
            }
            if count >= MIN_RUN as u64 {
                let (indent, to, from, index) = (first.indent, first.to, first.from, first.index);
                out += &format!(
                    "{indent}static_assert(sizeof({to}[{index}U]) == sizeof({from}[{index}U]), \"one element size\");\n\
                     {indent}std::memcpy(&{to}[{index}U], &{from}[{index}U], {count} * sizeof({to}[{index}U]));\n"
                );
                merged = true;
                at = next;
                continue;
            }
        }
        out += lines[at];
        out.push('\n');
        at += 1;
    }
    merged.then(|| format!("#include <cstring>\n{out}"))
}
