#!/usr/bin/env bash
# Configures and builds Watt into build/ (or $WATT_BUILD_DIR). Extra arguments
# go to cmake, e.g. deploy/build.sh -DWATT_SANITIZE=address,undefined
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${WATT_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
