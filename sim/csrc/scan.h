// A whole scan in C++: the tick driven, the clock run until `done`, every
// result taken into the caller's buffer, one call from Rust instead of one
// per edge and port. The Rust side (sim/src/ffi.rs: ScanState, RawHit) has
// the same layouts and codes.
#pragma once

#include <cstdint>

#include "shim.h"

namespace liqscan {

// One liquidation: the lane's `res_slot` and `res_shortfall` (its words,
// least significant first; bits above the port's width are zero).
struct Hit {
    uint32_t slot;
    uint32_t shortfall[4];
};

// A scan in progress.
struct Scan {
    // Edges since the one that accepted the tick.
    uint64_t cycles;
    // Busy cycles with res_ready low.
    uint64_t stalls;
    // Edges allowed beyond `stalls` before the scan counts as hung.
    uint64_t limit;
    // The scanner's `cycles` counter, read in the done cycle.
    uint32_t counter;
    // res_ready as driven now (0 or 1).
    uint32_t ready;
};

// What `run_scan` stopped at.
enum ScanStatus : int32_t {
    kDone = 0,
    // Fewer than `lanes` free entries in the buffer: take them and call again.
    kFull = 1,
    // Every given res_ready value was used: call again with more.
    kMore = 2,
    kBusyAtDone = -1,
    kResultAtDone = -2,
    kIdleWithoutDone = -3,
    kTimeout = -4,
    kNotScanner = -5,
};

// A scanner's model: the generated classes implement it with their ports.
class Scanner : public Model {
  public:
    Scanner* scanner() override { return this; }
    // Presents the tick with res_ready high and clocks the edge that accepts it.
    virtual void scan_start(uint32_t symbol, uint32_t price) = 0;
    // Runs the scan on: see `run_scan`.
    virtual int32_t scan_run(Scan* scan, const uint8_t* ready, uint32_t n_ready, Hit* out,
                             uint32_t capacity, uint32_t* hits) = 0;
    // Waveforms, for models built with tracing: open the file (false if
    // the model has no tracing or the file cannot be written), dump the
    // edges from now on or stop, close.
    virtual bool trace_open(const char*) { return false; }
    virtual void trace(bool) {}
    virtual void trace_close() {}
};

// The scan loop, on a generated model `M` with `M::kLanes` lanes, from the
// cycle after edge `scan.cycles`. `ready[i]` is res_ready in the next
// cycles (`nullptr`: always high, and the loop runs to the end). A result
// is taken in a cycle where its lane is valid and res_ready is high, as
// the edge that ends the cycle transfers it; `hits` counts those written.
template <class M>
int32_t run_scan(M& m, Scan& scan, const uint8_t* ready, uint32_t n_ready, Hit* out,
                 uint32_t capacity, uint32_t& hits) {
    hits = 0;
    uint32_t used = 0;
    for (;;) {
        bool ready_now = true;
        if (ready != nullptr) {
            if (used == n_ready) return kMore;
            ready_now = ready[used] != 0;
        }
        if (ready_now != (scan.ready != 0)) {
            m.set_ready(ready_now);
            scan.ready = ready_now;
            m.eval();
        }
        if (m.done()) {
            if (m.busy()) return kBusyAtDone;
            if (m.any_valid()) return kResultAtDone;
            scan.counter = m.counter();
            if (scan.ready == 0) {
                m.set_ready(true);
                scan.ready = 1;
                m.eval();
            }
            return kDone;
        }
        if (!m.busy()) return kIdleWithoutDone;
        if (ready_now) {
            if (capacity - hits < M::kLanes) return kFull;
            hits += m.drain(out + hits);
        } else {
            ++scan.stalls;
        }
        ++used;
        m.edge();
        ++scan.cycles;
        if (scan.cycles > scan.limit + scan.stalls) return kTimeout;
    }
}

}  // namespace liqscan
