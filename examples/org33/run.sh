#!/usr/bin/env bash
# Seed 003's 33-bus experiment (Table 2, Figs. 7 and 8) end to end on a Watt
# platform: start a platform in a scratch home; create one DisCo, three
# aggregators and 32 end-users (one per load bus), each end-user with its
# information provider, prediction engine and decision-making system; feed
# the end-users' meters two weeks of load; run Case 1 and Case 2 in S1 and S2
# over the bus; print Table 2 beside the paper's, with the checks of its
# signs and orderings; write result.json, the hourly flows (CSV) and their
# plots (PNG); stop everything.
#
#   examples/org33/run.sh                        # the 33-bus case
#   examples/org33/run.sh --users 1000 --regions 10   # a generated case, in containers
#
# Environment: WATT_BUILD (default ./build), OUT (default examples/org33/out).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$build/lib
out=${OUT:-$here/out}
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out"/result.json "$out"/flows_*.csv "$out"/flows_*.png
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-org33-XXXXXX)}
trap '"$bin/watt" platform stop >/dev/null 2>&1 || true' EXIT
case_args=(--choices "$here/org33.yml" --case "$here/org33_case.json" "$@")

"$bin/watt" platform start
"$bin/watt-org" setup "${case_args[@]}" --dir "$WATT_HOME/org33" --lib-dir "$lib"
"$bin/watt" org apply "$WATT_HOME/org33/orgs.yml"
"$bin/watt" install --from "$WATT_HOME/org33/agents.yml" --start
# The resident memory of the platform's processes: wattd, the historian and
# the containers holding every organization's agents.
platform_memory() {
  local pids kib=0 n=0
  pids=$( (cat "$WATT_HOME/run/wattd.pid"; "$bin/watt" list | awk 'NR > 1 && $3 ~ /^[0-9]+$/ {print $3}') | sort -u)
  for pid in $pids; do
    kib=$((kib + $(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)))
    n=$((n + 1))
  done
  echo "memory: $((kib / 1024)) MiB resident in $n processes (wattd, historian, containers)"
}

status=0
start_s=$(date +%s.%N)
"$bin/watt-org" run "${case_args[@]}" --out "$out" || status=$?
echo "the experiment took $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start_s}") s, forecasts included"
platform_memory | tee "$out/memory.txt"
regions=$(sed -n 's/.*"regions": \([0-9]*\).*/\1/p' "$out/result.json" 2>/dev/null || true)
if [ -n "$regions" ] && command -v gnuplot >/dev/null; then
  gnuplot -e "dir='$out'; regions=$regions" "$here/plot.gp" && echo "plotted $out/flows_case1.png and flows_case2.png"
fi
"$bin/watt" platform stop >/dev/null
trap - EXIT
exit $status
