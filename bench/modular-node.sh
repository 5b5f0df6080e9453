#!/usr/bin/env bash
# modular-node.sh - start ONE Modular node for ../shared/bench (bench.sh, compare.sh).
#
# Usage: bench/modular-node.sh PORT CPORT ROUTES NAME DIR
#   PORT    client port on 127.0.0.1
#   CPORT   route (cluster) port on 127.0.0.1
#   ROUTES  the other nodes' route URLs, comma-separated (nats-route://127.0.0.1:P,...); "" for one node
#   NAME    server name (n1, n2, n3)
#   DIR     a scratch folder; modular.toml is written there
#
# As a bench TEMPLATE (quote {routes}: it is empty for a single node):
#   /path/to/repo/bench/modular-node.sh {port} {cport} '{routes}' {name} {dir}
#
# Writes DIR/modular.toml and execs the Release build of the host
# (<repo>/artifacts/bin/Modular.Server/release/modular.dll; build with `dotnet build -c Release`),
# so the PID the bench holds is the server's. MODULAR_DLL overrides the host path; MODULAR_NODE_EXEC
# names a packaged `modular` executable to exec instead (the ReadyToRun package of scripts/package.sh).
# [cluster] is written only when ROUTES is non-empty: a single node runs without a route listener.
# ROUTE_SECURITY picks what the routes run over (modular-node-tls.sh and modular-node-s2.sh set it):
#   plain (default) | tls (mutual verification, certificates in $BENCH_TLS_DIR) | s2:MODE (s2_fast, off, ...)
set -euo pipefail

if [ $# -ne 5 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
  exit 2
fi
port=$1 cport=$2 routes=$3 name=$4 dir=$5
security="${ROUTE_SECURITY:-plain}"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${MODULAR_DLL:-$repo/artifacts/bin/Modular.Server/release/modular.dll}"
if [ -n "${MODULAR_NODE_EXEC:-}" ]; then
  [ -x "$MODULAR_NODE_EXEC" ] || { echo "modular-node.sh: MODULAR_NODE_EXEC=$MODULAR_NODE_EXEC is not an executable" >&2; exit 2; }
elif [ ! -f "$dll" ]; then
  echo "modular-node.sh: $dll not found; run 'dotnet build -c Release' in $repo first" >&2
  exit 2
fi

plugin=""
case "$security" in
  plain) ;;
  tls)
    plugin="tls"
    certs="${BENCH_TLS_DIR:-/tmp/modular-bench-tls}"
    if [ ! -f "$certs/$name-cert.pem" ]; then
      CERT_DIR="$certs" "$repo/examples/secure-cluster/make-dev-certs.sh" "$name" >/dev/null
    fi
    ;;
  s2:*) plugin="s2" ;;
  *) echo "modular-node.sh: ROUTE_SECURITY must be plain, tls or s2:MODE, not '$security'" >&2; exit 2 ;;
esac

mkdir -p "$dir"
config="$dir/modular.toml"
{
  if [ -n "$plugin" ]; then
    printf 'plugins = ["%s"]\n\n' "$plugin"
  fi
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
    case "$security" in
      tls)
        printf '\n[cluster.tls]\n'
        printf 'use = "tls"\n'
        printf 'cert_file = "%s"\n' "$certs/$name-cert.pem"
        printf 'key_file = "%s"\n' "$certs/$name-key.pem"
        printf 'ca_file = "%s"\n' "$certs/ca.pem"
        printf 'verify = true\n'
        ;;
      s2:*)
        printf '\n[cluster.compression]\nuse = "s2"\nmode = "%s"\n' "${security#s2:}"
        ;;
    esac
  fi
} > "$config"

if [ -n "${MODULAR_NODE_EXEC:-}" ]; then
  exec "$MODULAR_NODE_EXEC" run -c "$config"
fi
exec dotnet "$dll" run -c "$config"
