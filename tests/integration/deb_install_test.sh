#!/usr/bin/env bash
# The Debian packages on this machine, as an integrator installs them:
#   1. apt installs watt and watt-dev (deploy/package.sh built them);
#   2. examples/hello-agent builds against the installed SDK, with no path given;
#   3. wattd runs as its systemd unit says (its user, its home, ExecStartPre's
#      watt init, Type=notify: this test holds the notify socket and waits for
#      READY=1), the agent is installed into it and answers a call, two agents
#      of the package install by name (the web view with its pages), and the
#      service stops on SIGTERM saying STOPPING=1;
#   4. apt purges both packages, and what the test made goes with them.
# Needs root (or sudo without a password) and a machine with no Watt on it
# (no package, no watt user, no /var/lib/watt, no wattd unit) and no systemd
# running (whose postinst start of the service would be a second wattd on
# the same home): CI's. Anywhere else it refuses, touching nothing.
# Usage: deb_install_test.sh WATT_DEB WATT_DEV_DEB SOURCE_DIR
set -euo pipefail
watt_deb=$(realpath "$1")
dev_deb=$(realpath "$2")
source_dir=$(realpath "$3")
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  sudo -n true 2>/dev/null || { echo "deb_install_test: needs root or sudo without a password" >&2; exit 1; }
  as_root=(sudo -n)
fi
refuse() {
  echo "deb_install_test: $*; not touching this machine" >&2
  exit 1
}
for p in watt watt-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && refuse "package $p is installed"
done
home=/var/lib/watt
getent passwd watt >/dev/null && refuse "there is a watt user"
[ -e "$home" ] && refuse "$home exists"
for unit in /etc/systemd/system/wattd.service /lib/systemd/system/wattd.service /usr/lib/systemd/system/wattd.service \
  /usr/local/lib/systemd/system/wattd.service; do
  [ -e "$unit" ] && refuse "$unit exists"
done
[ -d /run/systemd/system ] && refuse "systemd runs here (the package would start its own wattd)"

scratch=$(mktemp -d /tmp/watt-deb-XXXXXX)
chmod 0755 "$scratch"
wattd_pid=""
notify_pid=""
cleanup() {
  set +e  # every step, whatever the one before did
  if [ -n "$wattd_pid" ]; then
    kill "$wattd_pid" 2>/dev/null
    wait "$wattd_pid" 2>/dev/null
  fi
  [ -n "$notify_pid" ] && kill "$notify_pid" 2>/dev/null
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get purge -y -qq watt watt-dev >/dev/null 2>&1
  # What the package keeps on purge (the home, the user) was made here: it goes.
  "${as_root[@]}" rm -rf "$home"
  "${as_root[@]}" deluser --system --quiet watt >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() {
  echo "deb_install_test: $*" >&2
  for f in "$scratch"/wattd.log "$scratch"/notify.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done
  exit 1
}
wait_for() {  # wait_for SECONDS COMMAND...: polls every 0.1 s
  local until=$((SECONDS + $1))
  shift
  until "$@"; do
    [ $SECONDS -lt $until ] || return 1
    sleep 0.1
  done
}

# 1. apt, from the files.
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "$watt_deb" "$dev_deb" >"$scratch/apt.log" 2>&1 ||
  { cat "$scratch/apt.log"; fail "apt-get install failed"; }
for f in /usr/bin/wattd /usr/bin/watt /usr/bin/watt-agent /usr/include/watt/agent.hpp \
  /usr/lib/systemd/system/wattd.service /usr/share/watt/web/index.html; do
  [ -e "$f" ] || fail "$f is not installed"
done
ls /usr/lib/*/watt/agents/libmqtt-bridge.so >/dev/null || fail "the agents are not installed"
getent passwd watt >/dev/null || fail "the package made no watt user"

# 2. An agent built against the installed SDK, as its developer would.
cmake -S "$source_dir/examples/hello-agent" -B "$scratch/hello" -G Ninja >"$scratch/cmake.log" 2>&1 ||
  { cat "$scratch/cmake.log"; fail "hello-agent does not configure against the installed watt-dev"; }
cmake --build "$scratch/hello" >"$scratch/cmake.log" 2>&1 || { cat "$scratch/cmake.log"; fail "hello-agent does not build"; }
chmod -R a+rX "$scratch/hello"
[ "$(/usr/bin/watt-agent "$scratch/hello/libhello.so" --check)" = "Hello" ] || fail "watt-agent --check did not name Hello"

# 3. The service, as the unit runs it.
unit=/usr/lib/systemd/system/wattd.service
value() { sed -n "s/^$1=//p" "$unit"; }
user=$(value User)
[ "$user" = watt ] || fail "the unit runs as '$user'"
socat -u "UNIX-RECV:$scratch/notify,perm=0666" "OPEN:$scratch/notify.log,creat,append" &
notify_pid=$!
wait_for 10 test -S "$scratch/notify" || fail "socat made no notify socket"
# setpriv and env exec the command, so as root the pid is wattd's, as under
# systemd (with sudo it is sudo's, which passes the signal on).
as_watt=("${as_root[@]}" setpriv --reuid="$user" --regid="$user" --init-groups -- env "$(value Environment)")
# shellcheck disable=SC2046  # the unit's command lines, split as systemd splits them (no quotes in them)
"${as_watt[@]}" $(value ExecStartPre) >"$scratch/init.log" 2>&1 || { cat "$scratch/init.log"; fail "ExecStartPre failed"; }
# shellcheck disable=SC2046
"${as_watt[@]}" NOTIFY_SOCKET="$scratch/notify" $(value ExecStart) >"$scratch/wattd.log" 2>&1 &
wattd_pid=$!
wait_for 60 grep -q READY=1 "$scratch/notify.log" || fail "wattd never said READY=1"
watt=("${as_watt[@]}" /usr/bin/watt --home "$home")
"${watt[@]}" install "$scratch/hello/libhello.so" --identity hello --start >/dev/null || fail "watt install failed"
reply=$("${watt[@]}" rpc hello greet '"tester"')
[ "$reply" = '"hello tester, from hello-agent"' ] || fail "unexpected reply: $reply"
"${as_root[@]}" test -s "$home/logs/hello.log" || fail "the agent wrote no log"
# Agents that come with the package, by name; the web view finds its pages
# where the package put them.
"${watt[@]}" install listener --identity heard --start >/dev/null || fail "the bundled listener does not install by name"
printf 'port: 0\n' >"$scratch/web.yml"
chmod a+r "$scratch/web.yml"
"${watt[@]}" install web --identity web --config "$scratch/web.yml" --start >/dev/null ||
  fail "the web agent does not start from the package: $("${watt[@]}" log web | tail -3)"
kill -TERM "$wattd_pid"
wait "$wattd_pid" || fail "wattd exited with $? on SIGTERM"
wattd_pid=""
grep -q STOPPING=1 "$scratch/notify.log" || fail "wattd never said STOPPING=1"

# 4. Gone again.
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get purge -y -qq watt watt-dev >/dev/null 2>&1 || fail "apt-get purge failed"
if [ -e /usr/bin/wattd ] || [ -e /usr/include/watt ]; then fail "files are left after the purge"; fi
echo "watt and watt-dev installed with apt; hello-agent built against them and answered $reply from the service"
