#!/usr/bin/env bash
# Checks a release tarball from scripts/package.sh: unpacks it, runs `modular --version`, starts
# `modular run` on a minimal config (127.0.0.1, a port the OS picks) and has a client PING it.
#   deploy/check-package.sh artifacts/packages/modular-0.1.0-linux-x64.tar.gz
set -euo pipefail
tarball="$1"
work="$(mktemp -d)"
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

tar -C "$work" -xzf "$tarball"
bin="$(echo "$work"/modular-*/modular)"
"$bin" --version | tee "$work/version.txt"
grep -Eq '^modular [^ ]+ commit [0-9a-f]{7,40} ' "$work/version.txt" || { echo "check: --version lacks a commit" >&2; exit 1; }

cat > "$work/modular.toml" <<'TOML'
[server]
listen = "127.0.0.1:0"
TOML
"$bin" run -c "$work/modular.toml" > "$work/server.log" 2>&1 &
pid=$!

# The port the OS gave the client listener, read back from the socket table (bounded wait).
port=""
for _ in $(seq 1 100); do
  port="$(ss -Hltnp 2>/dev/null | awk -v p="pid=$pid," '$0 ~ p { n = split($4, a, ":"); print a[n]; exit }')"
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "check: server exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "check: server never listened" >&2; exit 1; }

exec 3<>"/dev/tcp/127.0.0.1/$port"
IFS= read -r -t 5 info <&3
[[ "$info" == INFO* ]] || { echo "check: expected INFO, got: $info" >&2; exit 1; }
printf 'CONNECT {"verbose":false}\r\nPING\r\n' >&3
IFS= read -r -t 5 pong <&3
exec 3>&-
[[ "$pong" == PONG* ]] || { echo "check: expected PONG, got: $pong" >&2; exit 1; }
echo "check: $(basename "$tarball"): --version ok, a client got INFO and PONG on port $port"
