#!/usr/bin/env bash
# Builds the Debian packages `watt` and `watt-dev` (cmake/Debian.cmake) in a
# tree of their own ($WATT_PACKAGE_DIR, default build-deb/), configured to
# install under /usr, and prints their paths on standard output (the build's
# own output goes to standard error). Extra arguments go to cmake.
#   sudo apt install ./build-deb/watt_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${WATT_PACKAGE_DIR:-build-deb}
# Everything the packages hold, and no tests or benchmarks.
WATT_BUILD_TARGETS="" WATT_BUILD_DIR=$dir deploy/build.sh -DCMAKE_INSTALL_PREFIX=/usr -DWATT_PACKAGING=ON \
  -DWATT_BUILD_TESTS=OFF -DWATT_BUILD_BENCH=OFF "$@" >&2
dir=$(realpath "$dir")
rm -f "$dir"/watt_*.deb "$dir"/watt-dev_*.deb
(cd "$dir" && cpack -G DEB >cpack.log 2>&1) || { cat "$dir/cpack.log" >&2; exit 1; }
ls "$dir"/watt_*.deb
ls "$dir"/watt-dev_*.deb
