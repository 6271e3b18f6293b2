#!/usr/bin/env bash
# The whole test suite: install dependencies, build, run the unit and
# integration tests. With --sanitize, also build with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/ and run every test there too.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh

run_suite() {
  local dir=$1
  shift
  WATT_BUILD_DIR=$dir deploy/build.sh -DWATT_BUILD_BENCH=OFF "$@"
  (cd "$dir" && ctest -j "$(nproc)" --output-on-failure --timeout 600)
}

run_suite build
if [ "${1:-}" = "--sanitize" ]; then
  # tests/lsan.supp: third-party leaks only, each with its reason.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp \
    run_suite build-asan -DWATT_SANITIZE=address,undefined
fi
