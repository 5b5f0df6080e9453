#!/usr/bin/env bash
# gateway.sh - throughput and request/reply latency across a gateway: Modular vs nats-server 2.10,
# interleaved (Modular round, nats-server round, ...), and the ratio of the medians.
#
# Usage: bench/gateway.sh [--rounds 3] [--dur 3] [--window BYTES]
#
# Each round starts two single-server clusters, "A" and "B", joined by gateways (each lists the
# other), with the same program on both sides, then runs the shared load generator
# (/work/shared/bench/loadgen, official nats.go; LOADGEN_BIN overrides its path):
#   gw_16B, gw_1K   one publisher on A, one subscriber on B (flow control: the publisher stays
#                   at most --window bytes ahead of the subscriber, so rates are sustainable)
#   rr_gw_16B       a requester on A, a responder on B: request/reply latency across the gateway
# Prints the median of each side and Modular/nats-server (throughput: higher is better; latency:
# lower is better). Build first: dotnet build -c Release Modular.sln (MODULAR_DLL overrides).
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3; DUR=3; WINDOW=8388608
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2;;
    --dur) DUR="$2"; shift 2;;
    --window) WINDOW="$2"; shift 2;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
dll="${MODULAR_DLL:-$repo/artifacts/bin/Modular.Server/release/modular.dll}"
[ -f "$dll" ] || { echo "gateway.sh: $dll not found; dotnet build -c Release first" >&2; exit 2; }
nats210="$("$repo/scripts/get-nats-server-2.10.sh")" || exit 2
LOADGEN="${LOADGEN_BIN:-/tmp/nats-anchors/loadgen}"
if [ ! -x "$LOADGEN" ]; then
  /work/shared/bench/loadgen/build.sh "$LOADGEN" >/dev/null || { echo "gateway.sh: cannot build the load generator" >&2; exit 2; }
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/gateway-bench.XXXXXX")"
PIDS=()

stop_nodes() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  PIDS=()
}
trap stop_nodes EXIT

wait_port() { # port: until the client port answers with INFO (at most 20 s)
  for _ in $(seq 200); do
    if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
      if timeout 1 head -c 4 <&3 2>/dev/null | grep -q INFO; then exec 3>&-; return 0; fi
      exec 3>&-
    fi
    sleep 0.1
  done
  echo "gateway.sh: nothing answers on $1" >&2; return 1
}

# start_node PROGRAM NAME CLIENT_PORT GATEWAY_PORT OTHER_NAME OTHER_GATEWAY_PORT
start_node() {
  local program=$1 name=$2 port=$3 gport=$4 other=$5 oport=$6 dir="$work/$1-$2"
  mkdir -p "$dir"
  if [ "$program" = modular ]; then
    cat >"$dir/node.toml" <<TOML
[server]
name = "$name"
listen = "127.0.0.1:$port"

[log]
level = "warning"

[gateway]
name = "$name"
listen = "127.0.0.1:$gport"
gateways = [{ name = "$other", urls = ["nats://127.0.0.1:$oport"] }]
TOML
    dotnet "$dll" run -c "$dir/node.toml" >"$dir/log" 2>&1 &
  else
    cat >"$dir/node.conf" <<CONF
server_name: "$name"
listen: "127.0.0.1:$port"
gateway {
  name: "$name"
  listen: "127.0.0.1:$gport"
  gateways: [ { name: "$other", urls: ["nats://127.0.0.1:$oport"] } ]
}
CONF
    "$nats210" -c "$dir/node.conf" >"$dir/log" 2>&1 &
  fi
  PIDS+=($!)
}

run_round() { # program round
  local program=$1 round=$2 raw="$work/$1.txt"
  start_node "$program" A 24401 27401 B 27402
  start_node "$program" B 24402 27402 A 27401
  wait_port 24401 && wait_port 24402 || { stop_nodes; return; }
  sleep 1 # nats-server solicits gateways after a second
  for c in "gw_16B -ms 16" "gw_1K -ms 1024"; do
    set -- $c
    local name=$1; shift
    "$LOADGEN" -q -t "${DUR}s" -window "$WINDOW" -np 1 -ns 1 -n 100000000 "$@" -pub-url nats://127.0.0.1:24401 -sub-url nats://127.0.0.1:24402 2>>"$work/loadgen.err" |
      awk -v n="$name" '/side=sub/ { for (i=2;i<=NF;i++) { split($i,kv,"="); if (kv[1]=="msgs_per_sec") print n, "sub_msgs_per_sec", kv[2]; if (kv[1]=="lost") print n, "lost", kv[2] } }' >>"$raw"
  done
  "$LOADGEN" -q -t "${DUR}s" -mode reqrep -n 100000000 -ms 16 -pub-url nats://127.0.0.1:24401 -sub-url nats://127.0.0.1:24402 2>>"$work/loadgen.err" |
    awk '/side=lat/ { for (i=2;i<=NF;i++) { split($i,kv,"="); if (kv[1] ~ /^(p50_us|p99_us|req_per_sec)$/) print "rr_gw_16B", "lat_" kv[1], kv[2] } }' >>"$raw"
  stop_nodes
  echo "# round $round $program done" >&2
}

echo "# gateway.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) rounds=$ROUNDS dur=${DUR}s load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  run_round modular "$r"
  run_round nats "$r"
done

med() { awk -v c="$2" -v m="$3" '$1==c && $2==m {print $3}' "$1" 2>/dev/null | sort -g |
  awk '{a[++n]=$1} END {if (n) print (n%2) ? a[(n+1)/2] : (a[n/2]+a[n/2+1])/2}'; }
printf '%-12s %-20s %14s %14s %8s\n' case metric modular nats-2.10 ratio
for row in "gw_16B sub_msgs_per_sec" "gw_16B lost" "gw_1K sub_msgs_per_sec" "gw_1K lost" "rr_gw_16B lat_p50_us" "rr_gw_16B lat_p99_us" "rr_gw_16B lat_req_per_sec"; do
  set -- $row
  a=$(med "$work/modular.txt" "$1" "$2"); b=$(med "$work/nats.txt" "$1" "$2")
  ratio=$(awk -v a="${a:-0}" -v b="${b:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
  printf '%-12s %-20s %14s %14s %8s\n' "$1" "$2" "${a:--}" "${b:--}" "$ratio"
done
echo "raw figures and logs: $work"
