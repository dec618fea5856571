//! Supported ranges and the width of every integer on the decision path.
//! The hardware generates its ports and registers from these constants.

/// `tick_size` and `lot_size` carry at most this many decimals.
pub const MAX_STEP_DECIMALS: u32 = 8;
/// `margin`, `maint_amount` and `notional_cap` carry at most this many decimals.
pub const MAX_AMOUNT_DECIMALS: u32 = 8;
/// `mmr` carries at most this many decimals: `mmr = R·10^-6`.
pub const MMR_DECIMALS: u32 = 6;
/// `10^6`, one whole maintenance rate in units of `R`.
pub const MMR_ONE: u64 = 1_000_000;
/// `margin` and `maint_amount` are below this many quote units. A margin
/// lies in `(−AMOUNT_LIMIT, AMOUNT_LIMIT)`: a funding payment may take it
/// below zero (the symbol's next tick then liquidates the position); every
/// margin an input states (`positions.csv`, an event's `open` or `update`)
/// is `≥ 0`, and `maint_amount` is `≥ 0`.
pub const AMOUNT_LIMIT: u64 = 10_000_000_000;
/// `notional_cap` is below this many quote units.
pub const NOTIONAL_CAP_LIMIT: u64 = 1_000_000_000_000;
/// Brackets per symbol (the circuit compares all of them in parallel).
pub const MAX_BRACKETS: usize = 16;
/// Symbols a book may define.
pub const MAX_SYMBOLS: usize = 4096;
/// Positions a book may hold.
pub const MAX_POSITIONS: usize = 1 << 20;

/// Quote scale `s` lies in `MIN_QUOTE_DECIMALS ..= MAX_QUOTE_DECIMALS`.
pub const MIN_QUOTE_DECIMALS: u32 = 8;
/// `dt + dl + 6` with `dt = dl = 8`.
pub const MAX_QUOTE_DECIMALS: u32 = 2 * MAX_STEP_DECIMALS + MMR_DECIMALS;

/// `P = mark / tick_size`: unsigned, `1 ..= 2^32 − 1`.
pub const PRICE_BITS: u32 = 32;
/// `|Q| = |qty| / lot_size`: `1 ..= 2^31 − 1`; `Q` is stored as 32-bit signed.
pub const QTY_BITS: u32 = 31;
/// `Q` as stored in a slot (two's complement).
pub const QTY_STORE_BITS: u32 = QTY_BITS + 1;
/// `X = |Q|·P < 2^63`: 31 + 32 bits.
pub const NOTIONAL_BITS: u32 = QTY_BITS + PRICE_BITS;
/// `k6 < 2^16`: symbols whose `t·l·10^(s−dt−dl−6)` is larger are rejected.
pub const K6_BITS: u32 = 16;
/// `W = k6·(10^6 ± R) < 2^16 · 2·10^6 < 2^37` (unsigned magnitude).
pub const WEIGHT_BITS: u32 = 37;
/// `X·W < 2^100` (unsigned): 63 + 37 bits.
pub const PRODUCT_BITS: u32 = NOTIONAL_BITS + WEIGHT_BITS;
/// `A = maint_amount·10^s < 10^10·10^22 < 2^107` (unsigned).
pub const MAINT_BITS: u32 = 107;
/// `T = C·10^s − Q·Pe·k6·10^6` with `|C·10^s| < 10^10·10^22 = 10^32` (either
/// sign) and `|Q·Pe·k6·10^6| < 2^99`: `|T| < 10^32 + 2^99 < 2^107`, so
/// 108-bit signed, negative margins included.
pub const OFFSET_BITS: u32 = 108;
/// `T + A + σ·X·W ∈ (−(10^32 + 2^99 + 2^100), 2·10^32 + 2^99 + 2^100)`,
/// inside `(−2^107, 2^108)`: 110-bit signed (so is the shortfall).
pub const SUM_BITS: u32 = 110;

/// Largest `P`.
pub const PRICE_MAX: u64 = (1 << PRICE_BITS) - 1;
/// Largest `|Q|`.
pub const QTY_MAX: u64 = (1 << QTY_BITS) - 1;
/// Cap of the last (uncapped) bracket and of padding brackets: every `X` is `≤` it.
pub const NOTIONAL_MAX: u64 = (1 << NOTIONAL_BITS) - 1;
/// `k6` must be below this.
pub const K6_LIMIT: u64 = 1 << K6_BITS;

/// `AMOUNT_LIMIT` in quote units at the finest scale, `10^32`: every margin
/// and maintenance amount is below it in magnitude, whatever the symbol.
pub const AMOUNT_LIMIT_UNITS: u128 = AMOUNT_LIMIT as u128 * 10u128.pow(MAX_QUOTE_DECIMALS);
/// `|Q·Pe·k6·10^6| < 2^31 · 2^32 · 2^16 · 2^20 = 2^99` (`10^6 < 2^20`).
const POSITION_VALUE_LIMIT: u128 = 1 << (QTY_BITS + PRICE_BITS + K6_BITS + 20);

// The widths above bound one another; check the arithmetic once, at compile time.
const _: () = {
    assert!(QTY_MAX * PRICE_MAX <= NOTIONAL_MAX);
    assert!((K6_LIMIT - 1) * (2 * MMR_ONE) < 1 << WEIGHT_BITS);
    // A < 10^10 · 10^22 = 10^32 < 2^107.
    assert!(AMOUNT_LIMIT_UNITS <= 1 << MAINT_BITS);
    assert!(MMR_ONE <= 1 << 20);
    // |T| ≤ |C·10^s| + |Q·Pe·k6·10^6| < 10^32 + 2^99 ≤ 2^(OFFSET_BITS − 1),
    // for a margin of either sign.
    assert!(AMOUNT_LIMIT_UNITS + POSITION_VALUE_LIMIT <= 1 << (OFFSET_BITS - 1));
    // |T + A + σ·X·W| < (10^32 + 2^99) + 10^32 + 2^100 ≤ 2^(SUM_BITS − 1).
    assert!(
        2 * AMOUNT_LIMIT_UNITS + POSITION_VALUE_LIMIT + (1 << PRODUCT_BITS) <= 1 << (SUM_BITS - 1)
    );
    assert!(SUM_BITS <= 127);
};
