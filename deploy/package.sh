#!/usr/bin/env bash
# Builds the Debian packages `watt` and `watt-dev` (cmake/Debian.cmake) from
# the build tree ($WATT_BUILD_DIR, default build/), configured to install
# under /usr, and prints their paths. Extra arguments go to cmake.
#   sudo apt install ./build/watt_*.deb ./build/watt-dev_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${WATT_BUILD_DIR:-build}
# All of it: the packages hold every agent and tool, whatever a previous
# build of this tree was asked for.
WATT_BUILD_TARGETS="" WATT_BUILD_DIR=$build_dir deploy/build.sh -DCMAKE_INSTALL_PREFIX=/usr "$@" >/dev/null
rm -f "$build_dir"/watt_*.deb "$build_dir"/watt-dev_*.deb
dir=$(realpath "$build_dir")
(cd "$dir" && cpack -G DEB >cpack.log 2>&1) || { cat "$dir/cpack.log" >&2; exit 1; }
ls "$dir"/watt_*.deb
ls "$dir"/watt-dev_*.deb
