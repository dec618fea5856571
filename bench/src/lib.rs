//! liqscan-bench
