#!/usr/bin/env bash
# The 16-node dispatch with its nodes split over two platforms federated
# through a mosquitto on loopback (docs/mqtt.md, "Federation"): a lab spread
# over two hosts. Odd nodes and the monitor on platform lab-a, even nodes on
# lab-b, so that most neighbours talk across the broker. Prints the same
# table as run.sh (beside the centralized solution and the thesis) and exits
# non-zero unless the run converged.
#
#   examples/ed16/run-two-platforms.sh [run.yml]    # after deploy/build.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$build/lib
run_file=$(realpath "${1:-$here/ed16.yml}")
out=${OUT:-$here/out-two-platforms}
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out/result.json" "$out/trace.csv" "$out/ed16.png"
work=$(mktemp -d /tmp/watt-ed16-two-XXXXXX)
home_a=$work/a home_b=$work/b
mosquitto_pid=
cleanup() {
  WATT_HOME=$home_a "$bin/watt" platform stop >/dev/null 2>&1 || true
  WATT_HOME=$home_b "$bin/watt" platform stop >/dev/null 2>&1 || true
  [ -n "$mosquitto_pid" ] && kill "$mosquitto_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A broker of our own on a free loopback port.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{
  [ "$(id -u)" -eq 0 ] && echo "user root"
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n' "$port"
} >"$work/mosquitto.conf"
/usr/sbin/mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
mosquitto_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

# Two platforms, each with a bridge that shares the run's topics with the other.
for p in a b; do
  home=$work/$p other=$([ $p = a ] && echo b || echo a)
  WATT_HOME=$home "$bin/watt" platform start >/dev/null
  cat >"$work/bridge-$p.yml" <<YML
broker: {url: 'tcp://127.0.0.1:$port', client_id: lab-$p}
reconnect: {first_ms: 50, most_ms: 500}
federation:
  platform: lab-$p
  export: [ed]
  import: [{from: lab-$other, topics: 'ed/#'}]
YML
  WATT_HOME=$home "$bin/watt" install "$lib/libmqtt-bridge.so" --identity mqtt --config "$work/bridge-$p.yml" --start \
    >/dev/null
  for _ in $(seq 200); do
    WATT_HOME=$home "$bin/watt" rpc mqtt status 2>/dev/null | grep -q '"connected":true' && break
    sleep 0.05
  done
done
echo "platforms lab-a and lab-b federated through mosquitto on port $port"

export WATT_HOME=$home_a
source "$here/report.sh"
plan=$("$bin/watt-ed" plan "$run_file" --out "$work/ed-configs" --pace-ms "${PACE_MS:-0}" \
  --trace-csv "$out/trace.csv" --result-json "$out/result.json")
n=0
while IFS=$'\t' read -r id file; do
  case $id in
    *-monitor) monitor_id=$id monitor_file=$file ;;
    *) home=$([ $((n % 2)) -eq 0 ] && echo "$home_a" || echo "$home_b")
       WATT_HOME=$home "$bin/watt" install "$lib/libed-node.so" --identity "$id" --config "$file" --start >/dev/null
       n=$((n + 1)) ;;
  esac
done <<<"$plan"
echo "installed $n dispatch nodes, $(((n + 1) / 2)) on lab-a and $((n / 2)) on lab-b; starting the monitor on lab-a"
"$bin/watt" install "$lib/libed-monitor.so" --identity "$monitor_id" --config "$monitor_file" --start >/dev/null

wait_for_result
status=0
report || status=$?
for p in a b; do
  echo "lab-$p's bridge: $(WATT_HOME=$work/$p "$bin/watt" rpc mqtt status | python3 -c \
    'import json,sys; f=json.load(sys.stdin)["federation"]; print(f["exported"], "exported,", f["imported"], "imported")')"
done
exit $status
