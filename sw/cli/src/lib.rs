//! liqscan-cli
