//! liqscan-sim
