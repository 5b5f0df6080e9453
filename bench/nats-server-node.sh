#!/usr/bin/env bash
# nats-server-node.sh - start ONE plain nats-server node, the B side of modular-node.sh (same arguments):
#
#   bench/nats-server-node.sh PORT CPORT ROUTES NAME DIR
#
# A cluster listener is configured only when ROUTES is non-empty, as modular-node.sh does. NATS_SERVER
# overrides the binary (default: Debian's /usr/sbin/nats-server, 2.9.10). DIR is unused (kept for the
# common argument list).
set -euo pipefail
if [ $# -ne 5 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
  exit 2
fi
port=$1 cport=$2 routes=$3 name=$4
args=(-a 127.0.0.1 -p "$port" -n "$name")
if [ -n "$routes" ] && [ -n "$cport" ]; then
  args+=(--cluster_name modular-bench --cluster "nats://127.0.0.1:$cport" --routes "$routes")
fi
exec "${NATS_SERVER:-/usr/sbin/nats-server}" "${args[@]}"
