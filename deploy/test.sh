#!/usr/bin/env bash
# The whole test suite: install dependencies, check the format, build with
# warnings as errors, and run the unit, integration and fuzz-corpus tests,
# then the web view's tests in a real browser, then build the Debian packages
# and install them (apt, as root or with sudo) to test them as installed.
# With --sanitize (what CI runs) also:
#   - AddressSanitizer + UndefinedBehaviorSanitizer: every test again but the
#     long ones (label `long`: whole examples, runs at scale, builds), whose
#     code paths shorter tests take too (build-asan/);
#   - ThreadSanitizer: the unit tests and the integration tests that use threads (build-tsan/);
#   - libFuzzer: each fuzz target for $WATT_FUZZ_SECONDS (default 5) from its corpus (build-fuzz/).
# Each stage's time is printed as it ends and again at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=false
[ "${1:-}" = "--sanitize" ] && sanitize=true

times=()
finished=false
passed=0
failed=0
summaries=$(mktemp)
report() {
  rm -f "$summaries"
  [ ${#times[@]} -eq 0 ] && return
  echo "== stage times"
  printf '  %s\n' "${times[@]}"
  # The closing line: every test case run, in every stage (fuzzing aside).
  [ "$finished" = true ] && echo "total: $passed passed, $failed failed"
}
trap report EXIT
stage() {
  local name=$1 start=$SECONDS
  shift
  echo "== $name"
  "$@"
  times+=("$(printf '%-34s %4d s' "$name" $((SECONDS - start)))")
  echo "== $name: $((SECONDS - start)) s"
}

build() {  # build DIR [cmake args...]
  local dir=$1
  shift
  WATT_BUILD_DIR=$dir deploy/build.sh -DWATT_BUILD_BENCH=OFF -DWATT_WERROR=ON "$@"
}
run_tests() {  # run_tests DIR [ctest args...]
  local dir=$1
  shift
  (cd "$dir" && ctest -j "$(nproc)" --output-on-failure --timeout 600 "$@") | tee "$summaries"
  count "$(grep -E 'tests passed, [0-9]+ tests failed out of' "$summaries" | tail -1 |
    sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2 \1/')"
}
count() {  # count "TOTAL FAILED": adds one run's figures to the closing line
  # shellcheck disable=SC2086  # two numbers, split on purpose
  set -- ${1:-0 0}
  passed=$((passed + $1 - $2))
  failed=$((failed + $2))
}

# The sanitizer trees are built at -O1, as the sanitizers' own docs advise:
# faster to build, and the reports keep their lines.
sanitizer_flags=(-DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG")
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp  # third-party leaks only, each with its reason
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp"

# The integration tests whose processes run several threads (the list says
# which and why); the TSan tree builds them alone, as watt-threaded-tests.
mapfile -t threaded_sources < <(grep -E '^[a-z_]+$' tests/threaded_tests.txt)
threaded_test_file() {  # the test cases of one integration test file, under TSan
  local start=$SECONDS
  build-tsan/bin/watt-threaded-tests --source-file="*$1.cpp" >"build-tsan/tsan-$1.log" 2>&1 ||
    { cat "build-tsan/tsan-$1.log"; return 1; }
  echo "  $1: $((SECONDS - start)) s"
}
threaded_tests() {  # one process per file, as many at once as there are cores
  export -f threaded_test_file
  printf '%s\n' "${threaded_sources[@]}" | xargs -P "$(nproc)" -I{} bash -c 'threaded_test_file {}'
  grep -h 'test cases' build-tsan/tsan-*.log
  count "$(grep -h 'test cases' build-tsan/tsan-*.log |
    awk -F'|' '{split($1, a, ":"); t += a[2]; split($3, b, " "); f += b[1]} END {print t, f}')"
}

build_tsan() (  # only what its tests need: the unit tests and the threaded integration tests
  export WATT_BUILD_TARGETS="watt-unit-tests watt-threaded-tests"
  build build-tsan -DWATT_SANITIZE=thread "${sanitizer_flags[@]}"
)

# The web view in a real browser (tests/browser): Playwright from npm at the
# version its package-lock.json pins, driving Debian's Chromium.
browser_tests() {
  (cd tests/browser && npm ci --no-audit --no-fund --silent &&
    WATT_BUILD=$PWD/../../build node --test --test-reporter=tap web.test.mjs apps.test.mjs) | tee "$summaries"
  count "$(awk '/^# tests /{t=$3} /^# fail /{f=$3} END{print t+0, f+0}' "$summaries")"
}

# The Debian packages, built in build-deb/, installed with apt on this
# machine, an agent built against them and the service run as its unit says;
# purged after (tests/integration/deb_install_test.sh). It needs root (or
# sudo without a password) and a machine without systemd running and without
# Watt installed, as CI's is; elsewhere the packages are built and the
# install is skipped, saying why.
packages() {
  local out debs
  out=$(deploy/package.sh -DWATT_WERROR=ON)  # the build tree's flags: ccache's objects serve both
  mapfile -t debs <<<"$out"
  [ ${#debs[@]} -eq 2 ] || { echo "package.sh made ${#debs[@]} packages, not 2: $out"; return 1; }
  if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
    echo "packages: install test skipped: it needs root or sudo without a password"
  elif [ -d /run/systemd/system ]; then
    echo "packages: install test skipped: systemd runs here, and the package would start its service"
  else
    tests/integration/deb_install_test.sh "${debs[@]}" .
    count "1 0"
  fi
}

fuzz_all() {
  local seconds=${WATT_FUZZ_SECONDS:-5} work
  work=$(mktemp -d)
  for target in build-fuzz/fuzz/fuzz_*; do
    local name
    name=$(basename "$target")
    mkdir -p "$work/$name"
    # New inputs go to a scratch folder; the corpus in the tree is only read.
    "$target" -max_total_time="$seconds" -print_final_stats=1 "$work/$name" "tests/fuzz/corpus/$name" \
      >"$work/$name.log" 2>&1 || { tail -40 "$work/$name.log"; rm -rf "$work"; return 1; }
    echo "  $name: $(grep -E '^stat::number_of_executed_units' "$work/$name.log" | awk '{print $2}') runs in ${seconds} s"
  done
  rm -rf "$work"
}

stage "install dependencies" deploy/install-deps.sh
stage "format check" deploy/check-format.sh
stage "size check" deploy/check-size.sh
stage "build" build build
stage "tests" run_tests build
stage "browser tests" browser_tests
stage "packages" packages
if $sanitize; then
  stage "build, ASan+UBSan" build build-asan -DWATT_SANITIZE=address,undefined "${sanitizer_flags[@]}"
  stage "tests, ASan+UBSan" run_tests build-asan -LE long
  stage "build, TSan" build_tsan
  stage "unit tests, TSan" run_tests build-tsan -L unit
  stage "threaded integration tests, TSan" threaded_tests
  stage "build, fuzz targets" env CXX=clang++ WATT_BUILD_TARGETS=watt-fuzzers \
    WATT_BUILD_DIR=build-fuzz deploy/build.sh -DWATT_FUZZ=ON -DWATT_BUILD_BENCH=OFF
  stage "fuzzing" fuzz_all
fi
finished=true
