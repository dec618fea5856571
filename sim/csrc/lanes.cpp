#include "lanes.h"

#include <chrono>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#endif

namespace liqscan {

thread_local LaneWorker* current_lane_worker = nullptr;

namespace {

// A hint to the core that this thread is spinning.
inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
}

// How long the worker spins for the next edge before it sleeps: a scan's
// edges come within microseconds; the host's work between ticks may not.
constexpr std::chrono::microseconds kSpinFor{200};
// How long either side spins for the other before it yields the core (a few
// microseconds: longer means the other was preempted, and on a busy machine
// it may be waiting for this very core).
constexpr uint32_t kSpinBeforeYield = 1024;

// A worker spinning on the caller's only core would take turns with it:
// when the caller is pinned to one core, the worker may run on any other.
void keep_off_callers_core(std::thread& worker) {
#if defined(__linux__)
    cpu_set_t caller;
    CPU_ZERO(&caller);
    if (pthread_getaffinity_np(pthread_self(), sizeof caller, &caller) != 0) return;
    if (CPU_COUNT(&caller) != 1) return;
    const long cores = sysconf(_SC_NPROCESSORS_CONF);
    cpu_set_t others;
    CPU_ZERO(&others);
    for (long cpu = 0; cpu < cores && cpu < CPU_SETSIZE; ++cpu) {
        if (!CPU_ISSET(cpu, &caller)) CPU_SET(cpu, &others);
    }
    // Without another core (or permission), the worker keeps the caller's.
    if (CPU_COUNT(&others) > 0) {
        pthread_setaffinity_np(worker.native_handle(), sizeof others, &others);
    }
#else
    (void)worker;
#endif
}

}  // namespace

LaneWorker::LaneWorker() : thread_([this] { loop(); }) {}

LaneWorker::~LaneWorker() {
    stop_.store(true);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        posted_.fetch_add(1);
        wake_.notify_one();
    }
    thread_.join();
}

void LaneWorker::run(void (*edge)(void*), void* const* lanes, unsigned count) {
    // The thread that evaluates the model (not always the one that made it).
    if (caller_ != std::this_thread::get_id()) {
        caller_ = std::this_thread::get_id();
        keep_off_callers_core(thread_);
    }
    const unsigned half = count / 2;
    edge_ = edge;
    lanes_ = lanes;
    from_ = half;
    to_ = count;
    // Sequentially consistent with the worker's `sleeping_` store: either it
    // sees this job before it sleeps or this sees it asleep and wakes it.
    const uint64_t job = posted_.fetch_add(1) + 1;
    if (sleeping_.load()) {
        std::lock_guard<std::mutex> lock(mutex_);
        wake_.notify_one();
    }
    for (unsigned i = 0; i < half; ++i) edge(lanes[i]);
    for (uint32_t spins = 0; finished_.load(std::memory_order_acquire) != job; ++spins) {
        if (spins < kSpinBeforeYield) {
            relax();
        } else {
            // The worker was descheduled (a busy machine): let it run.
            std::this_thread::yield();
        }
    }
}

void LaneWorker::loop() {
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
                    // The caller may be waiting for this core.
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
        for (unsigned i = from_; i < to_; ++i) edge_(lanes_[i]);
        finished_.store(job, std::memory_order_release);
    }
}

}  // namespace liqscan

extern "C" void liqscan_eval_lanes(void (*edge)(void*), void* const* lanes, unsigned count) {
    if (liqscan::LaneWorker* worker = liqscan::current_lane_worker) {
        worker->run(edge, lanes, count);
    } else {
        for (unsigned i = 0; i < count; ++i) edge(lanes[i]);
    }
}
