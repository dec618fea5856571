#!/usr/bin/env bash
# The whole test suite (CI runs it): installs Verilator and yosys when
# missing, checks formatting and lints, tests the Python tooling of the FPGA
# flow and the README's generated results, then runs every test of every
# crate in the optimised `ci` profile (the rust-hdl and Verilator simulations
# need optimisation; overflow checks stay on).
set -euxo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cargo fmt --all --check
python3 -m unittest discover --start-directory scripts/tests --top-level-directory scripts
cargo clippy --profile ci --workspace --all-targets --locked -- -D warnings
# The waveform code behind the `trace` feature, linted too.
cargo clippy --profile ci -p liqscan-sim -p liqscan-cli --features liqscan-cli/trace --all-targets --locked -- -D warnings
cargo test --profile ci --workspace --locked --no-fail-fast "$@"
# Waveforms are a cargo feature (the default build compiles no tracing
# code): the traced model's own tests, in the library and through the CLI.
cargo test --profile ci --locked --no-fail-fast -p liqscan-sim --features trace --test trace "$@"
cargo test --profile ci --locked --no-fail-fast -p liqscan-cli --features trace --test trace "$@"
