#!/usr/bin/env bash
# The main job on its embedded default: installs Verilator when missing (for
# the `sim` backend), builds the release binary and runs `liqscan demo`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cargo run --release --locked -p liqscan-cli --bin liqscan -- demo "$@"
