#!/usr/bin/env bash
# profile-route.sh - where a 2-node Modular cluster spends its CPU on one route case: case c (a
# publisher on node A, its subscriber on node B) over plain, TLS or S2 routes, with `perf record`
# (CPU cycles, 999 Hz) on both nodes during the measured run, then each node's top symbols by
# self time: managed methods through the runtime's perf map (DOTNET_PerfMapEnabled=1), native ones
# (OpenSSL, the kernel's socket path, the runtime) by their own symbols.
#
#   bench/profile-route.sh [plain|tls|s2] [SIZE] [SECONDS]      (default: tls 16 5)
#
# Needs perf (Debian's linux-perf) and the Release build. perf.data files and logs stay in the
# printed folder (perf report -i FILE for more). The load is bench/loadgen (flow-controlled, 8 MiB window) after 2 s
# of unmeasured warm-up, as in all.sh. Every process started is stopped on exit.
set -uo pipefail
variant=${1:-tls} size=${2:-16} secs=${3:-5}
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v perf >/dev/null || { echo "profile-route.sh: perf not found" >&2; exit 2; }
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0  # W^X double-maps JIT code where the perf map cannot name it
case "$variant" in
  plain) script=modular-node.sh payload=letters;;
  tls) script=modular-node-tls.sh payload=letters;;
  s2) script=modular-node-s2.sh payload=json;;
  *) echo "profile-route.sh: plain, tls or s2" >&2; exit 2;;
esac
loadgen="$("$repo/bench/loadgen/build.sh")" || exit 2
work="$(mktemp -d "${TMPDIR:-/tmp}/modular-profile.XXXXXX")"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT
read -r p1 p2 c1 c2 <<<"$("$loadgen" -mode ports -n 4)"
"$repo/bench/$script" "$p1" "$c1" "nats-route://127.0.0.1:$c2" n1 "$work/n1" >"$work/n1.log" 2>&1 & pids+=($!)
"$repo/bench/$script" "$p2" "$c2" "nats-route://127.0.0.1:$c1" n2 "$work/n2" >"$work/n2.log" 2>&1 & pids+=($!)
for port in "$p1" "$p2"; do
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
done
lg() { timeout -k 5 $((secs + 60)) "$loadgen" -q -window 8388608 -payload "$payload" -ms "$size" -pub-url "nats://127.0.0.1:$p1" -sub-url "nats://127.0.0.1:$p2" "$@"; }
lg -t 2s >/dev/null 2>&1
for n in 1 2; do
  perf record -F 999 -g -p "${pids[$((n - 1))]}" -o "$work/n$n.perf.data" -- sleep $((secs + 1)) >"$work/perf-n$n.log" 2>&1 & pids+=($!)
done
sleep 0.5
lg -t "${secs}s" | tee "$work/load.txt"
wait "${pids[2]}" "${pids[3]}" 2>/dev/null
for n in 1 2; do
  echo "== node n$n ($([ $n = 1 ] && echo 'publisher side: parses PUB, encodes RMSG onto the route' || echo 'subscriber side: parses RMSG, writes MSG')): top methods, exclusive"
  perf report -i "$work/n$n.perf.data" -g none --no-children --sort dso,symbol --percent-limit 0.7 --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | sed -n '1,30p'
done
echo "traces: $work"
