#!/usr/bin/env bash
# Seed 004's residential energy hub end to end on a Watt platform: start a
# platform in a scratch home; give the platform driver fake devices for the
# hub's appliances; run two energy-hub agents over 48 simulated hours in
# half-hour steps (fast-forwarded: one step every 150 ms), one planning by
# MPC over a 48-hour horizon, one with thermostats alone, each sending its
# set-points to its devices as set_point RPCs; check every comfort band and
# the peak limit at every step, print both costs side by side, write
# out/result.json and out/series.csv, plot the 48 hours (out/hub.png) when
# gnuplot is there; stop.
#
#   examples/energy-hub/run.sh
#
# Environment: WATT_BUILD (default ./build), OUT (default examples/energy-hub/out).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$build/lib
out=${OUT:-$here/out}
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out/result.json" "$out/series.csv" "$out/hub.png"
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-hub-XXXXXX)}
trap '"$bin/watt" platform stop >/dev/null 2>&1 || true' EXIT

"$bin/watt" platform start
"$bin/watt" install "$lib/libplatform-driver.so" --identity platform-driver --start >/dev/null
"$bin/watt" config set platform-driver appliance.csv "$here/appliance.csv" >/dev/null
for home in mpc baseline; do
  for device in fridge room water_heater washing_machine battery pv; do
    "$bin/watt" config set platform-driver "devices/home/$home/$device" "$here/device.yml" >/dev/null
  done
  sed "s|@HERE@|$here|" "$here/hub-$home.yml" >"$WATT_HOME/hub-$home.yml"
  "$bin/watt" install "$lib/libenergy-hub.so" --identity "hub-$home" --config "$WATT_HOME/hub-$home.yml" --start >/dev/null
done
status=0
start_s=$(date +%s.%N)
"$bin/watt-energy-hub" report --models "$here/hub.yml" --peak 4 --out "$out" || status=$?
echo "48 simulated hours took $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start_s}") s"
if command -v gnuplot >/dev/null && [ -f "$out/series.csv" ]; then
  gnuplot -e "dir='$out'" "$here/plot.gp" && echo "plotted $out/hub.png"
fi
"$bin/watt" platform stop >/dev/null
trap - EXIT
exit $status
