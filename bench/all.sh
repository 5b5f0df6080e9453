#!/usr/bin/env bash
# all.sh - the whole comparison Modular / nats-server in one run, printed as one table: message
# rates and request/reply latency (1, 2 and 3 nodes, 16 B and 1 KiB), a TLS route, an S2 route,
# start-up time, and memory (RSS) idle and holding 50,000 remote subscriptions.
#
# Usage: bench/all.sh [--rounds N] [--dur S] [--warmup S] [--launches N] [--quick] [--keep]
#   --rounds    interleaved rounds (default 3); every figure is the median over the rounds
#   --dur       publishing / requesting time of each measured case, seconds (default 3)
#   --warmup    unmeasured load on every freshly started cluster before its cases, seconds (default 2;
#               Modular's JIT needs a little load to reach steady state, nats-server gets the same)
#   --launches  start-up launches per server per round (default 5)
#   --quick     --rounds 3 --dur 1 --warmup 2 --launches 3 (about 3.5 minutes instead of about 7; the
#               warm-up stays: without it a fresh Modular cluster is measured while still JIT-compiling)
#   --keep      keep the scratch folder (node logs, raw figures) even on success
#   --groups    only these groups, e.g. --groups "startup rss" (of: one route mesh tls s2 startup rss)
#
# Environment: MODULAR_DLL (default <repo>/artifacts/bin/Modular.Server/release/modular.dll; build
# with `dotnet build -c Release Modular.sln`), MODULAR_PACKAGE (the packaged `modular` executable;
# default: the linux-x64 one scripts/package.sh stages, if any), NATS_SERVER (default /usr/sbin/nats-server, Debian's
# 2.9.10), NATS_SERVER_210 (default: scripts/get-nats-server-2.10.sh).
#
# The servers: Modular against nats-server 2.9.10 for the plain cases, the TLS route, start-up and
# memory; against nats-server 2.10 for the S2 route (2.9 has no route compression). Each node is
# started by the bench/*-node*.sh scripts on 127.0.0.1, with ports from the OS. The load comes from
# bench/loadgen (the official Go client), the same binary for both servers.
#
# Interleaving: each round runs every group (one node; two nodes; three nodes; TLS; S2; start-up;
# memory) on one server, then the same group on the other, the order of the two alternating from
# round to round, so slow and fast moments of this noisy machine fall on both. A figure is the median
# over the rounds and the ratio is Modular / nats-server of those medians.
#
# Cases (publishers use flow control: they wait while the slowest subscriber is 8 MiB behind, so the
# rates are sustainable and lossless; any loss is shown):
#   b   1 node, 1 publisher → 1 subscriber, msgs/s received
#   e0  1 node, request/reply, 16 B, median round trip (µs)
#   c   2 nodes, publisher on A, subscriber on B: msgs/s across one route
#   e   2 nodes, requester on A, responder on B: median round trip (µs)
#   d   3-node mesh, publisher on A, one subscriber on B and one on C: msgs/s received in total
#   TLS c over routes with TLS (mutual verification), 16 B and 1 KiB, vs nats-server 2.9.10
#   S2  c over routes with s2_fast compression, 1 KiB JSON-like payloads, vs nats-server 2.10
#   start-up: launch → INFO on the client port, one node with the monitoring port on (median of all
#       launches): `dotnet modular.dll` from the build output, and, when scripts/package.sh has made
#       one (artifacts/packages/staging/modular-*-linux-x64/modular, or MODULAR_PACKAGE), the
#       ReadyToRun self-contained package's `modular` launched alternately with it
#   RSS idle: node A of a 2-node cluster with 4 connected clients, once RSS is steady
#   RSS 50k subs: 50,000 subscriptions made by one client on node B; once node A answers a request
#       that crossed the route behind them (so all 50,000 RS+ reached A) and RSS is steady, the RSS
#       of A (remote interest) and of B (local subscriptions)
#
# Every wait is bounded (node start 20 s, each load run dur + 40 s, interest 60 s, RSS settling
# 10 s); every process this script starts is stopped on exit, Ctrl-C included.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3 DUR=3 WARMUP=2 LAUNCHES=5 KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2;;
    --dur) DUR="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --launches) LAUNCHES="$2"; shift 2;;
    --quick) ROUNDS=3 DUR=1 WARMUP=2 LAUNCHES=3; shift;;
    --keep) KEEP=1; shift;;
    --groups) GROUPS_ONLY="$2"; shift 2;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0;;
    *) echo "all.sh: unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
for v in "$ROUNDS" "$DUR" "$WARMUP" "$LAUNCHES"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "all.sh: counts and durations are whole numbers" >&2; exit 2; }
done
[ "$ROUNDS" -ge 1 ] && [ "$DUR" -ge 1 ] && [ "$LAUNCHES" -ge 1 ] || { echo "all.sh: --rounds, --dur, --launches must be >= 1" >&2; exit 2; }

log() { printf 'all.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

dll="${MODULAR_DLL:-$repo/artifacts/bin/Modular.Server/release/modular.dll}"
[ -f "$dll" ] || die "$dll not found; run 'dotnet build -c Release Modular.sln' in $repo (or set MODULAR_DLL)"
package="${MODULAR_PACKAGE:-$(ls -d "$repo"/artifacts/packages/staging/modular-*-linux-x64/modular 2>/dev/null | head -n1)}"
[ -z "$package" ] || [ -x "$package" ] || die "MODULAR_PACKAGE=$package is not an executable"
nats29="${NATS_SERVER:-/usr/sbin/nats-server}"
[ -x "$nats29" ] || die "$nats29 not found (apt-get install nats-server, or set NATS_SERVER)"
nats210="${NATS_SERVER_210:-}"
[ -n "$nats210" ] || nats210="$("$repo/scripts/get-nats-server-2.10.sh")" || die "no nats-server 2.10 (scripts/get-nats-server-2.10.sh failed)"
"$nats210" --version | grep -q 'v2\.10\.' || die "$nats210 is not nats-server 2.10"
loadgen="$("$repo/bench/loadgen/build.sh")" || die "building the load generator failed"
export MODULAR_DLL="$dll" NATS_SERVER="$nats29" NATS_SERVER_BIN="$nats210"

work="$(mktemp -d "${TMPDIR:-/tmp}/modular-all.XXXXXX")"
raw="$work/raw.txt"   # lines: server case value
: > "$raw"
PIDS=()   # the nodes of the current cluster
HOLD=""   # the current hold load generator

alive() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s="${s##*) }"; [ "${s%% *}" != Z ]; }
stop_pid() { # pid: SIGTERM, SIGKILL after 5 s
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null
  for _ in $(seq 50); do alive "$1" || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
stop_nodes() {
  local p
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]:-}"; do stop_pid "$p"; done
  PIDS=()
}
finish() {
  stop_pid "$HOLD"
  stop_nodes
  if [ "$KEEP" = 1 ] || [ -n "${FAILED:-}" ]; then log "scratch folder kept: $work"; else rm -rf "$work"; fi
}
trap 'finish' EXIT
trap 'exit 130' INT TERM

wait_info() { # port pid: until the port answers with INFO (20 s at most)
  local port=$1 pid=$2 line
  for _ in $(seq 200); do
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

CLUSTER=0
PORT=() CPORT=()
start_cluster() { # server(modular|nats) variant(plain|tls|s2) nodes
  local server=$1 variant=$2 n=$3 script i j routes ports
  stop_nodes
  CLUSTER=$((CLUSTER + 1))
  case "$server:$variant" in
    modular:plain) script=modular-node.sh;;
    nats:plain) script=nats-server-node.sh;;
    modular:tls) script=modular-node-tls.sh;;
    nats:tls) script=nats-server-node-tls.sh;;
    modular:s2) script=modular-node-s2.sh;;
    nats:s2) script=nats-server-node-s2.sh;;
  esac
  read -r -a ports <<<"$("$loadgen" -mode ports -n $((2 * n)))"
  [ "${#ports[@]}" = $((2 * n)) ] || die "no free ports"
  for ((i = 0; i < n; i++)); do PORT[$i]=${ports[$i]}; CPORT[$i]=${ports[$((n + i))]}; done
  CDIR="$work/c$CLUSTER-$server-$variant-$n"
  mkdir -p "$CDIR"
  for ((i = 0; i < n; i++)); do
    routes=""
    for ((j = 0; j < n; j++)); do
      [ $j = $i ] || routes="${routes:+$routes,}nats-route://127.0.0.1:${CPORT[$j]}"
    done
    "$repo/bench/$script" "${PORT[$i]}" "${CPORT[$i]}" "$routes" "n$((i + 1))" "$CDIR/n$((i + 1))" >"$CDIR/n$((i + 1)).log" 2>&1 &
    PIDS[$i]=$!
  done
  for ((i = 0; i < n; i++)); do
    wait_info "${PORT[$i]}" "${PIDS[$i]}" || { FAILED=1; tail -20 "$CDIR/n$((i + 1)).log" >&2; die "$server $variant node n$((i + 1)) did not come up"; }
  done
}
url() { echo "nats://127.0.0.1:${PORT[$1]}"; }

lg() { # loadgen args... (bounded by dur + 40 s)
  timeout -k 5 $((DUR + WARMUP + 40)) "$loadgen" -q -window 8388608 -payload letters "$@"
}

warm() { # loadgen args...: unmeasured
  [ "$WARMUP" -gt 0 ] || return 0
  lg -t "${WARMUP}s" "$@" >>"$CDIR/warmup.log" 2>&1
}

measure() { # server case loadgen-args...: records msgs/s (pubsub) or p50 µs (reqrep), and any loss
  local server=$1 name=$2 out v lost
  shift 2
  out=$(lg -t "${DUR}s" "$@" 2>>"$CDIR/loadgen.err")
  echo "$name: $out" >>"$CDIR/loadgen.log"
  v=$(sed -n 's/^RESULT side=sub .* msgs_per_sec=\([0-9.]*\) .*/\1/p; s/^RESULT side=lat .* p50_us=\([0-9.]*\) .*/\1/p' <<<"$out")
  if [ -z "$v" ]; then
    FAILED=1
    log "$server $name: no result ($(tail -2 "$CDIR/loadgen.err" | tr '\n' ' '))"
    return
  fi
  echo "$server $name $v" >>"$raw"
  lost=$(sed -n 's/^RESULT side=sub .* lost=\([0-9]*\) .*/\1/p' <<<"$out")
  [ -n "$lost" ] && [ "$lost" != 0 ] && echo "$server $name:lost $lost" >>"$raw"
}

group_one() { # server
  local s=$1
  start_cluster "$s" plain 1
  warm -ms 16 -pub-url "$(url 0)"
  measure "$s" b_16 -ms 16 -pub-url "$(url 0)"
  measure "$s" b_1k -ms 1024 -pub-url "$(url 0)"
  measure "$s" e0_16 -mode reqrep -ms 16 -pub-url "$(url 0)"
}
group_route() {
  local s=$1
  start_cluster "$s" plain 2
  warm -ms 16 -pub-url "$(url 0)" -sub-url "$(url 1)"
  measure "$s" c_16 -ms 16 -pub-url "$(url 0)" -sub-url "$(url 1)"
  measure "$s" c_1k -ms 1024 -pub-url "$(url 0)" -sub-url "$(url 1)"
  measure "$s" e_16 -mode reqrep -ms 16 -pub-url "$(url 0)" -sub-url "$(url 1)"
}
group_mesh() {
  local s=$1
  start_cluster "$s" plain 3
  warm -ms 16 -ns 2 -pub-url "$(url 0)" -sub-url "$(url 1),$(url 2)"
  measure "$s" d_16 -ms 16 -ns 2 -pub-url "$(url 0)" -sub-url "$(url 1),$(url 2)"
  measure "$s" d_1k -ms 1024 -ns 2 -pub-url "$(url 0)" -sub-url "$(url 1),$(url 2)"
}
group_tls() {
  local s=$1
  start_cluster "$s" tls 2
  warm -ms 1024 -pub-url "$(url 0)" -sub-url "$(url 1)"
  measure "$s" tls_16 -ms 16 -pub-url "$(url 0)" -sub-url "$(url 1)"
  measure "$s" tls_1k -ms 1024 -pub-url "$(url 0)" -sub-url "$(url 1)"
}
group_s2() {
  local s=$1
  start_cluster "$s" s2 2
  warm -ms 1024 -payload json -pub-url "$(url 0)" -sub-url "$(url 1)"
  measure "$s" s2_1k -ms 1024 -payload json -pub-url "$(url 0)" -sub-url "$(url 1)"
}

launch_once() { # server case cmd port dir: one launch → INFO, recorded as "server case ms"
  local out v
  out=$(timeout -k 5 60 "$loadgen" -q -mode startup -cmd "$3" -port "$4" -t 30s 2>"$5/log")
  v=$(sed -n 's/^RESULT side=startup ms=\([0-9.]*\).*/\1/p' <<<"$out")
  if [ -n "$v" ]; then echo "$1 $2 $v" >>"$raw"; else FAILED=1; log "$1 $2 launch failed: $(tail -2 "$5/log" | tr '\n' ' ')"; fi
}
group_startup() { # server: LAUNCHES launches of one node with monitoring on (Modular: build output and package alternately)
  local s=$1 k p m dir
  stop_nodes
  for ((k = 1; k <= LAUNCHES; k++)); do
    read -r p m <<<"$("$loadgen" -mode ports -n 2)"
    dir="$work/startup-$s-$k"; mkdir -p "$dir"
    if [ "$s" = modular ]; then
      printf '[server]\nname = "s1"\nlisten = "127.0.0.1:%s"\n\n[monitor]\nlisten = "127.0.0.1:%s"\n\n[log]\nlevel = "warning"\n' "$p" "$m" >"$dir/modular.toml"
      launch_once modular startup_ms "dotnet '$dll' run -c '$dir/modular.toml'" "$p" "$dir"
      if [ -n "$package" ]; then
        launch_once modular startup_pkg_ms "'$package' run -c '$dir/modular.toml'" "$p" "$dir"
      fi
    else
      launch_once nats startup_ms "'$nats29' -a 127.0.0.1 -p $p -m $m -n s1" "$p" "$dir"
      # nats-server has one build: its figure is the reference for both Modular rows.
      echo "nats startup_pkg_ms $(awk '$1 == "nats" && $2 == "startup_ms" { v = $3 } END { print v }' "$raw")" >>"$raw"
    fi
  done
}

rss_mib() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null; }
settled_rss() { # pid: RSS in MiB once two reads 0.5 s apart differ by under 1 % (10 s at most)
  local prev cur
  prev=$(rss_mib "$1")
  for _ in $(seq 20); do
    sleep 0.5
    cur=$(rss_mib "$1")
    awk -v a="$prev" -v b="$cur" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d < b / 100) }' && break
    prev=$cur
  done
  echo "$cur"
}
hold() { # args...: starts a hold load generator in the background, waits for READY (60 s at most)
  local out="$CDIR/hold.$RANDOM.out"
  : >"$out"
  # it holds until it is stopped (or 240 s have passed)
  timeout -k 5 300 "$loadgen" -q -mode hold -t 240s "$@" >"$out" 2>>"$CDIR/hold.err" </dev/null &
  HOLD=$!
  for _ in $(seq 600); do
    grep -q '^READY' "$out" && return 0
    alive "$HOLD" || break
    sleep 0.1
  done
  return 1
}
group_rss() {
  local s=$1
  start_cluster "$s" plain 2
  if hold -conns 4 -subs 0 -pub-url "$(url 0)" -sub-url "$(url 0)"; then
    echo "$s rss_idle $(settled_rss "${PIDS[0]}")" >>"$raw"
  else
    FAILED=1; log "$s: idle clients did not connect"
  fi
  stop_pid "$HOLD"; HOLD=""
  if hold -conns 1 -subs 50000 -pub-url "$(url 0)" -sub-url "$(url 1)"; then
    echo "$s rss_50k_remote $(settled_rss "${PIDS[0]}")" >>"$raw"
    echo "$s rss_50k_local $(settled_rss "${PIDS[1]}")" >>"$raw"
  else
    FAILED=1; log "$s: the 50,000 subscriptions did not reach node A ($(tail -2 "$CDIR/hold.err" | tr '\n' ' '))"
  fi
  stop_pid "$HOLD"; HOLD=""
  stop_nodes
}

machine() {
  printf 'date %s; %s cores; %s MiB memory; kernel %s; dotnet %s; load average at start %s\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" "$(awk '/^MemTotal:/ {printf "%d", $2 / 1024}' /proc/meminfo)" \
    "$(uname -r)" "$(dotnet --version 2>/dev/null || echo '?')" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'servers: Modular %s (%s); nats-server %s (%s); nats-server %s (%s)\n' \
    "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')" "$dll" \
    "$("$nats29" --version | awk '{print $NF}')" "$nats29" "$("$nats210" --version | awk '{print $NF}')" "$nats210"
  printf 'package: %s\n' "${package:-none (scripts/package.sh linux-x64 makes one)}"
  printf 'rounds %s, %s s per case, %s s warm-up per cluster, %s start-up launches per server per round\n' "$ROUNDS" "$DUR" "$WARMUP" "$LAUNCHES"
}

machine
t_start=$(date +%s)
GROUPS_ALL="${GROUPS_ONLY:-one route mesh tls s2 startup rss}"
for ((r = 1; r <= ROUNDS; r++)); do
  if [ $((r % 2)) = 1 ]; then order="modular nats"; else order="nats modular"; fi
  for g in $GROUPS_ALL; do
    for s in $order; do
      log "round $r/$ROUNDS: $g on $s ($(($(date +%s) - t_start)) s)"
      "group_$g" "$s"
    done
  done
  stop_nodes
done

med() { # server case -> median or empty
  awk -v s="$1" -v c="$2" '$1 == s && $2 == c {print $3}' "$raw" | sort -g |
    awk '{a[++n] = $1} END {if (n) print (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2}'
}
span() { # server case -> min..max
  awk -v s="$1" -v c="$2" '$1 == s && $2 == c {print $3}' "$raw" | sort -g | awk 'NR == 1 {a = $1} {b = $1} END {if (NR) printf "%s..%s", a, b}'
}
lost() { awk -v s="$1" -v c="$2:lost" '$1 == s && $2 == c {t += $3} END {if (t) printf " (lost %d)", t}' "$raw"; }
fmt() { # value unit
  [ -n "$1" ] || { echo "-"; return; }
  case "$2" in
    msgs/s) awk -v v="$1" 'BEGIN {printf "%.0f", v}';;
    *) awk -v v="$1" 'BEGIN {printf "%.1f", v}';;
  esac
}

echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); total $(($(date +%s) - t_start)) s"
echo
echo "| case | unit | better | Modular | nats-server | Modular / nats-server |"
echo "|---|---|---|---:|---:|---:|"
row() { # case label unit better
  local m n ratio
  m=$(med modular "$1"); n=$(med nats "$1")
  ratio=$(awk -v a="${m:-0}" -v b="${n:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }')
  printf '| %s | %s | %s | %s%s | %s%s | **%s** |\n' "$2" "$3" "$4" "$(fmt "$m" "$3")" "$(lost modular "$1")" "$(fmt "$n" "$3")" "$(lost nats "$1")" "$ratio"
}
row b_16 "b: 1 node, 1 pub → 1 sub, 16 B" msgs/s higher
row b_1k "b: 1 node, 1 pub → 1 sub, 1 KiB" msgs/s higher
row e0_16 "e0: 1 node, request/reply, 16 B, p50" µs lower
row c_16 "c: pub on A → sub on B (route), 16 B" msgs/s higher
row c_1k "c: pub on A → sub on B (route), 1 KiB" msgs/s higher
row e_16 "e: request/reply across a route, 16 B, p50" µs lower
row d_16 "d: 3-node mesh, pub on A → subs on B and C, 16 B" msgs/s higher
row d_1k "d: 3-node mesh, pub on A → subs on B and C, 1 KiB" msgs/s higher
row tls_16 "c over a TLS route, 16 B" msgs/s higher
row tls_1k "c over a TLS route, 1 KiB" msgs/s higher
row s2_1k "c over an S2 route (s2_fast), 1 KiB JSON; vs nats-server 2.10" msgs/s higher
row startup_ms "start-up: launch → INFO (monitoring on), dotnet modular.dll (build output)" ms lower
row startup_pkg_ms "start-up: launch → INFO (monitoring on), ReadyToRun package (scripts/package.sh)" ms lower
row rss_idle "RSS idle, 4 clients connected" MiB lower
row rss_50k_remote "RSS of A holding 50,000 remote subscriptions (made on B)" MiB lower
row rss_50k_local "RSS of B holding 50,000 local subscriptions" MiB lower
echo
echo "Every figure is the median over $ROUNDS interleaved rounds (start-up: over $((ROUNDS * LAUNCHES)) launches); the"
echo "ratio is Modular / nats-server of those medians. nats-server is 2.9.10 except on the S2 row (2.10)."
echo
echo "min..max per server and case:"
for c in b_16 b_1k e0_16 c_16 c_1k e_16 d_16 d_1k tls_16 tls_1k s2_1k startup_ms startup_pkg_ms rss_idle rss_50k_remote rss_50k_local; do
  printf '  %-15s Modular %-30s nats-server %s\n' "$c" "$(span modular "$c")" "$(span nats "$c")"
done
[ -z "${FAILED:-}" ] || { log "some measurements failed; see $work"; exit 1; }
