// The C ABI that sim/src/ffi.rs binds. No C++ exception crosses it.
#include <new>

#include "shim.h"

extern "C" {

void* liqscan_sim_new(uint32_t lanes) {
    try {
        return liqscan::make_model(lanes);
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

void liqscan_sim_free(void* model) { delete static_cast<liqscan::Model*>(model); }

void liqscan_sim_eval(void* model) { static_cast<liqscan::Model*>(model)->eval(); }

void liqscan_sim_edge(void* model) { static_cast<liqscan::Model*>(model)->edge(); }

int liqscan_sim_set(void* model, uint32_t port, const uint32_t* words) {
    return static_cast<liqscan::Model*>(model)->set(port, words) ? 0 : -1;
}

int liqscan_sim_get(void* model, uint32_t port, uint32_t* words) {
    return static_cast<liqscan::Model*>(model)->get(port, words) ? 0 : -1;
}

}  // extern "C"
