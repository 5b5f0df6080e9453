#!/usr/bin/env bash
# s2-route.sh - S2 route compression, Modular vs nats-server 2.10 in the same run: route throughput
# and wire bytes per message with compression off and s2_fast, on JSON-like and random payloads.
#
# Usage: bench/s2-route.sh [--rounds N] [--cases "json:1024 random:1024 json:16"] [--dur SECS]
#                          [--warmup SECS] [--warmup-first SECS]
#                          [--s2-mode s2_fast] [--window BYTES] [--base-port P] [--keep]
#   --rounds     rounds (default 3); each round runs every case on both servers in both modes
#   --cases      PAYLOAD:SIZE list; PAYLOAD is json | random | letters (bench/loadgen/main.go)
#   --dur        publishing time cap per measurement, seconds (default 3)
#   --warmup     unmeasured run before each measurement, seconds (default 1)
#   --warmup-first  unmeasured run of the first case right after a cluster starts, seconds (default 4):
#                Modular's JIT needs a few seconds of load to reach steady state (tiered compilation)
#   --s2-mode    the compressed mode compared with "off" (default s2_fast)
#   --window     flow-control window of the load generator in bytes (default 8 MiB: lossless rates)
#   --base-port  use ports P..P+99 (4 per cluster, rotating) instead of asking the OS for free ports
#   --keep       keep the scratch folder (node logs, raw figures) even on success
#
# Environment:
#   MODULAR_DLL       the host (default <repo>/artifacts/bin/Modular.Server/release/modular.dll;
#                     build: dotnet build -c Release Modular.sln)
#   NATS_SERVER_210   a nats-server 2.10 binary (default: scripts/get-nats-server-2.10.sh)
#
# A round: for each mode (off, s2; the order alternates by round) and each server (Modular, then
# nats-server 2.10; the order alternates by round) a fresh 2-node cluster on 127.0.0.1 is started
# (bench/modular-node-s2.sh / bench/nats-server-node-s2.sh, the mode set on both nodes), the first
# case runs 4 s unmeasured (JIT warm-up), then each case once after a 1 s warm-up of the same case:
# bench/loadgen publishes on node A with flow control, one subscriber on node B receives everything
# across the route.
# Wire bytes are measured outside the servers: before and after each case, `ss -tni` gives
# bytes_acked and bytes_received of every established TCP socket whose local port is one of the two
# route ports (the accepting end of each route connection, so each connection counts once and the
# pooled connections are summed). Their sum is the TCP payload that crossed the routes in both
# directions (RMSG, interest, PING/PONG; no TCP/IP headers). Wire B/msg = that / messages delivered.
# CPU us/msg = user+system time of both server processes during the case / messages delivered
# (also split: A = the publisher's node, which compresses; B = the subscriber's, which decompresses).
# B/seg = wire bytes / TCP data segments on the routes (data_segs_out + data_segs_in). A loopback
# segment holds at most ~64 KiB, so this is a lower bound of the route writes' size: a small value
# means small writes (small flushes, hence small S2 streams).
#
# Prints per case, server and mode the medians over rounds of msgs/s (subscriber side) [min..max],
# wire B/msg, CPU us/msg and B/seg, then the ratios of those medians: Modular/nats-server throughput
# per mode, s2/off throughput per server, and the compression ratio (s2 wire B/msg / off wire B/msg)
# per server.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3 CASES="json:1024 random:1024 json:16" DUR=3 WARMUP=1 WARMUP_FIRST=4 S2MODE=s2_fast WINDOW=8388608 BASE_PORT=0 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2;;
    --cases) CASES="$2"; shift 2;;
    --dur) DUR="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --warmup-first) WARMUP_FIRST="$2"; shift 2;;
    --s2-mode) S2MODE="$2"; shift 2;;
    --window) WINDOW="$2"; shift 2;;
    --base-port) BASE_PORT="$2"; shift 2;;
    --keep) KEEP=1; shift;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0;;
    *) echo "s2-route.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done

log() { printf 's2-route: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

command -v ss >/dev/null || die "ss (iproute2) is missing"
dll="${MODULAR_DLL:-$repo/artifacts/bin/Modular.Server/release/modular.dll}"
[ -f "$dll" ] || die "$dll not found; run 'dotnet build -c Release Modular.sln' in $repo (or set MODULAR_DLL)"
nats="${NATS_SERVER_210:-}"
[ -n "$nats" ] || nats="$("$repo/scripts/get-nats-server-2.10.sh")" || die "no nats-server 2.10 (scripts/get-nats-server-2.10.sh failed)"
"$nats" --version | grep -q 'v2\.10\.' || die "$nats is not nats-server 2.10"
loadgen="$("$repo/bench/loadgen/build.sh")" || die "building the load generator failed"
export MODULAR_DLL="$dll" NATS_SERVER_BIN="$nats"

work="$(mktemp -d "${TMPDIR:-/tmp}/modular-s2-route.XXXXXX")"
raw="$work/raw.txt"
: > "$raw"
PIDS=()

alive() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s="${s##*) }"; [ "${s%% *}" != Z ]; }
stop_nodes() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for _ in $(seq 50); do alive "$p" || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  PIDS=()
}
finish() {
  stop_nodes
  if [ "$KEEP" = 1 ] || [ -n "${FAILED:-}" ]; then log "scratch folder kept: $work"; else rm -rf "$work"; fi
}
trap 'finish' EXIT
trap 'exit 130' INT TERM

CLUSTER=0
ports() { # 4 ports: client A, client B, route A, route B
  if [ "$BASE_PORT" != 0 ]; then
    local b=$((BASE_PORT + (CLUSTER % 25) * 4))
    echo "$b $((b + 1)) $((b + 2)) $((b + 3))"
  else
    python3 -c '
import socket
s = [socket.socket() for _ in range(4)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))'
  fi
}

wait_info() { # port pid: until the port answers with INFO
  local port=$1 pid=$2 line
  for _ in $(seq 150); do
    alive "$pid" || return 1
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      line=""
      IFS= read -r -t 2 line <&3
      exec 3>&- 3<&-
      case "$line" in INFO*) return 0;; esac
    fi
    sleep 0.1
  done
  return 1
}

route_sockets() { # "local peer bytes_acked bytes_received data_segs_out data_segs_in" per established socket on a route port
  ss -tniH state established "( sport = :$RA or sport = :$RB )" | awk '
    /^[ \t]/ { a = r = so = si = 0
               for (i = 1; i <= NF; i++) { split($i, kv, ":")
                                           if (kv[1] == "bytes_acked") a = kv[2]; else if (kv[1] == "bytes_received") r = kv[2]
                                           else if (kv[1] == "data_segs_out") so = kv[2]; else if (kv[1] == "data_segs_in") si = kv[2] }
               if (key != "") print key, a, r, so, si; key = ""; next }
    { key = $(NF - 1) " " $NF }'
}

wait_routes() { # until the set of route connections is non-empty and unchanged for 1.5 s (max 20 s)
  local prev="" cur same=0
  for _ in $(seq 80); do
    cur=$(route_sockets | awk '{print $1, $2}' | sort | tr '\n' ' ')
    if [ -n "$cur" ] && [ "$cur" = "$prev" ]; then
      same=$((same + 1)); [ $same -ge 6 ] && return 0
    else
      same=0
    fi
    prev=$cur
    sleep 0.25
  done
  return 1
}

start_cluster() { # server mode
  local server=$1 mode=$2 tmpl i dir
  stop_nodes
  CLUSTER=$((CLUSTER + 1))
  read -r PA PB RA RB <<<"$(ports)"
  case "$server" in
    modular) tmpl="$repo/bench/modular-node-s2.sh";;
    nats) tmpl="$repo/bench/nats-server-node-s2.sh";;
  esac
  CDIR="$work/c$CLUSTER-$server-$mode"
  mkdir -p "$CDIR"
  "$tmpl" "$PA" "$RA" "nats-route://127.0.0.1:$RB" n1 "$CDIR/n1" "$mode" >"$CDIR/n1.log" 2>&1 &
  PIDS[0]=$!
  "$tmpl" "$PB" "$RB" "nats-route://127.0.0.1:$RA" n2 "$CDIR/n2" "$mode" >"$CDIR/n2.log" 2>&1 &
  PIDS[1]=$!
  for i in 0 1; do
    local p=$PA; [ $i = 1 ] && p=$PB
    wait_info "$p" "${PIDS[$i]}" || { FAILED=1; tail -20 "$CDIR/n$((i + 1)).log" >&2; die "$server node n$((i + 1)) ($mode) did not come up"; }
  done
  wait_routes || { FAILED=1; die "$server ($mode): the route connections did not settle; logs in $CDIR"; }
}

cpu_ticks() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; s="${s##*) }"; set -- $s; echo $(( ${12} + ${13} )); }
cpu_both() { echo "$(cpu_ticks "${PIDS[0]}") $(cpu_ticks "${PIDS[1]}")"; }
hz=$(getconf CLK_TCK)

run_loadgen() { # payload size dur -> loadgen output
  "$loadgen" -q -pub-url "nats://127.0.0.1:$PA" -sub-url "nats://127.0.0.1:$PB" -payload "$1" -ms "$2" \
    -t "${3}s" -window "$WINDOW" -subj "bench.route"
}

measure() { # round server mode payload size
  local round=$1 server=$2 mode=$3 payload=$4 size=$5 before after out a0 b0 a1 b1 sub
  before=$(route_sockets)
  read -r a0 b0 <<<"$(cpu_both)"
  out=$(run_loadgen "$payload" "$size" "$DUR" 2>&1)
  read -r a1 b1 <<<"$(cpu_both)"
  after=$(route_sockets)
  echo "$out" >> "$CDIR/loadgen.log"
  sub=$(grep '^RESULT side=sub' <<<"$out")
  if [ -z "$sub" ]; then
    FAILED=1
    log "round $round $server $mode $payload:$size: no result: $(tail -3 <<<"$out" | tr '\n' ' ')"
    return
  fi
  # wire bytes: per socket after - before (a socket missing before counts from 0; one gone is reported)
  local wire
  wire=$(awk -v B="$before" 'BEGIN { n = split(B, L, "\n")
                                      for (i = 1; i <= n; i++) { split(L[i], f, " "); if (f[1] != "") { b[f[1] " " f[2]] = f[3] + f[4]; g[f[1] " " f[2]] = f[5] + f[6] } } }
    { k = $1 " " $2; t += $3 + $4 - (k in b ? b[k] : 0); sg += $5 + $6 - (k in g ? g[k] : 0); seen[k] = 1; c++ }
    END { gone = 0; for (k in b) if (!(k in seen)) gone++; printf "%d %d %d %d\n", t, c, gone, sg }' <<<"$after")
  read -r bytes conns gone segs <<<"$wire"
  [ "$gone" = 0 ] || log "warning: $gone route connection(s) closed during the case: wire bytes are undercounted"
  awk -v r="$round" -v s="$server" -v m="$mode" -v c="$payload-$size" -v bytes="$bytes" -v conns="$conns" -v segs="$segs" \
      -v ta=$((a1 - a0)) -v tb=$((b1 - b0)) -v hz="$hz" -v line="$sub" '
    BEGIN { n = split(line, f, " "); for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
            msgs = v["msgs"]; if (msgs <= 0) msgs = 1
            printf "%s %s %s %s %s %.1f %.2f %s %s %.0f %.2f %.2f\n", c, s, m, r, v["msgs_per_sec"], bytes / msgs, (ta + tb) * 1e6 / hz / msgs,
                   v["lost"], conns, (segs > 0) ? bytes / segs : 0, ta * 1e6 / hz / msgs, tb * 1e6 / hz / msgs }' >> "$raw"
  log "round $round $server $mode $payload:$size: $(tail -1 "$raw" | awk '{printf "%s msgs/s, %s wire B/msg, %s (A %s + B %s) cpu us/msg, lost %s, %s route conns, %s B/segment", $5, $6, $7, $11, $12, $8, $9, $10}')"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(load)
log "Modular: $dll ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?'))"
log "nats-server: $nats ($("$nats" --version))"
log "load generator: $loadgen; cases: $CASES; $ROUNDS rounds of ${DUR}s; window $WINDOW; load average $LOAD_START"
t0=$(date +%s)
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then servers="modular nats" modes="off $S2MODE"; else servers="nats modular" modes="$S2MODE off"; fi
  for mode in $modes; do
    for server in $servers; do
      start_cluster "$server" "$mode"
      first=${CASES%% *}
      run_loadgen "${first%%:*}" "${first##*:}" "$WARMUP_FIRST" >/dev/null 2>&1 # JIT warm-up; not measured
      for c in $CASES; do
        run_loadgen "${c%%:*}" "${c##*:}" "$WARMUP" >/dev/null 2>&1 # warm-up (JIT, buffers); not measured
        measure "$round" "$server" "$mode" "${c%%:*}" "${c##*:}"
      done
      stop_nodes
    done
  done
done
LOAD_END=$(load)

median() { sort -g | awk '{a[++n] = $1} END { if (n) print (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" -v s="$2" -v m="$3" -v k="$4" '$1 == c && $2 == s && $3 == m { print $k }' "$raw"; }
med() { col "$@" | median; }

echo
echo "S2 route compression: Modular ($(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')) vs $("$nats" --version), 2 nodes on 127.0.0.1"
echo "$ROUNDS interleaved rounds, ${DUR}s per measurement, flow-control window $WINDOW B; $(nproc) CPUs;" \
  "load average (1/5/15 min) at start $LOAD_START, at end $LOAD_END; $(( $(date +%s) - t0 )) s"
echo
printf '%-12s %-8s %-8s %10s %-21s %10s  %-18s %7s %5s %5s\n' case server mode msgs/s '[min..max]' 'wire B/msg' 'cpu us/msg (A+B)' 'B/seg' lost conns
for c in $CASES; do
  cs="${c%%:*}-${c##*:}"
  for server in modular nats; do
    for mode in off "$S2MODE"; do
      n=$(col "$cs" $server "$mode" 5 | wc -l)
      [ "$n" -gt 0 ] || continue
      range=$(col "$cs" $server "$mode" 5 | sort -g | awk 'NR == 1 {a = $1} {b = $1} END {printf "[%s..%s]", a, b}')
      lost=$(col "$cs" $server "$mode" 8 | awk '{t += $1} END {print t + 0}')
      conns=$(col "$cs" $server "$mode" 9 | sort -u | tr '\n' '/' | sed 's,/$,,')
      cpu=$(printf '%.1f (%.1f+%.1f)' "$(med "$cs" $server "$mode" 7)" "$(med "$cs" $server "$mode" 11)" "$(med "$cs" $server "$mode" 12)")
      printf '%-12s %-8s %-8s %10.0f %-21s %10.1f  %-18s %7.0f %5s %5s\n' "$cs" $server "$mode" \
        "$(med "$cs" $server "$mode" 5)" "$range" "$(med "$cs" $server "$mode" 6)" "$cpu" \
        "$(med "$cs" $server "$mode" 10)" "$lost" "$conns"
    done
  done
done
echo
echo "Ratios of the medians. M = Modular, N = nats-server 2.10; thr = msgs/s; compression = $S2MODE wire B/msg / off wire B/msg (lower = smaller)"
printf '%-12s %10s %10s %11s %11s %10s %10s %10s\n' case 'M/N off' "M/N s2" 'M s2/off' 'N s2/off' 'M compr' 'N compr' 'M/N compr'
for c in $CASES; do
  cs="${c%%:*}-${c##*:}"
  mo=$(med "$cs" modular off 5); ms=$(med "$cs" modular "$S2MODE" 5)
  no=$(med "$cs" nats off 5); ns=$(med "$cs" nats "$S2MODE" 5)
  mbo=$(med "$cs" modular off 6); mbs=$(med "$cs" modular "$S2MODE" 6)
  nbo=$(med "$cs" nats off 6); nbs=$(med "$cs" nats "$S2MODE" 6)
  awk -v c="$cs" -v mo="${mo:-0}" -v ms="${ms:-0}" -v no="${no:-0}" -v ns="${ns:-0}" \
      -v mbo="${mbo:-0}" -v mbs="${mbs:-0}" -v nbo="${nbo:-0}" -v nbs="${nbs:-0}" '
    function r(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", a / b) : "-" }
    function r3(a, b) { return (a > 0 && b > 0) ? sprintf("%.3f", a / b) : "-" }
    BEGIN { mc = (mbo > 0) ? mbs / mbo : 0; nc = (nbo > 0) ? nbs / nbo : 0
            printf "%-12s %10s %10s %11s %11s %10s %10s %10s\n", c, r(mo, no), r(ms, ns), r(ms, mo), r(ns, no), r3(mbs, mbo), r3(nbs, nbo), r(mc, nc) }'
done
echo
echo "raw lines (case server mode round msgs/s wireB/msg cpu_us/msg lost conns B/seg cpuA_us/msg cpuB_us/msg):"
sort -k1,1 -k2,2 -k3,3 -k4,4n "$raw" | sed 's/^/  /'
[ -z "${FAILED:-}" ] || exit 1
