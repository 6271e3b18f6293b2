#!/usr/bin/env bash
# Installs what Watt needs to build and test on Debian 12, from Debian's own
# packages. Idempotent: does nothing when everything is already there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  file                            # CPack's Debian packages (deploy/package.sh) sort the files by type with it
  libzmq3-dev cppzmq-dev          # the bus
  libmsgpack-cxx-dev              # message bodies and headers
  libyaml-cpp-dev                 # configuration
  libboost-dev                    # msgpack-cxx's CMake package asks for it
  libcli11-dev                    # command lines
  libspdlog-dev                   # logging
  nlohmann-json3-dev              # the JSON view of messages
  libsqlite3-dev                  # the config store
  libpqxx-dev                     # the historian's PostgreSQL back end (brings libpq-dev)
  postgresql                      # a real server for the historian's PostgreSQL tests
  gnuplot-nox                     # the dispatch experiment's plot (examples/ed16)
  libmodbus-dev                   # the platform driver's Modbus TCP/RTU devices
  coinor-libclp-dev coinor-libcbc-dev  # LPs and MILPs (libs/opt): the organizations, the hub, the markets
  libsodium-dev                   # Ed25519 signatures and BLAKE2b hashes of the trading ledger (agents/trading)
  socat                           # the virtual lab's serial lines (pty pairs, examples/ed16-serial)
  doctest-dev                     # tests
  ccache                          # rebuilds (deploy/build.sh uses it when present)
  clang-format                    # the format gate (deploy/check-format.sh)
  clang-tidy                      # the lint run of docs/development.md
  clang libclang-rt-14-dev        # libFuzzer, for the fuzz targets (tests/fuzz)
  mosquitto mosquitto-clients     # the MQTT bridge's tests and benchmarks (a broker on loopback)
  libpaho-mqtt-dev libpaho-mqttpp-dev  # the MQTT bridge's client (MQTT 3.1.1 and 5, TLS, QoS 1)
  libprotobuf-dev protobuf-compiler   # the MQTT bridge's Sparkplug B payloads (the specification's .proto)
  chromium                        # the web view's browser tests (tests/browser, Playwright drives it)
)
# Node.js and npm run the browser tests. A machine that has them already (say
# from NodeSource, whose nodejs carries its own npm) keeps them: Debian's npm
# would conflict with it.
command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
