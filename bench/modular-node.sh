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
# so the PID the bench holds is the server's. MODULAR_DLL overrides the host path.
# [cluster] is written only when ROUTES is non-empty: a single node runs without a route listener.
set -euo pipefail

if [ $# -ne 5 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
  exit 2
fi
port=$1 cport=$2 routes=$3 name=$4 dir=$5

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${MODULAR_DLL:-$repo/artifacts/bin/Modular.Server/release/modular.dll}"
if [ ! -f "$dll" ]; then
  echo "modular-node.sh: $dll not found; run 'dotnet build -c Release' in $repo first" >&2
  exit 2
fi

mkdir -p "$dir"
config="$dir/modular.toml"
{
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
  fi
} > "$config"

exec dotnet "$dll" run -c "$config"
