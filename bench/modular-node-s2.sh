#!/usr/bin/env bash
# modular-node-s2.sh - modular-node.sh with S2 route compression (plugin "s2").
# Usage: bench/modular-node-s2.sh PORT CPORT ROUTES NAME DIR [MODE]   (MODE: s2_fast by default; "off" for plain)
set -euo pipefail
[ $# -ge 5 ] || { sed -n '2,3p' "$0" >&2; exit 2; }
ROUTE_SECURITY="s2:${6:-s2_fast}" exec "$(dirname "${BASH_SOURCE[0]}")/modular-node.sh" "$1" "$2" "$3" "$4" "$5"
