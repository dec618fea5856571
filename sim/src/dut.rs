//! A verilated top module driven port by port: values up to 128 bits as
//! integers, one clock, and a count of simulated cycles.

use std::path::Path;

use crate::error::SimError;
use crate::ffi::{RawHit, RawModel, ScanState, ScanStatus};
use crate::ports::{PortInfo, BUILT_LANES, MISSING, TOP_BUILT_LANES, TRACED_LANES};

/// Widest port the integer accessors handle.
const MAX_WIDTH: u32 = 128;

/// A resolved port: its number in the model's table and its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    index: u32,
    info: PortInfo,
}

impl Port {
    pub fn name(&self) -> &'static str {
        self.info.name
    }

    pub fn width(&self) -> u32 {
        self.info.width
    }
}

/// One verilated model, clocked by its input `clock`. Outputs read always
/// reflect the inputs driven so far (the model is settled on demand).
#[derive(Debug)]
pub struct Dut {
    raw: RawModel,
    /// Host threads a scan runs on (two replicas of the model with 2).
    threads: usize,
    /// Inputs changed since the last evaluation.
    dirty: bool,
    cycles: u64,
}

/// `value` truncated to its low `width` bits.
fn mask(value: u128, width: u32) -> u128 {
    if width >= 128 {
        value
    } else {
        value & ((1u128 << width) - 1)
    }
}

impl Dut {
    /// The scanner's model verilated for `lanes`. It is evaluated once
    /// with the clock low so that the first rising edge is seen as one.
    pub fn new(lanes: usize) -> Result<Self, SimError> {
        Self::open(lanes, BUILT_LANES, RawModel::new, 1)
    }

    /// Like [`Self::new`], the model split between two replicas on
    /// `threads` host threads (1 or 2) where it was built to allow it
    /// (`ScannerModel::with_threads`); [`Self::threads`] says whether it was.
    pub fn with_threads(lanes: usize, threads: usize) -> Result<Self, SimError> {
        Self::open(lanes, BUILT_LANES, RawModel::new, threads)
    }

    /// The scanner's model verilated for `lanes` with waveform tracing
    /// (a build with the `trace` feature), likewise.
    pub fn new_traced(lanes: usize) -> Result<Self, SimError> {
        if MISSING.is_none() && TRACED_LANES.is_empty() {
            return Err(SimError::NoTrace);
        }
        Self::open(lanes, TRACED_LANES, RawModel::new_traced, 1)
    }

    /// `liqscan_top`'s model verilated for `lanes`, likewise.
    pub fn new_top(lanes: usize) -> Result<Self, SimError> {
        Self::open(lanes, TOP_BUILT_LANES, RawModel::new_top, 1)
    }

    fn open(
        lanes: usize,
        built: &[usize],
        make: fn(usize) -> Option<RawModel>,
        threads: usize,
    ) -> Result<Self, SimError> {
        if let Some(reason) = MISSING {
            return Err(SimError::Unavailable(reason.to_string()));
        }
        if !built.contains(&lanes) {
            return Err(SimError::NoModel {
                lanes,
                built: built.to_vec(),
            });
        }
        let mut raw = make(lanes).ok_or(SimError::Create)?;
        // Before any input: the replicas start alike.
        let threads = raw.set_threads(threads);
        let mut dut = Self {
            raw,
            threads,
            dirty: true,
            cycles: 0,
        };
        // The shim drives the clock; it only has to be a one-bit input.
        let clock = dut.port_checked("clock", 1, false)?;
        dut.set(clock, 0);
        dut.settle();
        Ok(dut)
    }

    /// The port called `name`.
    pub fn port(&self, name: &str) -> Result<Port, SimError> {
        let ports = self.raw.ports();
        let index = ports
            .iter()
            .position(|p| p.name == name)
            .ok_or_else(|| SimError::MissingPort(name.into()))?;
        Ok(Port {
            index: index as u32,
            info: ports[index],
        })
    }

    /// The port called `name`, checked to be `width` bits wide and an output (or input).
    pub fn port_checked(&self, name: &str, width: u32, output: bool) -> Result<Port, SimError> {
        let port = self.port(name)?;
        self.check(port, width, output)?;
        Ok(port)
    }

    fn check(&self, port: Port, width: u32, output: bool) -> Result<(), SimError> {
        let name = port.info.name.to_string();
        if port.info.width != width {
            return Err(SimError::PortWidth {
                name,
                width: port.info.width,
                expected: width,
            });
        }
        if port.info.output != output {
            return Err(SimError::PortDirection(name));
        }
        Ok(())
    }

    /// Every port of the model.
    pub fn ports(&self) -> &'static [PortInfo] {
        self.raw.ports()
    }

    /// Drives input `port` with the low `width` bits of `value` (two's
    /// complement for signed ports: pass `i128 as u128`).
    pub fn set(&mut self, port: Port, value: u128) {
        assert!(
            port.info.width <= MAX_WIDTH,
            "port {} too wide",
            port.info.name
        );
        let value = mask(value, port.info.width);
        let mut words = [0u32; 4];
        for (i, word) in words.iter_mut().enumerate() {
            *word = (value >> (32 * i)) as u32;
        }
        let ok = self.raw.set(port.index, &words[..port.info.words()]);
        assert!(ok, "port {} is not an input", port.info.name);
        self.dirty = true;
    }

    /// Drives a one-bit input.
    pub fn set_bit(&mut self, port: Port, value: bool) {
        self.set(port, u128::from(value));
    }

    /// Drives a signed input with `value`, which must fit the port's width.
    pub fn set_signed(&mut self, port: Port, value: i128) {
        let w = port.info.width;
        assert!(
            w == 128 || (value >= -(1i128 << (w - 1)) && value < (1i128 << (w - 1))),
            "{value} overflows {w}-bit port {}",
            port.info.name
        );
        self.set(port, value as u128);
    }

    /// The value of `port` (zero-extended).
    pub fn get(&mut self, port: Port) -> u128 {
        assert!(
            port.info.width <= MAX_WIDTH,
            "port {} too wide",
            port.info.name
        );
        self.settle();
        let mut words = [0u32; 4];
        let n = port.info.words();
        let ok = self.raw.get(port.index, &mut words[..n]);
        assert!(ok, "no port {}", port.info.name);
        let value = words
            .iter()
            .enumerate()
            .fold(0u128, |v, (i, w)| v | (u128::from(*w) << (32 * i)));
        mask(value, port.info.width)
    }

    /// The value of a port of any width as 32-bit words, least significant
    /// first (`words` must have exactly the port's number of words).
    pub fn get_words(&mut self, port: Port, words: &mut [u32]) {
        self.settle();
        let ok = self.raw.get(port.index, words);
        assert!(
            ok,
            "port {} is not {} words wide",
            port.info.name,
            words.len()
        );
    }

    /// The value of a one-bit port.
    pub fn get_bit(&mut self, port: Port) -> bool {
        self.get(port) != 0
    }

    /// The value of `port` as two's complement of its width (sign-extended).
    pub fn get_signed(&mut self, port: Port) -> i128 {
        let shift = 128 - port.info.width;
        ((self.get(port) << shift) as i128) >> shift
    }

    /// Host threads a scan runs on.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Settles combinational logic if inputs changed (clock low).
    pub fn settle(&mut self) {
        if self.dirty {
            self.raw.eval();
            self.dirty = false;
        }
    }

    /// One rising clock edge with the current inputs (no separate settle is
    /// needed: the edge's evaluation settles them first). Afterwards the
    /// clock is low and outputs show the registers' new values.
    pub fn posedge(&mut self) {
        self.raw.edge();
        self.dirty = false;
        self.cycles += 1;
    }

    /// Rising edges simulated so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// A scanner's tick, in the model: `tick_symbol` and `tick_price`
    /// driven, `tick_valid` and `res_ready` high for the edge that accepts
    /// it, then `tick_valid` low. Err if the model is not a scanner.
    pub fn scan_start(&mut self, symbol: u32, price: u32) -> Result<(), SimError> {
        match self.raw.scan_start(symbol, price) {
            ScanStatus::Done => {
                self.cycles += 1;
                self.dirty = false;
                Ok(())
            }
            _ => Err(SimError::Protocol("the model is not a scanner".into())),
        }
    }

    /// Runs a scan on in the model (`res_ready` from `ready`, `None`:
    /// always high), its results into `out` from the start: where it
    /// stopped and how many results it wrote.
    pub fn scan_run(
        &mut self,
        scan: &mut ScanState,
        ready: Option<&[u8]>,
        out: &mut [RawHit],
    ) -> (ScanStatus, usize) {
        let before = scan.cycles;
        let result = self.raw.scan_run(scan, ready, out);
        self.cycles += scan.cycles - before;
        self.dirty = false;
        result
    }

    /// Opens the waveform file of a traced model (see [`Dut::new_traced`]).
    pub fn trace_open(&mut self, path: &Path) -> Result<(), SimError> {
        let cannot = |why: &str| SimError::Trace(format!("{}: {why}", path.display()));
        let text = path.to_str().ok_or_else(|| cannot("not UTF-8"))?;
        let c_path = std::ffi::CString::new(text).map_err(|_| cannot("a NUL in the name"))?;
        if self.raw.trace_open(&c_path) {
            Ok(())
        } else {
            Err(cannot("cannot be written (or the model is not traced)"))
        }
    }

    /// Dumps every edge from now on into the waveform file, or stops.
    pub fn trace(&mut self, on: bool) {
        self.settle();
        self.raw.trace(on);
    }

    /// Closes the waveform file, writing out what it buffers.
    pub fn trace_close(&mut self) {
        self.raw.trace_close();
    }
}
