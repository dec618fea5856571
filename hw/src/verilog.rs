//! Verilog of the scanner for a lane count and a build (capacities).

use std::panic::{catch_unwind, AssertUnwindSafe};

use liqscan_core::spec;
use rust_hdl::core::check_error::check_all;
use rust_hdl::prelude::*;

use crate::scanner::Scanner;

/// Name of the generated top module.
pub const TOP_MODULE: &str = "top";

/// Which capacities to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Build {
    /// `spec::FPGA_SLOTS` slots, `spec::FPGA_SYMBOLS` symbols (LFE5UM-85F block RAM).
    Fpga,
    /// `spec::SIM_SLOTS` slots, `spec::SIM_SYMBOLS` symbols (Verilator).
    Sim,
}

impl Build {
    /// Position slots.
    pub fn slots(self) -> usize {
        match self {
            Build::Fpga => spec::FPGA_SLOTS,
            Build::Sim => spec::SIM_SLOTS,
        }
    }

    /// Symbols.
    pub fn symbols(self) -> usize {
        match self {
            Build::Fpga => spec::FPGA_SYMBOLS,
            Build::Sim => spec::SIM_SYMBOLS,
        }
    }

    /// Width of a symbol number (`tick_symbol`, `brk_wr_symbol`, `reg_wr_symbol`).
    pub fn symbol_bits(self) -> usize {
        self.symbols().trailing_zeros() as usize
    }
}

/// Why no Verilog came out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerilogError {
    #[error("unsupported lane count {0} (supported: {opts:?})", opts = spec::LANE_OPTIONS)]
    Lanes(usize),
    #[error("the circuit failed rust-hdl's checks: {0}")]
    Check(String),
    #[error("rust-hdl's Verilog generator failed: {0}")]
    Generator(String),
}

/// Checks the circuit and generates its Verilog, turning the generator's panics into errors.
pub fn generate<B: Block>(circuit: &mut B) -> Result<String, VerilogError> {
    circuit.connect_all();
    check_all(circuit).map_err(|e| VerilogError::Check(format!("{e:?}")))?;
    catch_unwind(AssertUnwindSafe(|| generate_verilog_unchecked(circuit))).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into());
        VerilogError::Generator(message)
    })
}

fn scanner<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize>(
    build: Build,
) -> Result<String, VerilogError> {
    assert_eq!(
        Scanner::<L, ROW_BITS, SYM_BITS, BRK_BITS>::SLOTS,
        build.slots()
    );
    assert_eq!(
        Scanner::<L, ROW_BITS, SYM_BITS, BRK_BITS>::SYMBOLS,
        build.symbols()
    );
    // rust-hdl blocks are plain structs built on the stack: give them room.
    std::thread::Builder::new()
        .stack_size(GENERATOR_STACK)
        .spawn(|| generate(&mut Scanner::<L, ROW_BITS, SYM_BITS, BRK_BITS>::default()))
        .map_err(|e| VerilogError::Generator(e.to_string()))?
        .join()
        .map_err(|_| VerilogError::Generator("generator thread panicked".into()))?
}

/// Stack of the generator thread (address space only; touched as needed).
const GENERATOR_STACK: usize = 512 << 20;

/// The scanner's Verilog (top module [`TOP_MODULE`]) for `lanes` lanes.
pub fn scanner_verilog(lanes: usize, build: Build) -> Result<String, VerilogError> {
    // (lanes, build) → row bits = log2(slots / lanes); symbol bits 8 (FPGA) / 12 (Sim), bracket bits + 2.
    match (lanes, build) {
        (1, Build::Fpga) => scanner::<1, 14, 8, 10>(build),
        (2, Build::Fpga) => scanner::<2, 13, 8, 10>(build),
        (4, Build::Fpga) => scanner::<4, 12, 8, 10>(build),
        (8, Build::Fpga) => scanner::<8, 11, 8, 10>(build),
        (16, Build::Fpga) => scanner::<16, 10, 8, 10>(build),
        (1, Build::Sim) => scanner::<1, 20, 12, 14>(build),
        (2, Build::Sim) => scanner::<2, 19, 12, 14>(build),
        (4, Build::Sim) => scanner::<4, 18, 12, 14>(build),
        (8, Build::Sim) => scanner::<8, 17, 12, 14>(build),
        (16, Build::Sim) => scanner::<16, 16, 12, 14>(build),
        _ => Err(VerilogError::Lanes(lanes)),
    }
}
