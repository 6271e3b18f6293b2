#!/usr/bin/env bash
# Seed 001's interconnected microgrids end to end on a Watt platform: start
# a platform in a scratch home; run the market operator and four microgrid
# operators (a campus, a business park with a waste-to-energy plant, a
# residential estate, a bus depot) through one simulated day: market data,
# day-ahead offers and bilateral contracts, the day-ahead clearing, then 48
# half-hour intervals each with its real-time market and four 7.5-minute
# epochs, and both settlements; print each operator's cost with the market
# and on its own, check that the settlements balance to the unit, write
# out/result.json and out/series.csv, plot the day (out/microgrids.png)
# when gnuplot is there; stop.
#
#   examples/microgrids/run.sh
#
# Environment: WATT_BUILD (default ./build), OUT (default examples/microgrids/out).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${WATT_BUILD:-$here/../../build}
bin=$build/bin
lib=$build/lib
out=${OUT:-$here/out}
mkdir -p "$out"
out=$(realpath "$out")
rm -f "$out/result.json" "$out/series.csv" "$out/microgrids.png"
export WATT_HOME=${WATT_HOME:-$(mktemp -d /tmp/watt-mg-XXXXXX)}
trap '"$bin/watt" platform stop >/dev/null 2>&1 || true' EXIT

"$bin/watt" platform start
start_s=$(date +%s.%N)
"$bin/watt" install "$lib/libmarket-operator.so" --identity market-operator --config "$here/market.yml" --start >/dev/null
for mg in campus business-park residential depot; do
  sed "s|@HERE@|$here|" "$here/$mg-operator.yml" >"$WATT_HOME/$mg-operator.yml"
  "$bin/watt" install "$lib/libmicrogrid-operator.so" --identity "$mg" --config "$WATT_HOME/$mg-operator.yml" --start >/dev/null
done
status=0
"$bin/watt-microgrids" report --out "$out" || status=$?
echo "the simulated day took $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start_s}") s"
if command -v gnuplot >/dev/null && [ -f "$out/series.csv" ]; then
  gnuplot -e "dir='$out'" "$here/plot.gp" && echo "plotted $out/microgrids.png"
fi
"$bin/watt" platform stop >/dev/null
trap - EXIT
exit $status
