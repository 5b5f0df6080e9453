#!/usr/bin/env bash
# nats-server-node-s2.sh - a nats-server node (2.10 by default) with route compression, for compare.sh's B side.
# Usage: bench/nats-server-node-s2.sh PORT CPORT ROUTES NAME DIR [MODE]
set -euo pipefail
[ $# -ge 5 ] || { sed -n '2,3p' "$0" >&2; exit 2; }
port=$1 cport=$2 routes=$3 name=$4 dir=$5 mode=${6:-s2_fast}
bin="${NATS_SERVER_BIN:-$("$(cd "$(dirname "$0")/.." && pwd)/scripts/get-nats-server-2.10.sh")}"
mkdir -p "$dir"
{
  printf 'listen: "127.0.0.1:%s"\nserver_name: %s\n' "$port" "$name"
  printf 'cluster {\n  name: modular-bench\n  listen: 127.0.0.1:%s\n  compression: %s\n' "$cport" "$mode"
  [ -n "$routes" ] && printf '  routes: [%s]\n' "$routes"
  printf '}\n'
} > "$dir/nats.conf"
exec "$bin" -c "$dir/nats.conf"
