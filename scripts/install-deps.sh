#!/usr/bin/env bash
# Installs the system tools liqscan's hardware path needs (Debian/Ubuntu):
# Verilator (co-simulation, lint), yosys (synthesis checks, and the pass that
# rewrites the Verilator models' lane: about 1.5 times their speed) and clang++ (the
# Verilator models it compiles run about 1.6 times as fast as g++'s; the
# build falls back to g++ without it). The Rust toolchain is expected to be
# present already. Other systems: see docs/install.md.
set -euo pipefail

missing=()
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v yosys >/dev/null 2>&1 || missing+=(yosys)
# Verilator's runtime needs a C++ compiler; its generated C++ prefers clang++.
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v clang++ >/dev/null 2>&1 || missing+=(clang)

if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
verilator --version >&2
yosys -V >&2
