#!/usr/bin/env bash
# Seed 000's prototype auctions (Figs. 6-8) end to end on a Watt platform:
# start a platform in a scratch home; for each figure install its bess and
# aggregator agents, let the aggregators query and bid over the bus with
# Table II's priorities and deadlines, print the BESS's log as the figure
# prints it and the outcome beside the paper's; then each message type's
# latency (p50, p99) and deadline misses beside Table II; write
# out/result.json; stop.
#
#   examples/bess-auction/run.sh
#
# Environment: WATT_BUILD (default ./build), OUT (default examples/bess-auction/out).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$(realpath "$build/lib")
out=${OUT:-$here/out}
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out/result.json"
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-bess-XXXXXX)}
trap '"$bin/watt" platform stop >/dev/null 2>&1 || true' EXIT

"$bin/watt" platform start
status=0
"$bin/watt-bess-auction" figures --figures "$here/figures.yml" --lib-dir "$lib" --out "$out" || status=$?
"$bin/watt" platform stop >/dev/null
trap - EXIT
exit $status
