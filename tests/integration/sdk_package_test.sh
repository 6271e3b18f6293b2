#!/usr/bin/env bash
# Installs the SDK from the build tree into a scratch prefix, builds
# examples/hello-agent against it with find_package(Watt), and checks the
# result loads as an agent and answers an RPC on a real platform.
set -euo pipefail
build_dir=$1
source_dir=$2
scratch=$(mktemp -d /tmp/watt-sdk-XXXXXX)
trap 'WATT_HOME=$scratch/home "$scratch/prefix/bin/watt" platform stop >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT

cmake --install "$build_dir" --prefix "$scratch/prefix" >/dev/null
cmake -S "$source_dir/examples/hello-agent" -B "$scratch/hello" -G Ninja -DCMAKE_PREFIX_PATH="$scratch/prefix" >/dev/null
cmake --build "$scratch/hello" >/dev/null

lib="$scratch/hello/libhello.so"
[ "$("$scratch/prefix/bin/watt-agent" "$lib" --check)" = "Hello" ] || { echo "watt-agent --check did not name Hello"; exit 1; }

export WATT_HOME="$scratch/home"
watt="$scratch/prefix/bin/watt"
"$watt" platform start >/dev/null
"$watt" install "$lib" --identity hello --start >/dev/null
reply=$("$watt" rpc hello greet '"tester"')
[ "$reply" = '"hello tester, from hello-agent"' ] || { echo "unexpected reply: $reply"; exit 1; }
"$watt" platform stop >/dev/null
echo "hello-agent built against the installed SDK and answered: $reply"
