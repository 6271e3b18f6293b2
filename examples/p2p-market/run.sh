#!/usr/bin/env bash
# Seed 002's Bit-Energy case study (Chapter 3.6, Tables 2-4) end to end on a
# Watt platform: start a platform in a scratch home; install three market
# agents (no line limits, hard limits, a penalty past them), each with its
# own signed ledger; run each case's posts and buy as their operator; print
# the accounts and posts after each beside the thesis's table, compared to
# the cent, with each ledger verified; write out/result.json; stop.
#
#   examples/p2p-market/run.sh
#
# Environment: WATT_BUILD (default ./build), OUT (default examples/p2p-market/out).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$build/lib
out=${OUT:-$here/out}
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out/result.json"
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-p2p-XXXXXX)}
trap '"$bin/watt" platform stop >/dev/null 2>&1 || true' EXIT

"$bin/watt" platform start
for case in case1:none case2:hard case3:penalty; do
  name=${case%%:*} lines=${case##*:}
  printf 'market: %s\nlines: %s\npenalty_cents_per_kwh: 0.1\nkey_seed: %s\noperators: [watt-market-operator]\n' \
    "bit-energy-$name" "$lines" "market-$name" >"$WATT_HOME/market-$name.yml"
  "$bin/watt" install "$lib/libmarket.so" --identity "market-$name" --config "$WATT_HOME/market-$name.yml" --start >/dev/null
done
status=0
"$bin/watt-market" tables --cases "$here/cases.yml" --out "$out" || status=$?
"$bin/watt" platform stop >/dev/null
trap - EXIT
exit $status
