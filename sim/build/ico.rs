//! The input-combo region skipped when no input changed.
//!
//! Verilator 5.006 evaluates the model's input-combo (`ico`) region on the
//! first pass of every `eval()`, whether or not an input changed: the
//! logic that reads the inputs, recomputed from inputs and state alike.
//! Where it reads state too, the clock-edge (`nba`) region recomputes it
//! after every edge, so when no input has changed since the last `eval()`
//! the region would compute what every signal already holds. A clock edge
//! changes only the clock, which the region must then not read.
//!
//! `patch` makes the region's trigger ask [`ASK`] (`csrc/lanes.h`), which
//! says whether the replica being evaluated had an input written since its
//! last evaluation; a model that never says otherwise gets `true`, so the
//! region runs as before.

/// The runtime function the patched trigger asks.
pub const ASK: &str = "liqscan_inputs_changed";

/// The trigger as Verilator 5.006 writes it.
const TRIGGER: &str = "    vlSelf->__VicoTriggered.at(0U) = (0U == vlSelf->__VicoIterCount);";

/// Whether an input-combo function in `cpp` reads `clock`.
pub fn reads_clock(cpp: &str, clock: &str) -> bool {
    let read = format!("vlSelf->{clock}");
    let lines: Vec<&str> = cpp.lines().collect();
    lines.iter().enumerate().any(|(at, head)| {
        let ico = !head.starts_with(' ')
            && head.trim_end().ends_with(") {")
            && (head.contains("___ico_sequent__") || head.contains("___eval_ico("));
        ico && lines[at + 1..].iter().take_while(|l| **l != "}").any(|l| {
            l.match_indices(&read).any(|(i, _)| {
                !l[i + read.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        })
    })
}

/// `cpp` with the input-combo trigger made conditional, if it holds the
/// trigger; else `None`. Only for a model none of whose files
/// [`reads_clock`].
pub fn patch(cpp: &str) -> Option<String> {
    if cpp.matches(TRIGGER).count() != 1 {
        return None;
    }
    let asked = TRIGGER.replace(
        "(0U == vlSelf->__VicoIterCount);",
        &format!("((0U == vlSelf->__VicoIterCount) & {ASK}());"),
    );
    Some(format!(
        "// Whether an input of the model being evaluated changed since its last\n\
         // evaluation (liqscan's replicas; true unless one says otherwise).\n\
         extern \"C\" bool {ASK}();\n{}",
        cpp.replacen(TRIGGER, &asked, 1)
    ))
}
