#!/usr/bin/env bash
# watt-node builds on its own, as on a single-board computer or with a cross
# compiler (docs/watt-node.md): dispatch/node configured alone is a project of
# its own, and the program links none of ZeroMQ, Boost or the SDK.
set -euo pipefail
source_dir=$1
scratch=$(mktemp -d /tmp/watt-node-only-XXXXXX)
trap 'rm -rf "$scratch"' EXIT

cmake -S "$source_dir/dispatch/node" -B "$scratch" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$scratch" --target watt-node -- -j2 >/dev/null
program="$scratch/bin/watt-node"
needed=$(readelf -d "$program" | grep NEEDED || true)
if grep -Eq 'libzmq|libwatt|libboost|libspdlog|libfmt' <<<"$needed"; then
  echo "watt-node links more than it should:"; echo "$needed"; exit 1
fi
"$program" --help >/dev/null
echo "watt-node built alone; it needs:"
sed -E 's/.*\[(.*)\]/  \1/' <<<"$needed"
