#!/usr/bin/env bash
# before-after.sh - two Modular builds and nats-server, interleaved round by round (before, after,
# nats-server, before, ...), and the ratios of the medians: after/nats, before/nats, after/before.
# The one honest way to show what a change did on a noisy machine.
#
# Usage: bench/before-after.sh BEFORE_DLL AFTER_DLL [--rounds 3] [--cases "b e0 c e d"] [--dur 3]
#   *_DLL: a built host (artifacts/bin/Modular.Server/release/modular.dll, copied aside for "before").
# Needs ../shared/bench (bench.sh, the Go load generator: ../shared/bench/setup.sh once) beside the
# repository, or BENCH_DIR pointing at it. Publishers use flow control (8 MiB window), as compare.sh.
set -uo pipefail
[ $# -ge 2 ] || { sed -n '2,/^set -uo/p' "$0" | sed '$d' >&2; exit 2; }
before="$1" after="$2"; shift 2
ROUNDS=3; CASES="b e0 c e d"; DUR=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2;;
    --cases) CASES="$2"; shift 2;;
    --dur) DUR="$2"; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${BENCH_DIR:-$repo/../shared/bench}"
[ -x "$bench/bench.sh" ] || { echo "before-after.sh: $bench/bench.sh not found (set BENCH_DIR)" >&2; exit 2; }
node="$repo/bench/modular-node.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/before-after.XXXXXX")"
run() { # label raw template; bench.sh truncates its --raw file, so each round writes its own and appends
  "$bench/bench.sh" --runs 1 --dur "$DUR" --cases "$CASES" --window 8388608 --label "$1" \
    --raw "$work/$2.round.txt" ${3:+--node-cmd "$3"} >>"$work/$2.log" 2>&1 || echo "$1 failed, see $work/$2.log" >&2
  cat "$work/$2.round.txt" >>"$work/$2.txt" 2>/dev/null
}
for r in $(seq "$ROUNDS"); do
  run "before $r" before "env MODULAR_DLL=$before $node {port} {cport} '{routes}' {name} {dir}"
  run "after $r" after "env MODULAR_DLL=$after $node {port} {cport} '{routes}' {name} {dir}"
  run "nats-server $r" nats ""
done
med() { awk -v c="$2" -v m="$3" '$1==c && $2==m {print $3}' "$work/$1.txt" 2>/dev/null | sort -g |
  awk '{a[++n]=$1} END {if (n) print (n%2) ? a[(n+1)/2] : (a[n/2]+a[n/2+1])/2}'; }
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }'; }
printf '%-18s %-16s %12s %12s %12s %9s %9s %9s\n' case metric before after nats before/n after/n after/bef
for c in $(awk '{print $1}' "$work"/before.txt "$work"/after.txt "$work"/nats.txt 2>/dev/null | sort -u); do
  for m in pub_msgs_per_sec sub_msgs_per_sec lat_p50_us lat_p99_us sub_lost; do
    case "$c:$m" in a_*:pub*|b_*:sub*|c_*:sub*|d_*:sub*|e*:lat*|*:sub_lost) ;; *) continue;; esac
    b=$(med before "$c" "$m"); a=$(med after "$c" "$m"); n=$(med nats "$c" "$m")
    [ -n "$b$a$n" ] || continue
    printf '%-18s %-16s %12s %12s %12s %9s %9s %9s\n' "$c" "$m" "${b:--}" "${a:--}" "${n:--}" \
      "$(ratio "$b" "$n")" "$(ratio "$a" "$n")" "$(ratio "$a" "$b")"
  done
done
echo "raw figures and logs: $work"
