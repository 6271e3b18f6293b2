#!/usr/bin/env bash
# The platform tour: start a platform in a scratch home, install the
# listener, the historian and a simulated meter, watch the listener hear it,
# query what the historian stored, and stop everything cleanly. Needs a build
# (deploy/build.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=build/bin
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-demo-XXXXXX)}
trap '$bin/watt platform stop >/dev/null 2>&1 || true' EXIT
step() {
  printf '\n\033[1m$'
  printf ' %q' "$@"
  printf '\033[0m\n'
  "$@"
}

step $bin/watt platform start
step $bin/watt install build/lib/liblistener.so --identity listener --config examples/demo/listener.yml --start
step $bin/watt install build/lib/libhistorian.so --identity historian --start
step $bin/watt install build/lib/libpublisher.so --identity meter1 --config examples/demo/meter1.yml --start
step $bin/watt list
step $bin/watt publish devices/campus/b1/alarm '{"state": "smoke", "zone": 3}' --priority 0
sleep 2
printf '\n\033[1mWhat the listener logged (%s):\033[0m\n' "$WATT_HOME/logs/listener.log"
tail -n 6 "$WATT_HOME/logs/listener.log"
step $bin/watt history topics 'devices/#'
step $bin/watt history query devices/campus/b1/meter1/power_kw --start now-1m --format csv
step $bin/watt history query devices/campus/b1/meter1/power_kw --agg avg:1s --format csv
step $bin/watt peers
step $bin/watt platform stop
trap - EXIT
