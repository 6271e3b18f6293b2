#!/usr/bin/env bash
# Refreshes agents/web/ui/vendor from npm: the exact versions of
# package-lock.json, copied as ES modules the browser loads as they are (no
# bundler, no build step), with their licences. The copies are committed, so
# building and running Watt never needs the network; run this only to change
# a version (edit package.json, then `npm install --package-lock-only`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../ui/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --silent)
m="$work/node_modules"
mkdir -p "$out"
cp "$m/preact/dist/preact.module.js" "$out/preact.js"
# hooks imports "preact" by its bare name; the browser needs a path.
sed 's|from"preact"|from"./preact.js"|g; s|from "preact"|from "./preact.js"|g' \
  "$m/preact/hooks/dist/hooks.module.js" > "$out/hooks.js"
cp "$m/htm/dist/htm.module.js" "$out/htm.js"
cp "$m/uplot/dist/uPlot.esm.js" "$out/uplot.js"
cp "$m/uplot/dist/uPlot.min.css" "$out/uplot.css"
for p in preact htm uplot; do cp "$m/$p/LICENSE" "$out/LICENSE.$p"; done
echo "vendor: $(cd "$out" && ls | tr '\n' ' ')"
