#!/usr/bin/env bash
# Configures and builds Watt into build/ (or $WATT_BUILD_DIR). Extra arguments
# go to cmake, e.g. deploy/build.sh -DWATT_SANITIZE=address,undefined
# $WATT_BUILD_TARGETS, if set, builds only those targets (the sanitizer and
# fuzz trees of deploy/test.sh build only what their tests need).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${WATT_BUILD_DIR:-build}
launcher=()
if command -v ccache >/dev/null; then
  # Paths relative to the checkout, so another clone of the tree (CI's) hits
  # the same cache entries.
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@" >/dev/null
# shellcheck disable=SC2086  # a list of target names
cmake --build "$build_dir" -j "$(nproc)" ${WATT_BUILD_TARGETS:+--target $WATT_BUILD_TARGETS}
