#!/usr/bin/env bash
# The 16-node experiment of seed 002 with the mathematics on the nodes, as in
# the thesis: 16 watt-node programs, each on its own serial line, and the
# serial bridge agent on the other ends putting them on the bus. Here the
# lines are pseudo-terminal pairs made by socat (a virtual lab); on the real
# lab only the device paths change (lab.yml, and each node's --device).
#
#   examples/ed16-serial/run.sh [RUN.yml]   # default: examples/ed16/ed16.yml
#
# Environment: WATT_BUILD (default ./build), OUT (default
# examples/ed16-serial/out), LAB (where the pty pairs go, default
# /tmp/watt-ed16-lab), PACE_MS (least time between iterations, default 0),
# WATT_NODE (the node program, default $WATT_BUILD/bin/watt-node; e.g. an ARM
# build under qemu-aarch64, see docs/watt-node.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$build/lib
run_file=$(realpath "${1:-$here/../ed16/ed16.yml}")
out=${OUT:-$here/out}
lab=${LAB:-/tmp/watt-ed16-lab}
read -r -a node_program <<<"${WATT_NODE:-$bin/watt-node}"
command -v socat >/dev/null || { echo "run.sh: socat is needed for the virtual lab (deploy/install-deps.sh)" >&2; exit 1; }
mkdir -p "$out/nodes" "$lab"
out=$(realpath "$out")
lab=$(realpath "$lab")
rm -f "$out/result.json" "$out/trace.csv" "$out/ed16.png" "$out"/nodes/*.log
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-ed16-serial-XXXXXX)}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  "$bin/watt" platform stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
# shellcheck source=../ed16/report.sh
source "$here/../ed16/report.sh"

"$bin/watt" platform start
plan=$("$bin/watt-ed" plan "$run_file" --out "$WATT_HOME/ed-configs" --pace-ms "${PACE_MS:-0}" \
  --trace-csv "$out/trace.csv" --result-json "$out/result.json")

# One null-modem cable per node: two pseudo-terminals joined by socat, raw
# and without echo, $lab/<node>.bridge for the bridge and $lab/<node>.node
# for the node.
nodes=()
while IFS=$'\t' read -r id file; do
  case $id in
    *-monitor) monitor_id=$id monitor_file=$file ;;
    *) node=${id#*-}
       nodes+=("$node:$file")
       rm -f "$lab/$node.bridge" "$lab/$node.node"
       socat "pty,rawer,link=$lab/$node.bridge" "pty,rawer,link=$lab/$node.node" &
       pids+=($!) ;;
  esac
done <<<"$plan"
for entry in "${nodes[@]}"; do
  node=${entry%%:*}
  for _ in $(seq 100); do [ -e "$lab/$node.bridge" ] && [ -e "$lab/$node.node" ] && break; sleep 0.05; done
done

# The bridge first, so that every node finds its line open.
sed "s#/tmp/watt-ed16-lab/#$lab/#" "$here/lab.yml" >"$WATT_HOME/lab.yml"
"$bin/watt" install "$lib/libserial-bridge.so" --identity lab-bridge --config "$WATT_HOME/lab.yml" --start >/dev/null
node_pids=()
for entry in "${nodes[@]}"; do
  node=${entry%%:*} file=${entry#*:}
  "${node_program[@]}" --config "$file" --device "$lab/$node.node" >"$out/nodes/$node.log" 2>&1 &
  pids+=($!)
  node_pids+=($!)
done
echo "started ${#nodes[@]} watt-node programs on serial lines to the bridge; starting the monitor, which starts the run"
"$bin/watt" install "$lib/libed-monitor.so" --identity "$monitor_id" --config "$monitor_file" --start >/dev/null

if ! wait_for_result; then
  "$bin/watt" rpc lab-bridge status >&2 || true
  exit 1
fi

# Each node leaves once the monitor has stopped the run (a node still there
# after 20 s missed the stop: counted as a failure).
failed=0
for pid in "${node_pids[@]}"; do
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill "$pid" 2>/dev/null; then
    failed=$((failed + 1))
    wait "$pid" || true
  elif ! wait "$pid"; then
    failed=$((failed + 1))
  fi
done

status=0
report || status=$?
echo "nodes:  $out/nodes/<node>.log"
if [ "$failed" -ne 0 ]; then
  echo "$failed watt-node program(s) exited with an error; see their logs" >&2
  status=1
fi
exit $status
