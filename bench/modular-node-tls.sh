#!/usr/bin/env bash
# modular-node-tls.sh - start ONE Modular node whose routes use TLS (mutual verification), for
# ../shared/bench (bench.sh, compare.sh). Same arguments and TEMPLATE as modular-node.sh:
#
#   /path/to/repo/bench/modular-node-tls.sh {port} {cport} '{routes}' {name} {dir}
#
# Certificates: a development CA and one certificate per node name, made on first use with
# examples/secure-cluster/make-dev-certs.sh in $BENCH_TLS_DIR (default /tmp/modular-bench-tls);
# nats-server-node-tls.sh uses the same files, so both sides of a comparison run the same TLS.
# Routes are nats-route://127.0.0.1:P, so the dialer checks the certificate's IP 127.0.0.1.
set -euo pipefail

if [ $# -ne 5 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
  exit 2
fi
port=$1 cport=$2 routes=$3 name=$4 dir=$5

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${MODULAR_DLL:-$repo/artifacts/bin/Modular.Server/release/modular.dll}"
if [ ! -f "$dll" ]; then
  echo "modular-node-tls.sh: $dll not found; run 'dotnet build -c Release' in $repo first" >&2
  exit 2
fi

certs="${BENCH_TLS_DIR:-/tmp/modular-bench-tls}"
if [ ! -f "$certs/$name-cert.pem" ]; then
  CERT_DIR="$certs" "$repo/examples/secure-cluster/make-dev-certs.sh" "$name" >/dev/null
fi

mkdir -p "$dir"
config="$dir/modular.toml"
{
  printf 'plugins = ["tls"]\n\n'
  printf '[server]\n'
  printf 'name = "%s"\n' "$name"
  printf 'listen = "127.0.0.1:%s"\n' "$port"
  printf '\n[log]\n'
  printf 'level = "warning"\n'
  if [ -n "$routes" ] && [ -n "$cport" ]; then
    printf '\n[cluster]\n'
    printf 'name = "modular-bench"\n'
    printf 'listen = "127.0.0.1:%s"\n' "$cport"
    printf 'routes = ['
    sep=""
    IFS=',' read -r -a urls <<<"$routes"
    for url in "${urls[@]}"; do
      [ -n "$url" ] || continue
      printf '%s"%s"' "$sep" "$url"
      sep=", "
    done
    printf ']\n'
    printf '\n[cluster.tls]\n'
    printf 'use = "tls"\n'
    printf 'cert_file = "%s"\n' "$certs/$name-cert.pem"
    printf 'key_file = "%s"\n' "$certs/$name-key.pem"
    printf 'ca_file = "%s"\n' "$certs/ca.pem"
    printf 'verify = true\n'
  fi
} > "$config"

exec dotnet "$dll" run -c "$config"
