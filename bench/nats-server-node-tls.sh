#!/usr/bin/env bash
# nats-server-node-tls.sh - start ONE nats-server node whose routes use TLS (verify: true), the B
# side for comparing modular-node-tls.sh with ../shared/bench/compare.sh:
#
#   /path/to/repo/bench/nats-server-node-tls.sh {port} {cport} '{routes}' {name} {dir}
#
# Uses the certificates of modular-node-tls.sh ($BENCH_TLS_DIR, default /tmp/modular-bench-tls,
# made on first use). NATS_SERVER overrides the binary (default: nats-server on PATH, Debian's 2.9.10).
set -euo pipefail

if [ $# -ne 5 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
  exit 2
fi
port=$1 cport=$2 routes=$3 name=$4 dir=$5

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
certs="${BENCH_TLS_DIR:-/tmp/modular-bench-tls}"
if [ ! -f "$certs/$name-cert.pem" ]; then
  CERT_DIR="$certs" "$repo/examples/secure-cluster/make-dev-certs.sh" "$name" >/dev/null
fi

mkdir -p "$dir"
config="$dir/nats-server.conf"
{
  printf 'server_name: "%s"\n' "$name"
  printf 'listen: "127.0.0.1:%s"\n' "$port"
  if [ -n "$routes" ] && [ -n "$cport" ]; then
    printf 'cluster {\n'
    printf '  name: "anchors"\n'
    printf '  listen: "127.0.0.1:%s"\n' "$cport"
    printf '  routes: ['
    sep=""
    IFS=',' read -r -a urls <<<"$routes"
    for url in "${urls[@]}"; do
      [ -n "$url" ] || continue
      printf '%s"%s"' "$sep" "$url"
      sep=", "
    done
    printf ']\n'
    printf '  tls {\n'
    printf '    cert_file: "%s"\n' "$certs/$name-cert.pem"
    printf '    key_file: "%s"\n' "$certs/$name-key.pem"
    printf '    ca_file: "%s"\n' "$certs/ca.pem"
    printf '    verify: true\n'
    printf '    timeout: 2\n'
    printf '  }\n'
    printf '}\n'
  fi
} > "$config"

exec "${NATS_SERVER:-nats-server}" -c "$config"
