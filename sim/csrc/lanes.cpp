#include "lanes.h"

#include <chrono>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#endif

namespace liqscan {

thread_local Evaluation current_evaluation{kAllLanes, true};

namespace {

// A hint to the core that this thread is spinning.
inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// How long the worker spins for the next job before it sleeps: a bench's or
// a demo's ticks come within microseconds; the host's work between them may
// not.
constexpr std::chrono::microseconds kSpinFor{200};
// How long either side spins for the other before it yields the core (a few
// microseconds: longer means the other was preempted, and on a busy machine
// it may be waiting for this very core).
constexpr uint32_t kSpinBeforeYield = 1024;

// A worker spinning on its owner's only core would take turns with it:
// when the owner is pinned to one core, the worker may run on any other.
void keep_off_owners_core(std::thread& worker) {
#if defined(__linux__)
    cpu_set_t owner;
    CPU_ZERO(&owner);
    if (pthread_getaffinity_np(pthread_self(), sizeof owner, &owner) != 0) return;
    if (CPU_COUNT(&owner) != 1) return;
    const long cores = sysconf(_SC_NPROCESSORS_CONF);
    cpu_set_t others;
    CPU_ZERO(&others);
    for (long cpu = 0; cpu < cores && cpu < CPU_SETSIZE; ++cpu) {
        if (!CPU_ISSET(cpu, &owner)) CPU_SET(cpu, &others);
    }
    // Without another core (or permission), the worker keeps the owner's.
    if (CPU_COUNT(&others) > 0) {
        pthread_setaffinity_np(worker.native_handle(), sizeof others, &others);
    }
#else
    (void)worker;
#endif
}

}  // namespace

Worker::Worker() : thread_([this] { loop(); }) {}

Worker::~Worker() {
    stop_.store(true);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        posted_.fetch_add(1);
        wake_.notify_one();
    }
    thread_.join();
}

void Worker::run(void (*job)(void*), void* arg) {
    // The thread that runs the model (not always the one that made it).
    if (owner_ != std::this_thread::get_id()) {
        owner_ = std::this_thread::get_id();
        keep_off_owners_core(thread_);
    }
    job_ = job;
    arg_ = arg;
    // Sequentially consistent with the worker's `sleeping_` store: either it
    // sees this job before it sleeps or this sees it asleep and wakes it.
    posted_.fetch_add(1);
    if (sleeping_.load()) {
        std::lock_guard<std::mutex> lock(mutex_);
        wake_.notify_one();
    }
}

void Worker::wait() {
    const uint64_t job = posted_.load(std::memory_order_relaxed);
    for (uint32_t spins = 0; finished_.load(std::memory_order_acquire) != job; ++spins) {
        if (spins < kSpinBeforeYield) {
            relax();
        } else {
            // The worker was descheduled (a busy machine): let it run.
            std::this_thread::yield();
        }
    }
}

void Worker::loop() {
    uint64_t seen = 0;
    for (;;) {
        uint64_t job = posted_.load(std::memory_order_acquire);
        if (job == seen) {
            const auto until = std::chrono::steady_clock::now() + kSpinFor;
            for (uint32_t spins = 1; (job = posted_.load(std::memory_order_acquire)) == seen;
                 ++spins) {
                if (spins < kSpinBeforeYield) {
                    relax();
                } else {
                    // The owner may be waiting for this core.
                    std::this_thread::yield();
                }
                if (spins % 256 == 0 && std::chrono::steady_clock::now() > until) {
                    std::unique_lock<std::mutex> lock(mutex_);
                    sleeping_.store(true);
                    wake_.wait(lock, [&] { return posted_.load() != seen; });
                    sleeping_.store(false);
                }
            }
        }
        seen = job;
        if (stop_.load()) return;
        job_(arg_);
        finished_.store(job, std::memory_order_release);
    }
}

}  // namespace liqscan

extern "C" void liqscan_eval_lanes(void (*edge)(void*), void* const* lanes, unsigned count) {
    const liqscan::LaneRange range = liqscan::current_evaluation.lanes;
    const unsigned to = range.to < count ? range.to : count;
    for (unsigned i = range.from; i < to; ++i) edge(lanes[i]);
}

// The lanes of the replica being evaluated, for the root's guarded one-lane
// statements (sim/build/lane_ports.rs); laid out as `liqscan_lane_range` there.
extern "C" liqscan::LaneRange liqscan_lanes_now() { return liqscan::current_evaluation.lanes; }

extern "C" bool liqscan_inputs_changed() { return liqscan::current_evaluation.inputs_changed; }
