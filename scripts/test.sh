#!/usr/bin/env bash
# The whole test suite: installs Verilator and yosys when missing, then runs
# every test of every crate in the optimised `ci` profile (the rust-hdl and
# Verilator simulations need optimisation; overflow checks stay on).
set -euxo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cargo test --profile ci --workspace --locked --no-fail-fast "$@"
