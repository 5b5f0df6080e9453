#!/usr/bin/env bash
# The systemd unit, checked without systemd as PID 1 (this sandbox, a build container): the unit is
# rewritten to point at an unpacked release tarball and a scratch config, `systemd-analyze verify`
# must accept it without a single complaint, and then the unit's own commands are run the way
# systemd would run them:
#   ExecStartPre  (`modular check`) must pass;
#   ExecStart     starts the server; /healthz answers;
#   ExecReload    with $MAINPID, after an account is added to the config: /accountz lists it;
#   KillSignal    (the stop): lame duck mode, a connected client is closed, the process exits 0
#                 well within TimeoutStopSec.
# What cannot be checked here: DynamicUser and the sandboxing options take effect only under a
# running systemd (the server runs as root here).
#
#   deploy/check-systemd-unit.sh [TARBALL]   (default: scripts/package.sh 0.0.0-check linux-x64 first)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
unit_source="$root/deploy/systemd/modular.service"
started=$SECONDS
say() { printf 'systemd-unit [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
work="$(mktemp -d "${TMPDIR:-/tmp}/modular-systemd.XXXXXX")"
server_pid=""
fail() { say "FAIL: $*" >&2; [[ -f "$work/server.log" ]] && tail -n 25 "$work/server.log" >&2; exit 1; }
cleanup() {
  [[ -n "$server_pid" ]] && kill -KILL "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in systemd-analyze curl python3; do
  command -v "$tool" >/dev/null || { echo "check-systemd-unit: $tool is missing" >&2; exit 2; }
done

tarball="${1:-}"
if [[ -z "$tarball" ]]; then
  say "packaging linux-x64 (scripts/package.sh)"
  "$root/scripts/package.sh" 0.0.0-check linux-x64 >/dev/null
  tarball="$root/artifacts/packages/modular-0.0.0-check-linux-x64.tar.gz"
fi

mkdir -p "$work/opt"
tar -xzf "$tarball" -C "$work/opt" --strip-components=1
[[ -x "$work/opt/modular" ]] || fail "no executable modular at the top of $tarball"

# Free ports from the OS.
read -r client_port monitor_port < <(python3 -c '
import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
config="$work/modular.toml"
write_config() {
  cat >"$config" <<EOF
[server]
name = "systemd-check"
listen = "127.0.0.1:$client_port"
lame_duck_duration = "2s"
lame_duck_grace_period = "1s"

[monitor]
listen = "127.0.0.1:$monitor_port"
$1
EOF
}
write_config ""

# The unit as installed (docs/deploy.md), pointed at this scratch install.
unit="$work/modular.service"
sed -e "s#/opt/modular#$work/opt#g" -e "s#/etc/modular/modular.toml#$config#g" "$unit_source" >"$unit"
verify_output="$(systemd-analyze verify "$unit" 2>&1)" || fail "systemd-analyze verify: $verify_output"
[[ -z "$verify_output" ]] || fail "systemd-analyze verify complained: $verify_output"
say "systemd-analyze verify: clean"

directive() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
exec_start_pre="$(directive ExecStartPre)"
exec_start="$(directive ExecStart)"
exec_reload="$(directive ExecReload)"
kill_signal="$(directive KillSignal)"
stop_timeout="$(directive TimeoutStopSec)"
[[ -n "$exec_start_pre" && -n "$exec_start" && -n "$exec_reload" && -n "$kill_signal" && -n "$stop_timeout" ]] \
  || fail "the unit lacks one of ExecStartPre, ExecStart, ExecReload, KillSignal, TimeoutStopSec"

say "ExecStartPre: $exec_start_pre"
$exec_start_pre >"$work/check.log" 2>&1 || { cat "$work/check.log" >&2; fail "ExecStartPre failed"; }

say "ExecStart: $exec_start"
$exec_start >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 30))
until curl -fsS --max-time 2 "http://127.0.0.1:$monitor_port/healthz" >/dev/null 2>&1; do
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited at start"
  ((SECONDS < deadline)) || fail "/healthz did not answer within 30 s"
  sleep 0.2
done
say "/healthz answers"

# Reload: systemd runs ExecReload with $MAINPID set to the main process. Accounts reload without a
# restart (docs/configuration.md, "Reloading").
write_config $'\n[accounts.reloaded]\nusers = []'
reload="${exec_reload//\$MAINPID/$server_pid}"
say "ExecReload: $reload"
$reload || fail "ExecReload failed"
deadline=$((SECONDS + 15))
until curl -fsS --max-time 2 "http://127.0.0.1:$monitor_port/accountz" 2>/dev/null | grep -q '"reloaded"'; do
  ((SECONDS < deadline)) || fail "/accountz does not list the added account 15 s after ExecReload"
  sleep 0.2
done
say "reloaded: /accountz lists the added account"

# Stop: systemd sends KillSignal to the main process. A client connected now must be closed by lame
# duck mode, and the process must exit 0 before TimeoutStopSec.
python3 - "$client_port" >"$work/client.log" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.recv(4096)                       # INFO
s.sendall(b'CONNECT {"verbose":false}\r\nPING\r\n')
s.settimeout(60)
start = time.time()
while True:
    data = s.recv(4096)
    if not data:
        print(f"closed by the server after {time.time() - start:.1f}s")
        break
    if data.startswith(b"PING"):
        s.sendall(b"PONG\r\n")
EOF
client_pid=$!
deadline=$((SECONDS + 10))
until curl -fsS --max-time 2 "http://127.0.0.1:$monitor_port/connz" 2>/dev/null | grep -q '"num_connections": *1'; do
  ((SECONDS < deadline)) || fail "the test client did not show in /connz"
  sleep 0.2
done
limit="${stop_timeout%s}"
say "KillSignal: $kill_signal (TimeoutStopSec ${limit}s)"
stop_started=$SECONDS
kill -s "${kill_signal#SIG}" "$server_pid"
set +e
timeout "$limit" tail --pid="$server_pid" -f /dev/null
wait "$server_pid"
code=$?
set -e
server_pid=""
((SECONDS - stop_started < limit)) || fail "the server did not exit within TimeoutStopSec"
[[ "$code" -eq 0 ]] || fail "the server exited $code on $kill_signal (expected 0)"
wait "$client_pid" || true
grep -q "closed by the server" "$work/client.log" || fail "the connected client was not closed: $(cat "$work/client.log")"
grep -qi "lame duck" "$work/server.log" || fail "no lame duck mode in the server's log"
say "stopped in $((SECONDS - stop_started)) s: lame duck, $(cat "$work/client.log"), exit 0"
say "ok"
