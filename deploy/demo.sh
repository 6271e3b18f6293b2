#!/usr/bin/env bash
# The main demo: install dependencies, build, and run the 16-node consensus
# economic dispatch of seed 002 (Table 1) on a Watt platform — 16 dispatch
# agents and a monitor, to convergence, the result beside the centralized
# solution and the thesis, a trace and its plot — then stop everything.
# examples/demo/run.sh is the tour of the platform itself (listener,
# historian, a simulated meter).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh
examples/ed16/run.sh
