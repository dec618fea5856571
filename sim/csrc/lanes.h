// The lanes' clock edge on two threads: the patched models' edge code
// (sim/build/lanes.rs) calls `liqscan_eval_lanes` with one function and its
// lane instances, and a model with a lane worker runs half of them there.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

extern "C" void liqscan_eval_lanes(void (*edge)(void*), void* const* lanes, unsigned count);

namespace liqscan {

// A thread that runs the upper half of the lanes' edge functions while the
// caller runs the lower half. Between edges it spins for a while (the next
// edge of a scan comes within microseconds), then sleeps until woken.
class LaneWorker {
  public:
    LaneWorker();
    ~LaneWorker();
    LaneWorker(const LaneWorker&) = delete;
    LaneWorker& operator=(const LaneWorker&) = delete;

    // `edge(lanes[i])` for every i < count; returns when all have run.
    void run(void (*edge)(void*), void* const* lanes, unsigned count);

  private:
    void loop();

    // Jobs posted by the caller and finished by the worker, each on its own
    // cache line: the one written by the other side is the only one polled.
    alignas(64) std::atomic<uint64_t> posted_{0};
    alignas(64) std::atomic<uint64_t> finished_{0};
    alignas(64) std::atomic<bool> sleeping_{false};
    std::atomic<bool> stop_{false};
    // The posted job, written before `posted_` is raised.
    void (*edge_)(void*) = nullptr;
    void* const* lanes_ = nullptr;
    unsigned from_ = 0;
    unsigned to_ = 0;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
    // The thread the worker's affinity was last set for.
    std::thread::id caller_;
};

// The lane worker of the model being evaluated on this thread (nullptr: the
// lanes run one after another on this thread).
extern thread_local LaneWorker* current_lane_worker;

// Makes `worker` the current one for a scope (an eval of its model).
class LaneScope {
  public:
    explicit LaneScope(LaneWorker* worker) : saved_(current_lane_worker) {
        current_lane_worker = worker;
    }
    ~LaneScope() { current_lane_worker = saved_; }
    LaneScope(const LaneScope&) = delete;
    LaneScope& operator=(const LaneScope&) = delete;

  private:
    LaneWorker* saved_;
};

}  // namespace liqscan
