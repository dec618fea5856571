//! liqscan-hw
