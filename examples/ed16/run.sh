#!/usr/bin/env bash
# The 16-node experiment of seed 002 (Table 1), end to end on a Watt platform:
# start a platform in a scratch home, install 16 ed-node agents (one process
# each, as the thesis ran one board each) and the ed-monitor, run the
# consensus dispatch to convergence, print the result beside the centralized
# solution and the thesis's table, write the trace (CSV) and its plot (PNG),
# and stop everything.
#
#   examples/ed16/run.sh [RUN.yml]      # default: examples/ed16/ed16.yml
#
# Environment: WATT_BUILD (default ./build), OUT (default examples/ed16/out),
# PACE_MS (least time between iterations of one node, default 0).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$build/lib
run_file=$(realpath "${1:-$here/ed16.yml}")
out=${OUT:-$here/out}
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out/result.json" "$out/trace.csv" "$out/ed16.png"
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-ed16-XXXXXX)}
trap '"$bin/watt" platform stop >/dev/null 2>&1 || true' EXIT
# shellcheck source=report.sh
source "$here/report.sh"

"$bin/watt" platform start
plan=$("$bin/watt-ed" plan "$run_file" --out "$WATT_HOME/ed-configs" --pace-ms "${PACE_MS:-0}" \
  --trace-csv "$out/trace.csv" --result-json "$out/result.json")
nodes=0
while IFS=$'\t' read -r id file; do
  case $id in
    *-monitor) monitor_id=$id monitor_file=$file ;;
    *) "$bin/watt" install "$lib/libed-node.so" --identity "$id" --config "$file" --start >/dev/null
       nodes=$((nodes + 1)) ;;
  esac
done <<<"$plan"
echo "installed $nodes dispatch nodes; starting the monitor, which starts the run"
"$bin/watt" install "$lib/libed-monitor.so" --identity "$monitor_id" --config "$monitor_file" --start >/dev/null

wait_for_result
status=0
report || status=$?
"$bin/watt" platform stop >/dev/null
trap - EXIT
exit $status
