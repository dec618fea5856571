//! The top module's ports: their names, for drivers and test benches, and
//! the list of them as the generated Verilog declares them.

use liqscan_core::spec;

/// Port names of the top module, for drivers and test benches.
pub mod port {
    pub const CLOCK: &str = "clock";
    pub const AT_EQUAL: &str = "at_equal";
    pub const POS_WR: &str = "pos_wr";
    pub const POS_WR_SLOT: &str = "pos_wr_slot";
    pub const POS_WR_VALID: &str = "pos_wr_valid";
    pub const POS_WR_QTY: &str = "pos_wr_qty";
    pub const POS_WR_OFFSET: &str = "pos_wr_offset";
    pub const BRK_WR: &str = "brk_wr";
    pub const BRK_WR_SYMBOL: &str = "brk_wr_symbol";
    pub const BRK_WR_INDEX: &str = "brk_wr_index";
    pub const BRK_WR_CAP: &str = "brk_wr_cap";
    pub const BRK_WR_MAINT: &str = "brk_wr_maint";
    pub const BRK_WR_WEIGHT_LONG: &str = "brk_wr_weight_long";
    pub const BRK_WR_WEIGHT_SHORT: &str = "brk_wr_weight_short";
    pub const REG_WR: &str = "reg_wr";
    pub const REG_WR_SYMBOL: &str = "reg_wr_symbol";
    pub const REG_WR_BASE_ROW: &str = "reg_wr_base_row";
    pub const REG_WR_COUNT: &str = "reg_wr_count";
    pub const TICK_VALID: &str = "tick_valid";
    pub const TICK_SYMBOL: &str = "tick_symbol";
    pub const TICK_PRICE: &str = "tick_price";
    pub const RES_READY: &str = "res_ready";
    /// Per-lane outputs are named `<prefix>$<lane>`: see [`super::lane_port`].
    pub const RES_VALID: &str = "res_valid";
    pub const RES_SLOT: &str = "res_slot";
    pub const RES_SHORTFALL: &str = "res_shortfall";
    pub const BUSY: &str = "busy";
    pub const DONE: &str = "done";
    pub const CYCLES: &str = "cycles";
}

/// The Verilog name of lane `lane`'s result port `prefix` (e.g. `res_slot$3`).
pub fn lane_port(prefix: &str, lane: usize) -> String {
    format!("{prefix}${lane}")
}

/// Direction of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    In,
    Out,
}

/// One port of the top module, as declared in the Verilog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    pub width: usize,
    pub signed: bool,
}

/// Every port of the top module in declaration order, for `lanes` lanes
/// and symbol numbers of `symbol_bits` bits (`Build::symbol_bits`).
pub fn ports(lanes: usize, symbol_bits: usize) -> Vec<Port> {
    use port::*;
    let p = |name: &str, dir, width, signed| Port {
        name: name.to_string(),
        dir,
        width,
        signed,
    };
    let (price, qty, offset) = (
        spec::PRICE_BITS as usize,
        spec::QTY_STORE_BITS as usize,
        spec::OFFSET_BITS as usize,
    );
    let (cap, maint, weight) = (
        spec::NOTIONAL_BITS as usize,
        spec::MAINT_BITS as usize,
        spec::WEIGHT_BITS as usize,
    );
    let mut ports = vec![
        p(CLOCK, Dir::In, 1, false),
        p(AT_EQUAL, Dir::In, 1, false),
        p(POS_WR, Dir::In, 1, false),
        p(POS_WR_SLOT, Dir::In, 32, false),
        p(POS_WR_VALID, Dir::In, 1, false),
        p(POS_WR_QTY, Dir::In, qty, true),
        p(POS_WR_OFFSET, Dir::In, offset, true),
        p(BRK_WR, Dir::In, 1, false),
        p(BRK_WR_SYMBOL, Dir::In, symbol_bits, false),
        p(BRK_WR_INDEX, Dir::In, 4, false),
        p(BRK_WR_CAP, Dir::In, cap, false),
        p(BRK_WR_MAINT, Dir::In, maint, false),
        p(BRK_WR_WEIGHT_LONG, Dir::In, weight, false),
        p(BRK_WR_WEIGHT_SHORT, Dir::In, weight, false),
        p(REG_WR, Dir::In, 1, false),
        p(REG_WR_SYMBOL, Dir::In, symbol_bits, false),
        p(REG_WR_BASE_ROW, Dir::In, 32, false),
        p(REG_WR_COUNT, Dir::In, 32, false),
        p(TICK_VALID, Dir::In, 1, false),
        p(TICK_SYMBOL, Dir::In, symbol_bits, false),
        p(TICK_PRICE, Dir::In, price, false),
        p(RES_READY, Dir::In, 1, false),
    ];
    for (prefix, width, signed) in [
        (RES_VALID, 1, false),
        (RES_SLOT, 32, false),
        (RES_SHORTFALL, spec::SUM_BITS as usize, true),
    ] {
        ports.extend((0..lanes).map(|i| p(&lane_port(prefix, i), Dir::Out, width, signed)));
    }
    ports.extend([
        p(BUSY, Dir::Out, 1, false),
        p(DONE, Dir::Out, 1, false),
        p(CYCLES, Dir::Out, 32, false),
    ]);
    ports
}
