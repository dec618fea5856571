#!/usr/bin/env bash
# Installs the system tools liqscan's hardware path needs (Debian/Ubuntu):
# Verilator (co-simulation, lint) and yosys (synthesis checks). The Rust
# toolchain is expected to be present already.
set -euo pipefail

missing=()
command -v verilator >/dev/null 2>&1 || missing+=(verilator)
command -v yosys >/dev/null 2>&1 || missing+=(yosys)
# Verilator's generated C++ is compiled with the system C++ compiler.
command -v g++ >/dev/null 2>&1 || missing+=(g++)

if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
verilator --version >&2
yosys -V >&2
