// A whole scan in C++: the tick driven, the clock run until `done`, every
// result taken into the caller's buffer, one call from Rust instead of one
// per edge and port. The Rust side (sim/src/ffi.rs: ScanState, RawHit) has
// the same layouts and codes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <vector>

#include "lanes.h"
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
    // The two replicas of a split model disagree on the scan.
    kReplicasDiverged = -6,
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
// the edge that ends the cycle transfers it: `sink.room()` says whether a
// cycle's results fit (else the loop stops with kFull), `sink.take(m,
// cycle)` takes them.
template <class M, class Sink>
int32_t scan_loop(M& m, Scan& scan, const uint8_t* ready, uint32_t n_ready, Sink& sink) {
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
            if (!sink.room()) return kFull;
            sink.take(m, scan.cycles);
        } else {
            ++scan.stalls;
        }
        ++used;
        m.edge();
        ++scan.cycles;
        if (scan.cycles > scan.limit + scan.stalls) return kTimeout;
    }
}

// `scan_loop` into the caller's buffer; `hits` counts the results written.
template <class M>
int32_t run_scan(M& m, Scan& scan, const uint8_t* ready, uint32_t n_ready, Hit* out,
                 uint32_t capacity, uint32_t& hits) {
    struct Buffer {
        Hit* out;
        uint32_t capacity;
        uint32_t& hits;
        bool room() const { return capacity - hits >= M::kLanes; }
        void take(M& model, uint64_t) { hits += model.drain(out + hits); }
    };
    hits = 0;
    Buffer sink{out, capacity, hits};
    return scan_loop(m, scan, ready, n_ready, sink);
}

// A tick's symbol and price, for a replica whose start (`scan_start`) runs
// with its scan.
struct Start {
    uint32_t symbol;
    uint32_t price;
};

// A result with the edge that transfers it and its lane: the order of one
// whole model's results is by edge, then lane.
struct TimedHit {
    uint64_t cycle;
    uint32_t lane;
    Hit hit;
};

// A scan on the two replicas of a split model (`lanes.h`): each runs the
// scan loop on its own copy of the scan state, taking the results of its
// own lanes, the second on the worker thread when there is one; the two
// must end alike (status, cycles, stalls, counter). The second's start of
// the tick, if given, runs first on the same thread. Their results, merged
// in one model's order, go to the caller's buffer as it has room: a
// buffer that fills returns kFull with the scan already run, and the next
// calls hand over the rest, then the scan's status.
class SplitScan {
  public:
    template <class R>
    int32_t run(R& a, R& b, const Start* b_start, Worker* worker, Scan& scan,
                const uint8_t* ready, uint32_t n_ready, Hit* out, uint32_t capacity,
                uint32_t& hits) {
        hits = 0;
        if (!pending_) {
            Job<R> second{&b, b_start, scan, ready, n_ready, &b_hits_, kDone};
            b_hits_.clear();
            a_hits_.clear();
            if (worker != nullptr) worker->run(&Job<R>::run, &second);
            Scan first = scan;
            const int32_t status = replica_scan(a, first, ready, n_ready, a_hits_);
            if (worker != nullptr) {
                worker->wait();
            } else {
                Job<R>::run(&second);
            }
            const Scan& other = second.scan;
            if (status != second.status || first.cycles != other.cycles ||
                first.stalls != other.stalls || first.counter != other.counter ||
                first.ready != other.ready) {
                return kReplicasDiverged;
            }
            scan = first;
            merge();
            status_ = status;
            pending_ = true;
        }
        while (next_ < merged_.size() && hits < capacity) out[hits++] = merged_[next_++].hit;
        if (next_ < merged_.size()) return kFull;
        pending_ = false;
        return status_;
    }

  private:
    template <class R>
    struct Job {
        R* replica;
        // Held by the caller, who waits for the job.
        const Start* start;
        Scan scan;
        const uint8_t* ready;
        uint32_t n_ready;
        std::vector<TimedHit>* hits;
        int32_t status;
        static void run(void* job) {
            auto* j = static_cast<Job*>(job);
            if (j->start != nullptr) j->replica->scan_start(j->start->symbol, j->start->price);
            j->status = replica_scan(*j->replica, j->scan, j->ready, j->n_ready, *j->hits);
        }
    };

    template <class R>
    static int32_t replica_scan(R& r, Scan& scan, const uint8_t* ready, uint32_t n_ready,
                                std::vector<TimedHit>& hits) {
        struct Timed {
            std::vector<TimedHit>& hits;
            bool room() const { return true; }
            void take(R& replica, uint64_t cycle) {
                Hit found[R::kLanes];
                uint32_t lanes[R::kLanes];
                const uint32_t n = replica.drain(found, lanes);
                for (uint32_t i = 0; i < n; ++i) hits.push_back(TimedHit{cycle, lanes[i], found[i]});
            }
        };
        Timed sink{hits};
        // The loop writes its scan state every cycle: on this thread's own
        // stack, not beside the other replica's (a cache line written by
        // both threads on every edge would move between their cores).
        Scan own = scan;
        const int32_t status = scan_loop(r, own, ready, n_ready, sink);
        scan = own;
        return status;
    }

    void merge() {
        merged_.clear();
        merged_.reserve(a_hits_.size() + b_hits_.size());
        std::merge(a_hits_.begin(), a_hits_.end(), b_hits_.begin(), b_hits_.end(),
                   std::back_inserter(merged_), [](const TimedHit& x, const TimedHit& y) {
                       return x.cycle < y.cycle || (x.cycle == y.cycle && x.lane < y.lane);
                   });
        next_ = 0;
    }

    // Each replica's results on a cache line of its own.
    alignas(64) std::vector<TimedHit> a_hits_;
    alignas(64) std::vector<TimedHit> b_hits_;
    alignas(64) std::vector<TimedHit> merged_;
    size_t next_ = 0;
    int32_t status_ = kDone;
    bool pending_ = false;
};

}  // namespace liqscan
