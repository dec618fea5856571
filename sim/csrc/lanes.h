// The scanner's model on two host threads: two replicas of the Verilated
// model take the same inputs, and each evaluates the clock edge of half of
// the lanes (the patched edge code, sim/build/lanes.rs, calls
// `liqscan_eval_lanes` with every lane; it runs those of the replica being
// evaluated). No logic outside a scanner's lanes reads a lane's outputs, so
// each replica's control, symbol table and own lanes are exactly those of
// one whole model, and a scan runs on both replicas at once with one
// hand-over per scan rather than per edge.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

extern "C" void liqscan_eval_lanes(void (*edge)(void*), void* const* lanes, unsigned count);

namespace liqscan {
struct LaneRange;
}

// The current thread's `LaneRange`, for the root's one-lane statements that
// run only for the replica's own lanes (sim/build/lane_ports.rs).
extern "C" liqscan::LaneRange liqscan_lanes_now();

// Whether an input of the model being evaluated on this thread changed
// since its last evaluation, for its input-combo region (sim/build/ico.rs):
// true unless an `EvaluationScope` says otherwise.
extern "C" bool liqscan_inputs_changed();

namespace liqscan {

// The lanes `[from, to)` whose edges the evaluation on this thread runs.
struct LaneRange {
    unsigned from;
    unsigned to;
};

// All lanes: a model with one replica.
constexpr LaneRange kAllLanes{0, ~0U};

// What an evaluation on this thread is of: the lanes whose edges it runs,
// and whether an input of its model changed since the model's last one.
struct Evaluation {
    LaneRange lanes;
    bool inputs_changed;
};

// Outside any `EvaluationScope`: all lanes, inputs changed (as Verilator
// itself would evaluate).
extern thread_local Evaluation current_evaluation;

// Makes `evaluation` the current one for a scope (an eval of one replica).
class EvaluationScope {
  public:
    explicit EvaluationScope(Evaluation evaluation) : saved_(current_evaluation) {
        current_evaluation = evaluation;
    }
    ~EvaluationScope() { current_evaluation = saved_; }
    EvaluationScope(const EvaluationScope&) = delete;
    EvaluationScope& operator=(const EvaluationScope&) = delete;

  private:
    Evaluation saved_;
};

// A thread that runs one job at a time for its owner: `run` hands it a job
// and returns; `wait` returns when the job is done. Between jobs it spins
// for a while (a scan's ticks come back to back), then sleeps until woken.
class Worker {
  public:
    Worker();
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    void run(void (*job)(void*), void* arg);
    void wait();

  private:
    void loop();

    // Jobs posted by the owner and finished by the worker, each on its own
    // cache line: the one written by the other side is the only one polled.
    alignas(64) std::atomic<uint64_t> posted_{0};
    alignas(64) std::atomic<uint64_t> finished_{0};
    alignas(64) std::atomic<bool> sleeping_{false};
    std::atomic<bool> stop_{false};
    // The posted job, written before `posted_` is raised.
    void (*job_)(void*) = nullptr;
    void* arg_ = nullptr;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::thread thread_;
    // The thread the worker's affinity was last set for.
    std::thread::id owner_;
};

}  // namespace liqscan
