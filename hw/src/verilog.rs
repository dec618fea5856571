//! Verilog of the scanner and of `liqscan_top` for a lane count and a build
//! (capacities), and
//! the port list of a generated top module read back from its text (for the
//! simulation's build, the tests and the synthesis harness).

use std::panic::{catch_unwind, AssertUnwindSafe};

use liqscan_core::spec;
use rust_hdl::core::check_error::check_all;
use rust_hdl::prelude::*;

use crate::scanner::Scanner;
pub use crate::scanner::{Dir, Port};
use crate::top::LiqscanTop;

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

fn top<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize>(
    build: Build,
) -> Result<String, VerilogError> {
    assert_eq!(
        LiqscanTop::<L, ROW_BITS, SYM_BITS, BRK_BITS>::SLOTS,
        build.slots()
    );
    assert_eq!(
        LiqscanTop::<L, ROW_BITS, SYM_BITS, BRK_BITS>::SYMBOLS,
        build.symbols()
    );
    std::thread::Builder::new()
        .stack_size(GENERATOR_STACK)
        .spawn(|| generate(&mut LiqscanTop::<L, ROW_BITS, SYM_BITS, BRK_BITS>::default()))
        .map_err(|e| VerilogError::Generator(e.to_string()))?
        .join()
        .map_err(|_| VerilogError::Generator("generator thread panicked".into()))?
}

/// `liqscan_top`'s Verilog (top module [`TOP_MODULE`]) for `lanes` lanes:
/// the scanner of [`scanner_verilog`] behind the register map.
pub fn top_verilog(lanes: usize, build: Build) -> Result<String, VerilogError> {
    // The same capacities as the scanner's builds.
    match (lanes, build) {
        (1, Build::Fpga) => top::<1, 14, 8, 10>(build),
        (2, Build::Fpga) => top::<2, 13, 8, 10>(build),
        (4, Build::Fpga) => top::<4, 12, 8, 10>(build),
        (8, Build::Fpga) => top::<8, 11, 8, 10>(build),
        (16, Build::Fpga) => top::<16, 10, 8, 10>(build),
        (1, Build::Sim) => top::<1, 20, 12, 14>(build),
        (2, Build::Sim) => top::<2, 19, 12, 14>(build),
        (4, Build::Sim) => top::<4, 18, 12, 14>(build),
        (8, Build::Sim) => top::<8, 17, 12, 14>(build),
        (16, Build::Sim) => top::<16, 16, 12, 14>(build),
        _ => Err(VerilogError::Lanes(lanes)),
    }
}

/// Why a module's port list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortsError {
    #[error("no `module {0}(` in the Verilog")]
    NoModule(String),
    #[error("module {0} has no `endmodule`")]
    NoEnd(String),
    #[error("module {0}'s header has no closing `);`")]
    UnterminatedHeader(String),
    #[error("inout ports are not supported: `{0}`")]
    Inout(String),
    #[error("not a `[msb:0]` range: `{0}`")]
    BadRange(String),
    #[error("port declarations {declared:?} do not match the header {header:?}")]
    Mismatch {
        declared: Vec<String>,
        header: Vec<String>,
    },
}

/// The ports of `module <top>(...)` in declaration order, as rust-hdl
/// writes them: the names in the header, then one `input`/`output`
/// declaration per line (`[signed] [msb:0] name;`).
pub fn parse_ports(verilog: &str, top: &str) -> Result<Vec<Port>, PortsError> {
    let header = format!("module {top}(");
    let start = verilog
        .find(&header)
        .ok_or_else(|| PortsError::NoModule(top.into()))?;
    let body = &verilog[start..];
    let end = body
        .find("endmodule")
        .ok_or_else(|| PortsError::NoEnd(top.into()))?;
    let body = &body[..end];
    let header_end = body
        .find(");")
        .ok_or_else(|| PortsError::UnterminatedHeader(top.into()))?;
    let names: Vec<String> = body[header.len()..header_end]
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(String::from)
        .collect();
    let ports = body[header_end..]
        .lines()
        .map(str::trim)
        .filter_map(|line| parse_declaration(line).transpose())
        .collect::<Result<Vec<Port>, PortsError>>()?;
    let declared: Vec<String> = ports.iter().map(|p| p.name.clone()).collect();
    if declared != names {
        return Err(PortsError::Mismatch {
            declared,
            header: names,
        });
    }
    Ok(ports)
}

/// One `input`/`output` declaration; `None` for any other line.
fn parse_declaration(line: &str) -> Result<Option<Port>, PortsError> {
    let words: Vec<&str> = line.trim_end_matches(';').split_whitespace().collect();
    let dir = match words.first() {
        Some(&"input") => Dir::In,
        Some(&"output") => Dir::Out,
        Some(&"inout") => return Err(PortsError::Inout(line.into())),
        _ => return Ok(None),
    };
    let bad_range = || PortsError::BadRange(line.into());
    let width = match words.iter().find(|w| w.starts_with('[')) {
        None => 1,
        Some(range) => match range.trim_matches(['[', ']']).split_once(':') {
            Some((msb, "0")) => msb.parse::<usize>().map_err(|_| bad_range())? + 1,
            _ => return Err(bad_range()),
        },
    };
    Ok(Some(Port {
        name: words.last().map_or("", |w| w).to_string(),
        dir,
        width,
        signed: words.contains(&"signed"),
    }))
}

impl Port {
    /// The lane of a per-lane port (`res_slot$3` → 3), `None` for the others.
    pub fn lane(&self) -> Option<usize> {
        let (_, lane) = self.name.rsplit_once('$')?;
        lane.parse().ok()
    }
}

/// Why a `verilator --lint-only -Wall` message on rust-hdl's Verilog is
/// expected, or `None` if it is not (a finding). `verilog` is the linted
/// text, to read the line a message points at; the blocks named below are
/// the ones whose partial reads are intended.
pub fn lint_waiver(message: &str, verilog: &str) -> Option<&'static str> {
    if let Some(text) = message.strip_prefix("%Warning-WIDTH: ") {
        let bits = |key: &str| -> Option<u32> {
            let tail = &text[text.find(key)? + key.len()..];
            tail.split_whitespace().next()?.parse().ok()
        };
        if let (Some(expects), Some(generates)) = (bits("expects "), bits("generates ")) {
            if generates < expects {
                return Some("rust-hdl widens (`bit_cast`) by masking with a wider constant: a zero-extension");
            }
            // rust-hdl writes every integer literal 32 bits wide, so a
            // constant, or a counter's `+ 1`, assigned to a narrower register
            // is a truncation by design (the counter wraps at its width).
            let line = source_line(message, verilog)?;
            let assigned = line.trim().trim_end_matches(';').split_once(" = ")?.1;
            let literal = |t: &str| t.starts_with("32'h");
            let counter = assigned
                .split_once(" + ")
                .is_some_and(|(_, step)| literal(step));
            return (text.contains("Assign RHS") && (literal(assigned) || counter))
                .then_some("rust-hdl writes integer literals 32 bits wide");
        }
        let slice =
            text.contains(": Bit extraction of ") && text.ends_with("bit index, not 64 bits.");
        return slice.then_some("rust-hdl writes constant slice offsets as 64-bit literals");
    }
    let unused = message.strip_prefix("%Warning-UNUSEDSIGNAL: ")?;
    let intended = [
        // `MulProduct` uses 100 of its 110-bit adder's bits and not the sign
        // without the carry-in.
        unused.ends_with("Bits of signal are not used: 'add$sum_hi'[45:36]"),
        unused.ends_with("Signal is not used: 'add$negative_without_cin'"),
        // `PlusOne`'s plain form (Verilator's) computes its bit 0 itself; the
        // ECP5 form takes it from `zero_lsb`.
        unused.ends_with("Signal is not used: 'zero_lsb'"),
        // `AxiLiteSlave` takes whole words: the byte address's bits 1:0 are ignored.
        unused.ends_with("Bits of signal are not used: 's_axil_awaddr'[1:0]"),
        unused.ends_with("Bits of signal are not used: 's_axil_araddr'[1:0]"),
    ];
    intended.contains(&true).then_some(
        "a block reads only some bits of a wider result; rust-hdl cannot declare partial signals",
    )
}

/// The Verilog line a message `%Warning-…: top.v:LINE:COL: …` points at.
fn source_line<'a>(message: &str, verilog: &'a str) -> Option<&'a str> {
    let (_, at) = message.split_once(".v:")?;
    let line: usize = at.split(':').next()?.parse().ok()?;
    verilog.lines().nth(line.checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A top module as rust-hdl writes it, and a submodule after it.
    const MODULE: &str = "\n\nmodule top(clock,a,res_slot$1);\n\n\
        // Module arguments\ninput wire  clock;\ninput wire signed [7:0] a;\n\
        output reg  [31:0] res_slot$1;\n\n// Local signals\nreg  [3:0] step;\n\n\
        endmodule // top\n\nmodule top$lanes$0(clock,in_valid);\ninput wire  clock;\n\
        input wire  in_valid;\nendmodule\n";

    #[test]
    fn reads_names_directions_widths_signs_and_lanes() {
        let ports = parse_ports(MODULE, "top").unwrap();
        let port = |name: &str, dir, width, signed| Port {
            name: name.into(),
            dir,
            width,
            signed,
        };
        assert_eq!(
            ports,
            [
                port("clock", Dir::In, 1, false),
                port("a", Dir::In, 8, true),
                port("res_slot$1", Dir::Out, 32, false),
            ]
        );
        let lanes: Vec<_> = ports.iter().map(Port::lane).collect();
        assert_eq!(lanes, [None, None, Some(1)]);
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert_eq!(
            parse_ports(MODULE, "other"),
            Err(PortsError::NoModule("other".into()))
        );
        let offset = MODULE.replace("[7:0]", "[7:1]");
        assert!(matches!(
            parse_ports(&offset, "top"),
            Err(PortsError::BadRange(_))
        ));
        let undeclared = MODULE.replace("clock,a", "clock,b,a");
        assert!(matches!(
            parse_ports(&undeclared, "top"),
            Err(PortsError::Mismatch { .. })
        ));
        let inout = MODULE.replace("input wire  clock", "inout wire  clock");
        assert!(matches!(
            parse_ports(&inout, "top"),
            Err(PortsError::Inout(_))
        ));
    }
}
