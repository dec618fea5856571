//! The one arithmetic contract that every backend (the `cpu` and `indexed`
//! scanners, the RustHDL circuit, the Verilator model and the board) meets
//! bit for bit.
//!
//! # Units
//! Per symbol, `tick_size = t·10^-dt` and `lot_size = l·10^-dl` (normalised,
//! `dt, dl ≤ 8`). A position holds `Q = qty / lot_size` lots (signed) and a
//! mark is `P = mark / tick_size` ticks. Quote amounts are integers in units
//! of `10^-s`, `s = max(8, dt + dl + 6)`: that is the smallest scale in which
//! margin and maintenance amounts (8 decimals) *and* `N·mmr`
//! (`dt + dl + 6` decimals) are all integers, so nothing is ever rounded.
//! A maintenance rate is `mmr = R·10^-6`.
//!
//! # The rule as one signed sum
//! With `X = |Q|·P`, `σ = sign(Q)` and `k6 = t·l·10^(s − dt − dl − 6)` (one
//! lot·tick is worth `k6·10^6` units):
//!
//! ```text
//! E − MM = T + A_b + σ·X·W_b,σ                       (units of 10^-s)
//! T      = C·10^s − Q·Pe·k6·10^6     per position  ("offset", host computed)
//! A_b    = maint_amount_b·10^s       per bracket    ("maint")
//! W_b,+  = k6·(10^6 − R_b)           per bracket    ("weight_long",  > 0)
//! W_b,−  = k6·(10^6 + R_b)           per bracket    ("weight_short", > 0)
//! b      = first bracket with X ≤ cap_b,  cap_b = floor(notional_cap_b / (t·l·10^-(dt+dl)))
//! ```
//!
//! A position is liquidated iff the sum is `< 0` (`≤ 0` with
//! `liquidate_at_equal`); the *shortfall* `MM − E` is the negated sum. The
//! bracket table is always padded to [`limits::MAX_BRACKETS`] entries by
//! repeating the last bracket with `cap = NOTIONAL_MAX`, so the hardware's
//! priority select over 16 parallel comparators and the software's linear
//! search pick the same bracket. For the event lines the host recomputes
//! `E = T + Q·P·k6·10^6` and `MM = X·k6·R_b − A_b` for the hits only.
//!
//! Widths are in [`limits`]; hardware timing and capacities in [`timing`];
//! the board's register map and result formats in [`registers`].
//! This replaces separate ~90-bit E and MM datapaths by two wide products
//! per lane (`|Q|·P`, then `X·W`) and one three-term sum.

pub mod limits;
pub mod registers;
pub mod rule;
pub mod step;
pub mod timing;
pub mod units;

pub use limits::*;
pub use rule::{bracket_index, liquidates, margin_sum};
pub use step::Step;
pub use timing::*;
pub use units::{BracketConst, BracketInput, FieldError, PositionConst, SymbolUnits};
