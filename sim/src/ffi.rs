//! The C ABI of the C++ shim (`csrc/shim.cpp`) and a safe owner of one model.
//! This is the only module with `unsafe`.

#[cfg(not(liqscan_sim_missing))]
use std::ffi::c_void;
#[cfg(not(liqscan_sim_missing))]
use std::ptr::NonNull;

use crate::ports::PortInfo;

#[cfg(not(liqscan_sim_missing))]
extern "C" {
    fn liqscan_sim_new(lanes: u32) -> *mut c_void;
    fn liqscan_sim_top_new(lanes: u32) -> *mut c_void;
    fn liqscan_sim_free(model: *mut c_void);
    fn liqscan_sim_eval(model: *mut c_void);
    fn liqscan_sim_edge(model: *mut c_void);
    fn liqscan_sim_set(model: *mut c_void, port: u32, words: *const u32) -> i32;
    fn liqscan_sim_get(model: *mut c_void, port: u32, words: *mut u32) -> i32;
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
// on every call keeps it to one thread at a time.
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

    /// `liqscan_top`'s model verilated for `lanes`, or `None` if there is none.
    pub fn new_top(lanes: usize) -> Option<Self> {
        let ports = crate::ports::top_ports(lanes)?;
        // SAFETY: as in `new`.
        let model = unsafe { liqscan_sim_top_new(u32::try_from(lanes).ok()?) };
        NonNull::new(model).map(|model| Self { model, ports })
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

    pub fn new_top(_lanes: usize) -> Option<Self> {
        None
    }

    pub fn eval(&mut self) {}

    pub fn edge(&mut self) {}

    pub fn set(&mut self, _port: u32, _words: &[u32]) -> bool {
        false
    }

    pub fn get(&mut self, _port: u32, _words: &mut [u32]) -> bool {
        false
    }
}
