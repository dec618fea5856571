// The C ABI that sim/src/ffi.rs binds. No C++ exception crosses it.
#include <new>
#include <string>
#include <vector>

#include "scan.h"
#include "shim.h"

#if LIQSCAN_TRACE
#include "gtkwave/fstapi.h"
#endif

namespace {

liqscan::Model* model_of(void* model) { return static_cast<liqscan::Model*>(model); }

}  // namespace

extern "C" {

void* liqscan_sim_new(uint32_t lanes) {
    try {
        return liqscan::make_model(lanes);
    } catch (...) {
        return nullptr;
    }
}

void* liqscan_sim_traced_new(uint32_t lanes) {
    try {
        return liqscan::make_traced_model(lanes);
    } catch (...) {
        return nullptr;
    }
}

void* liqscan_sim_top_new(uint32_t lanes) {
    try {
        return liqscan::make_top_model(lanes);
    } catch (...) {
        return nullptr;
    }
}

void liqscan_sim_free(void* model) { delete model_of(model); }

uint32_t liqscan_sim_set_threads(void* model, uint32_t threads) {
    try {
        return model_of(model)->set_threads(threads);
    } catch (...) {
        return 1;
    }
}

void liqscan_sim_eval(void* model) { model_of(model)->eval(); }

void liqscan_sim_edge(void* model) { model_of(model)->edge(); }

int liqscan_sim_set(void* model, uint32_t port, const uint32_t* words) {
    return model_of(model)->set(port, words) ? 0 : -1;
}

int liqscan_sim_get(void* model, uint32_t port, uint32_t* words) {
    return model_of(model)->get(port, words) ? 0 : -1;
}

int32_t liqscan_sim_scan_start(void* model, uint32_t symbol, uint32_t price) {
    liqscan::Scanner* scanner = model_of(model)->scanner();
    if (scanner == nullptr) return liqscan::kNotScanner;
    scanner->scan_start(symbol, price);
    return liqscan::kDone;
}

int32_t liqscan_sim_scan_run(void* model, liqscan::Scan* scan, const uint8_t* ready,
                             uint32_t n_ready, liqscan::Hit* out, uint32_t capacity,
                             uint32_t* hits) {
    *hits = 0;
    liqscan::Scanner* scanner = model_of(model)->scanner();
    if (scanner == nullptr) return liqscan::kNotScanner;
    return scanner->scan_run(scan, ready, n_ready, out, capacity, hits);
}

int32_t liqscan_sim_trace_open(void* model, const char* path) {
    liqscan::Scanner* scanner = model_of(model)->scanner();
    try {
        return scanner != nullptr && scanner->trace_open(path) ? 0 : -1;
    } catch (...) {
        return -1;
    }
}

void liqscan_sim_trace(void* model, int32_t on) {
    if (liqscan::Scanner* scanner = model_of(model)->scanner()) scanner->trace(on != 0);
}

void liqscan_sim_trace_close(void* model) {
    if (liqscan::Scanner* scanner = model_of(model)->scanner()) scanner->trace_close();
}

#if LIQSCAN_TRACE
// Reads an FST file's header and hierarchy with GTKWave's reader: its time
// range and unit (10^timescale s), and `var(context, scope, name, width)`
// for every variable, its scope the dotted path of the scopes above it.
// -1 if the file cannot be read as FST.
int32_t liqscan_sim_fst_read(const char* path, void* context,
                             void (*var)(void*, const char*, const char*, uint32_t),
                             uint64_t* start, uint64_t* end, int32_t* timescale) {
    void* reader = fstReaderOpen(path);
    if (reader == nullptr) return -1;
    *start = fstReaderGetStartTime(reader);
    *end = fstReaderGetEndTime(reader);
    *timescale = fstReaderGetTimescale(reader);
    try {
        std::vector<std::string> scopes;
        std::string scope;
        while (const fstHier* h = fstReaderIterateHier(reader)) {
            switch (h->htyp) {
                case FST_HT_SCOPE:
                    scopes.emplace_back(h->u.scope.name);
                    break;
                case FST_HT_UPSCOPE:
                    if (!scopes.empty()) scopes.pop_back();
                    break;
                case FST_HT_VAR:
                    scope.clear();
                    for (const std::string& s : scopes) {
                        if (!scope.empty()) scope += '.';
                        scope += s;
                    }
                    var(context, scope.c_str(), h->u.var.name, h->u.var.length);
                    break;
                default:
                    break;
            }
        }
    } catch (...) {
        fstReaderClose(reader);
        return -1;
    }
    fstReaderClose(reader);
    return 0;
}
#endif

}  // extern "C"
