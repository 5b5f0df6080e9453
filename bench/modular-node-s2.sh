#!/usr/bin/env bash
# modular-node-s2.sh - like modular-node.sh, with S2 route compression (plugin "s2").
# Usage: bench/modular-node-s2.sh PORT CPORT ROUTES NAME DIR [MODE]   (MODE: s2_fast by default; "off" for plain)
set -euo pipefail
[ $# -ge 5 ] || { sed -n '2,3p' "$0" >&2; exit 2; }
port=$1 cport=$2 routes=$3 name=$4 dir=$5 mode=${6:-s2_fast}
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll="${MODULAR_DLL:-$repo/artifacts/bin/Modular.Server/release/modular.dll}"
mkdir -p "$dir"
config="$dir/modular.toml"
{
  printf 'plugins = ["s2"]\n\n[server]\nname = "%s"\nlisten = "127.0.0.1:%s"\n\n[log]\nlevel = "warning"\n' "$name" "$port"
  if [ -n "$routes" ] && [ -n "$cport" ]; then
    printf '\n[cluster]\nname = "modular-bench"\nlisten = "127.0.0.1:%s"\nroutes = [' "$cport"
    sep=""
    IFS=',' read -r -a urls <<<"$routes"
    for url in "${urls[@]}"; do [ -n "$url" ] || continue; printf '%s"%s"' "$sep" "$url"; sep=", "; done
    printf ']\n\n[cluster.compression]\nuse = "s2"\nmode = "%s"\n' "$mode"
  fi
} > "$config"
exec dotnet "$dll" run -c "$config"
