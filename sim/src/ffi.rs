//! The C ABI of the C++ shim (`csrc/shim.cpp`, `csrc/scan.h`) and a safe
//! owner of one model. This is the only module with `unsafe`.

#[cfg(not(liqscan_sim_missing))]
use std::ffi::c_void;
#[cfg(not(liqscan_sim_missing))]
use std::ptr::NonNull;

use crate::ports::PortInfo;

/// A scan in progress, shared with `liqscan::Scan` (same layout).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanState {
    /// Edges since the one that accepted the tick.
    pub cycles: u64,
    /// Busy cycles with `res_ready` low.
    pub stalls: u64,
    /// Edges allowed beyond `stalls` before the scan counts as hung.
    pub limit: u64,
    /// The scanner's `cycles` counter, read in the `done` cycle.
    pub counter: u32,
    /// `res_ready` as driven now (0 or 1).
    pub ready: u32,
}

/// One result as the shim hands it back (`liqscan::Hit`): the lane's slot
/// and its shortfall's words, least significant first.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawHit {
    pub slot: u32,
    pub shortfall: [u32; 4],
}

/// Where a scan call stopped (`liqscan::ScanStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanStatus {
    Done,
    /// The buffer has no room for a cycle's results: drain it and call again.
    Full,
    /// Every given `res_ready` value was used: call again with more.
    More,
    BusyAtDone,
    ResultAtDone,
    IdleWithoutDone,
    Timeout,
    /// The model is not a scanner (or there is no model).
    NotScanner,
    /// The two replicas of a model on two threads ended a scan unalike.
    ReplicasDiverged,
}

impl ScanStatus {
    #[cfg_attr(liqscan_sim_missing, allow(dead_code))]
    fn from_code(code: i32) -> Self {
        match code {
            0 => Self::Done,
            1 => Self::Full,
            2 => Self::More,
            -1 => Self::BusyAtDone,
            -2 => Self::ResultAtDone,
            -3 => Self::IdleWithoutDone,
            -4 => Self::Timeout,
            -6 => Self::ReplicasDiverged,
            _ => Self::NotScanner,
        }
    }
}

/// One variable of a waveform file: its scope (dotted), name and width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FstVar {
    pub scope: String,
    pub name: String,
    pub width: u32,
}

/// A waveform file's header and hierarchy, as GTKWave's reader sees them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FstSummary {
    pub start: u64,
    pub end: u64,
    /// The time unit is `10^timescale` s.
    pub timescale: i32,
    pub vars: Vec<FstVar>,
}

#[cfg(not(liqscan_sim_missing))]
extern "C" {
    fn liqscan_sim_new(lanes: u32) -> *mut c_void;
    fn liqscan_sim_traced_new(lanes: u32) -> *mut c_void;
    fn liqscan_sim_top_new(lanes: u32) -> *mut c_void;
    fn liqscan_sim_free(model: *mut c_void);
    fn liqscan_sim_set_threads(model: *mut c_void, threads: u32) -> u32;
    fn liqscan_sim_eval(model: *mut c_void);
    fn liqscan_sim_edge(model: *mut c_void);
    fn liqscan_sim_set(model: *mut c_void, port: u32, words: *const u32) -> i32;
    fn liqscan_sim_get(model: *mut c_void, port: u32, words: *mut u32) -> i32;
    fn liqscan_sim_scan_start(model: *mut c_void, symbol: u32, price: u32) -> i32;
    fn liqscan_sim_scan_run(
        model: *mut c_void,
        scan: *mut ScanState,
        ready: *const u8,
        n_ready: u32,
        out: *mut RawHit,
        capacity: u32,
        hits: *mut u32,
    ) -> i32;
    fn liqscan_sim_trace_open(model: *mut c_void, path: *const std::ffi::c_char) -> i32;
    fn liqscan_sim_trace(model: *mut c_void, on: i32);
    fn liqscan_sim_trace_close(model: *mut c_void);
}

#[cfg(all(not(liqscan_sim_missing), feature = "trace"))]
extern "C" {
    fn liqscan_sim_fst_read(
        path: *const std::ffi::c_char,
        context: *mut c_void,
        var: extern "C" fn(*mut c_void, *const std::ffi::c_char, *const std::ffi::c_char, u32),
        start: *mut u64,
        end: *mut u64,
        timescale: *mut i32,
    ) -> i32;
}

/// One verilated model, owned, with its port table. Ports are numbered as in
/// the table and passed as little-endian 32-bit words.
#[derive(Debug)]
pub struct RawModel {
    #[cfg(not(liqscan_sim_missing))]
    model: NonNull<c_void>,
    ports: &'static [PortInfo],
}

// SAFETY: the C++ model is plain state with no thread affinity (no thread-local
// context is used: each model owns its `VerilatedContext`), and `&mut self`
// on every call keeps it to one thread at a time. A traced model's FST
// writer runs its own thread, which it starts and joins itself.
#[cfg(not(liqscan_sim_missing))]
unsafe impl Send for RawModel {}

impl RawModel {
    /// The port table.
    pub fn ports(&self) -> &'static [PortInfo] {
        self.ports
    }

    #[cfg_attr(liqscan_sim_missing, allow(dead_code))]
    /// Whether `port` exists, has `len` words and (for a write) is an input.
    fn fits(&self, port: u32, len: usize, write: bool) -> bool {
        self.ports
            .get(port as usize)
            .is_some_and(|p| p.words() == len && !(write && p.output))
    }
}

#[cfg(not(liqscan_sim_missing))]
impl RawModel {
    /// The model verilated for `lanes`, or `None` if there is none (or allocation failed).
    pub fn new(lanes: usize) -> Option<Self> {
        let ports = crate::ports::ports(lanes)?;
        // SAFETY: plain constructor call; a null result (unknown lane count, or
        // a caught allocation failure) is handled below.
        let model = unsafe { liqscan_sim_new(u32::try_from(lanes).ok()?) };
        NonNull::new(model).map(|model| Self { model, ports })
    }

    /// The scanner verilated for `lanes` with waveform tracing, or `None`
    /// if there is none (a build without the `trace` feature has none).
    pub fn new_traced(lanes: usize) -> Option<Self> {
        let ports = crate::ports::ports(lanes)?;
        // SAFETY: as in `new`.
        let model = unsafe { liqscan_sim_traced_new(u32::try_from(lanes).ok()?) };
        NonNull::new(model).map(|model| Self { model, ports })
    }

    /// `liqscan_top`'s model verilated for `lanes`, or `None` if there is none.
    pub fn new_top(lanes: usize) -> Option<Self> {
        let ports = crate::ports::top_ports(lanes)?;
        // SAFETY: as in `new`.
        let model = unsafe { liqscan_sim_top_new(u32::try_from(lanes).ok()?) };
        NonNull::new(model).map(|model| Self { model, ports })
    }

    /// Splits the lanes between two replicas of the model on `threads` host
    /// threads (1 or 2) if it was built to allow it and has had no input
    /// yet; the count now in use.
    pub fn set_threads(&mut self, threads: usize) -> usize {
        let threads = u32::try_from(threads).unwrap_or(u32::MAX);
        // SAFETY: `self.model` is a live model, used exclusively (`&mut`);
        // the shim catches any C++ exception (a thread that cannot start).
        unsafe { liqscan_sim_set_threads(self.model.as_ptr(), threads) as usize }
    }

    /// Evaluates the model after its inputs changed.
    pub fn eval(&mut self) {
        // SAFETY: `self.model` is a live model from `liqscan_sim_new`, used exclusively (`&mut`).
        unsafe { liqscan_sim_eval(self.model.as_ptr()) }
    }

    /// One rising clock edge; afterwards the clock is low and the outputs
    /// show the new state.
    pub fn edge(&mut self) {
        // SAFETY: as in `eval`.
        unsafe { liqscan_sim_edge(self.model.as_ptr()) }
    }

    /// Sets input `port` from `words`; false if it is not an input of that many words.
    pub fn set(&mut self, port: u32, words: &[u32]) -> bool {
        if !self.fits(port, words.len(), true) {
            return false;
        }
        // SAFETY: the model is live and exclusively borrowed; the shim was
        // generated from the same port table and reads exactly `words.len()`
        // words for this port (checked just above).
        unsafe { liqscan_sim_set(self.model.as_ptr(), port, words.as_ptr()) == 0 }
    }

    /// Reads `port` into `words`; false if it is not a port of that many words.
    pub fn get(&mut self, port: u32, words: &mut [u32]) -> bool {
        if !self.fits(port, words.len(), false) {
            return false;
        }
        // SAFETY: as in `set`; the shim writes exactly `words.len()` words.
        unsafe { liqscan_sim_get(self.model.as_ptr(), port, words.as_mut_ptr()) == 0 }
    }

    /// A scanner's tick: presents it with `res_ready` high and clocks the
    /// edge that accepts it. `NotScanner` for another model.
    pub fn scan_start(&mut self, symbol: u32, price: u32) -> ScanStatus {
        // SAFETY: as in `eval`; the shim checks that the model is a scanner.
        let code = unsafe { liqscan_sim_scan_start(self.model.as_ptr(), symbol, price) };
        ScanStatus::from_code(code)
    }

    /// Runs a scan on from `scan` (see `liqscan::run_scan`): `res_ready`
    /// from `ready` cycle by cycle (`None`: always high), results into
    /// `out` from its start. Returns where it stopped and how many results
    /// it wrote.
    pub fn scan_run(
        &mut self,
        scan: &mut ScanState,
        ready: Option<&[u8]>,
        out: &mut [RawHit],
    ) -> (ScanStatus, usize) {
        let (ready_ptr, n_ready) = match ready {
            Some(ready) => (ready.as_ptr(), ready.len()),
            None => (std::ptr::null(), 0),
        };
        let (Ok(n_ready), Ok(capacity)) = (u32::try_from(n_ready), u32::try_from(out.len())) else {
            return (ScanStatus::NotScanner, 0);
        };
        let mut hits = 0u32;
        // SAFETY: the model is live and exclusively borrowed; `scan` and
        // `hits` are valid for writes; the shim reads at most `n_ready`
        // bytes of `ready` (none when it is null) and writes at most
        // `capacity` entries of `out`, both the slices' own lengths.
        let code = unsafe {
            liqscan_sim_scan_run(
                self.model.as_ptr(),
                scan,
                ready_ptr,
                n_ready,
                out.as_mut_ptr(),
                capacity,
                &mut hits,
            )
        };
        (ScanStatus::from_code(code), (hits as usize).min(out.len()))
    }

    /// Opens a waveform file for a traced model; false if the model has no
    /// tracing or the file cannot be written.
    pub fn trace_open(&mut self, path: &std::ffi::CStr) -> bool {
        // SAFETY: as in `eval`; `path` is a NUL-terminated string the shim
        // only reads during the call.
        unsafe { liqscan_sim_trace_open(self.model.as_ptr(), path.as_ptr()) == 0 }
    }

    /// Dumps the edges from now on, or stops (a model without tracing ignores it).
    pub fn trace(&mut self, on: bool) {
        // SAFETY: as in `eval`.
        unsafe { liqscan_sim_trace(self.model.as_ptr(), i32::from(on)) }
    }

    /// Closes the waveform file, if one is open.
    pub fn trace_close(&mut self) {
        // SAFETY: as in `eval`.
        unsafe { liqscan_sim_trace_close(self.model.as_ptr()) }
    }
}

#[cfg(not(liqscan_sim_missing))]
impl Drop for RawModel {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `liqscan_sim_new` and is freed exactly once, here.
        unsafe { liqscan_sim_free(self.model.as_ptr()) }
    }
}

/// Without Verilator there is no model: `new` always returns `None`.
#[cfg(liqscan_sim_missing)]
impl RawModel {
    pub fn new(_lanes: usize) -> Option<Self> {
        None
    }

    pub fn new_traced(_lanes: usize) -> Option<Self> {
        None
    }

    pub fn new_top(_lanes: usize) -> Option<Self> {
        None
    }

    pub fn set_threads(&mut self, _threads: usize) -> usize {
        1
    }

    pub fn eval(&mut self) {}

    pub fn edge(&mut self) {}

    pub fn set(&mut self, _port: u32, _words: &[u32]) -> bool {
        false
    }

    pub fn get(&mut self, _port: u32, _words: &mut [u32]) -> bool {
        false
    }

    pub fn scan_start(&mut self, _symbol: u32, _price: u32) -> ScanStatus {
        ScanStatus::NotScanner
    }

    pub fn scan_run(
        &mut self,
        _scan: &mut ScanState,
        _ready: Option<&[u8]>,
        _out: &mut [RawHit],
    ) -> (ScanStatus, usize) {
        (ScanStatus::NotScanner, 0)
    }

    pub fn trace_open(&mut self, _path: &std::ffi::CStr) -> bool {
        false
    }

    pub fn trace(&mut self, _on: bool) {}

    pub fn trace_close(&mut self) {}
}

/// Reads a waveform file's header and hierarchy with the FST reader the
/// traced build links (GTKWave's); `None` if it is not a readable FST file
/// or the build has no reader.
#[cfg(all(not(liqscan_sim_missing), feature = "trace"))]
pub fn fst_read(path: &std::ffi::CStr) -> Option<FstSummary> {
    extern "C" fn collect(
        context: *mut c_void,
        scope: *const std::ffi::c_char,
        name: *const std::ffi::c_char,
        width: u32,
    ) {
        // SAFETY: `context` is the `&mut FstSummary` passed to
        // `liqscan_sim_fst_read` below, alive and not otherwise borrowed for
        // the whole call; `scope` and `name` are NUL-terminated strings the
        // reader keeps valid during this callback.
        let (summary, scope, name) = unsafe {
            (
                &mut *context.cast::<FstSummary>(),
                std::ffi::CStr::from_ptr(scope),
                std::ffi::CStr::from_ptr(name),
            )
        };
        summary.vars.push(FstVar {
            scope: scope.to_string_lossy().into_owned(),
            name: name.to_string_lossy().into_owned(),
            width,
        });
    }
    let mut summary = FstSummary::default();
    let (mut start, mut end, mut timescale) = (0u64, 0u64, 0i32);
    // SAFETY: `path` is NUL-terminated; the context pointer is `summary`,
    // which outlives the call and is only touched through `collect`; the
    // out-pointers are valid for writes.
    let code = unsafe {
        liqscan_sim_fst_read(
            path.as_ptr(),
            std::ptr::addr_of_mut!(summary).cast(),
            collect,
            &mut start,
            &mut end,
            &mut timescale,
        )
    };
    (code == 0).then_some(FstSummary {
        start,
        end,
        timescale,
        ..summary
    })
}

/// Without the `trace` feature (or Verilator) there is no reader.
#[cfg(any(liqscan_sim_missing, not(feature = "trace")))]
pub fn fst_read(_path: &std::ffi::CStr) -> Option<FstSummary> {
    None
}
