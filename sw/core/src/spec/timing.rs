//! The circuit's timing contract and generation parameters, shared by the
//! hardware generator, the Verilator wrapper and the tests that check them.

/// Lane counts the scanner can be generated with.
pub const LANE_OPTIONS: [usize; 5] = [1, 2, 4, 8, 16];
/// Lanes of the default build (8 lanes fit the LFE5UM-85F multiplier budget).
pub const DEFAULT_LANES: usize = 8;

/// Position slots of the FPGA build (block RAM of an LFE5UM-85F).
pub const FPGA_SLOTS: usize = 16_384;
/// Symbols of the FPGA build.
pub const FPGA_SYMBOLS: usize = 256;
/// Position slots of the Verilator build: a whole demo or bench book.
pub const SIM_SLOTS: usize = 1 << 20;
/// Symbols of the Verilator build.
pub const SIM_SYMBOLS: usize = 4096;

/// `D`: edges from the one that accepts a tick to the one that raises
/// `done`, not counting the `ceil(n / L)` issue cycles: 6 steps before the
/// first row is issued (the symbol-table read address register, the region
/// table's 3 read registers, then the scan geometry in two adder steps; the
/// bracket table is fetched alongside), 2 for each lane's two registered
/// copies of the control's issue flags, the slot memory's 3 read registers
/// (address copy, array and output register), 1 register stage carrying the
/// slot data to the lanes, the lane's 21 stages (the two wide products, the
/// cap compares in carry-select halves behind their own copies of the
/// notional, the bracket select and its copies, the table read, the sum and
/// the sign test) and 1 for the registered valid-bit clear.
/// `liqscan_hw::scanner::PIPELINE_DEPTH` asserts it at compile time.
pub const PIPELINE_DEPTH: u64 = 34;

/// Cycles a scan of `slots` slots (holes included) takes on `lanes` lanes
/// when the result stream never back-pressures; each stalled cycle adds one.
pub fn scan_cycles(slots: u64, lanes: u64) -> u64 {
    slots.div_ceil(lanes) + PIPELINE_DEPTH
}
