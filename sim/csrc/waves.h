// Waveforms of a traced model (built with the `trace` feature): an FST
// file, written while switched on. Time in the file: the rising edge of
// cycle n at 10n ns, the low half before it at 10n - 5 ns (a nominal
// 100 MHz clock; the cycle is the time divided by 10).
#pragma once

#include <cstdint>
#include <memory>

#include "verilated_fst_c.h"

namespace liqscan {

// Time units (ns) per clock cycle in a waveform file.
constexpr uint64_t kTracePeriod = 10;

class Waves {
  public:
    ~Waves() { close(); }

    // Opens `path` for `top`'s signals, every level; false if it cannot be written.
    template <class Top>
    bool open(Top& top, const char* path) {
        close();
        fst_ = std::make_unique<VerilatedFstC>();
        top.trace(fst_.get(), 99);
        fst_->open(path);
        if (!fst_->isOpen()) fst_.reset();
        return fst_ != nullptr;
    }

    bool on() const { return on_ && fst_ != nullptr; }
    void set(bool on) { on_ = on; }

    // Dumps the signals at `time`, unless that time was dumped already.
    void dump(uint64_t time) {
        if (fst_ == nullptr || (dumped_ && time <= last_)) return;
        fst_->dump(time);
        last_ = time;
        dumped_ = true;
    }

    void close() {
        on_ = false;
        if (fst_ != nullptr) {
            fst_->close();
            fst_.reset();
        }
    }

  private:
    std::unique_ptr<VerilatedFstC> fst_;
    bool on_ = false;
    bool dumped_ = false;
    uint64_t last_ = 0;
};

}  // namespace liqscan
