#!/usr/bin/env bash
# measure-memory.sh - settled RSS of Modular vs nats-server, on 127.0.0.1 only:
#   idle  one node (monitoring on) holding a few clients (3 connections, one SUB each);
#   subs  a 2-node cluster once node A holds the interest of 50,000 distinct subjects subscribed by
#         one client on node B (A's /subsz num_subscriptions reaches the count): figure "subs" is
#         A's RSS (50,000 remote subscriptions), figure "local" B's (50,000 local ones).
# "Settled" = the last of 1-second VmRSS samples once five in a row lie within 1 % (or after 30 s).
# Rounds are interleaved (every server and variant once per round); medians and the ratios
# Modular/nats-server of the medians are printed at the end.
#
#   scripts/measure-memory.sh [--rounds N] [--subs N] [--only idle|subs] [--base-port P]
#                             [--variant 'NAME=ENV=VAL ENV=VAL' ...] [--no-nats-2.10]
#
# Variants run the Modular dev build (artifacts/bin/Modular.Server/release/modular.dll, or
# MODULAR_DLL) with extra environment, e.g.
#   --variant 'server=DOTNET_gcServer=1' --variant 'conserve5=DOTNET_GCConserveMemory=5'
# NAME@/path/to/modular.dll runs another build (e.g. a copy of an earlier one) with the
# environment ("NAME@PATH=" for none). "default" always runs; when a published build exists
# (artifacts/packages/staging/modular-*-linux-x64/modular, from scripts/package.sh) it runs too, as
# "published". Output lines: `RESULT figure=idle server=NAME round=R rss_kib=K`, then a summary.
# Needs python3 (the client that holds subscriptions), curl and jq.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

rounds=3 subs=50000 only="" base_port=27000 want_210=1
variants=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --subs) subs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    --variant) variants+=("$2"); shift 2 ;;
    --no-nats-2.10) want_210=0; shift ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
  esac
done

dll="${MODULAR_DLL:-$root/artifacts/bin/Modular.Server/release/modular.dll}"
[ -f "$dll" ] || { echo "measure-memory.sh: $dll not found; dotnet build -c Release first" >&2; exit 2; }
published="$(ls -d "$root"/artifacts/packages/staging/modular-*-linux-x64/modular 2>/dev/null | head -n1 || true)"
nats29=/usr/sbin/nats-server
nats210=""
if [ "$want_210" = 1 ]; then
  nats210="$("$root/scripts/get-nats-server-2.10.sh" 2>/dev/null | tail -n1 || true)"
fi

work="$(mktemp -d /tmp/measure-memory.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The client: N connections to PORT, SUBS distinct subjects spread over them; prints "ready" once
# the server answered a PING after the SUBs, then answers PINGs until it is killed.
cat > "$work/hold.py" <<'EOF'
import socket, sys, select, time
port, conns, subs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
socks = []
def connect():
    # The client port may open after the monitoring one: retry for 30 s.
    for attempt in range(300):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=30)
        except ConnectionRefusedError:
            time.sleep(0.1)
    sys.exit("cannot connect to %d" % port)
for c in range(conns):
    s = connect()
    f = s.makefile("rb")
    f.readline()  # INFO
    s.sendall(b'CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\n')
    socks.append((s, f))
for i in range(subs):
    s = socks[i % conns][0]
    s.sendall(b"SUB mem.s.%d %d\r\n" % (i, i + 1))
for s, f in socks:
    s.sendall(b"PING\r\n")
    while True:
        line = f.readline()
        if not line:
            sys.exit("connection closed")
        if line.startswith(b"PONG"):
            break
        if line.startswith(b"PING"):
            s.sendall(b"PONG\r\n")
print("ready", flush=True)
deadline = time.time() + 600
while time.time() < deadline:
    r, _, _ = select.select([s for s, _ in socks], [], [], 1)
    for s in r:
        data = s.recv(65536)
        if not data:
            sys.exit(0)
        if b"PING" in data:
            s.sendall(b"PONG\r\n")
EOF

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Waits until the RSS of PID settles; prints the settled value in KiB.
settle() {
  local pid=$1 samples=() i
  for i in $(seq 1 30); do
    samples+=("$(rss_kib "$pid")")
    if [ ${#samples[@]} -ge 5 ]; then
      local last5=("${samples[@]: -5}")
      local lo hi
      lo=$(printf '%s\n' "${last5[@]}" | sort -n | head -n1)
      hi=$(printf '%s\n' "${last5[@]}" | sort -n | tail -n1)
      if [ $(( (hi - lo) * 100 )) -le "$hi" ]; then break; fi
    fi
    sleep 1
  done
  echo "${samples[-1]}"
}

# Polls URL's JQ expression until it is >= WANT (60 s at most); returns 1 on timeout.
wait_for() {
  local url=$1 expr=$2 want=$3 i v
  for i in $(seq 1 600); do
    v=$(curl -fsS "$url" 2>/dev/null | jq -r "$expr" 2>/dev/null || echo 0)
    if [ -n "$v" ] && [ "$v" != null ] && [ "$v" -ge "$want" ] 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "measure-memory.sh: timed out waiting for $url $expr >= $want (last: $v)" >&2
  return 1
}

# Writes the config of one node and starts it in the background; sets $started to its PID.
# kind: modular|published|nats; NAME PORT CPORT MPORT ROUTE(peer cluster port or "") ENV
start_node() {
  local kind=$1 name=$2 port=$3 cport=$4 mport=$5 route=$6 env=$7 bin=$8 dir="$work/$2"
  mkdir -p "$dir"
  if [ "$kind" = nats ]; then
    {
      echo "server_name: $name"
      echo "listen: 127.0.0.1:$port"
      echo "http: 127.0.0.1:$mport"
      if [ -n "$cport" ]; then
        echo "cluster { name: mem, listen: 127.0.0.1:$cport"
        [ -n "$route" ] && echo "  routes: [nats-route://127.0.0.1:$route]"
        echo "}"
      fi
    } > "$dir/nats.conf"
    "$bin" -c "$dir/nats.conf" > "$dir/log" 2>&1 &
  else
    {
      printf '[server]\nname = "%s"\nlisten = "127.0.0.1:%s"\n' "$name" "$port"
      printf '\n[monitor]\nlisten = "127.0.0.1:%s"\n' "$mport"
      printf '\n[log]\nlevel = "warning"\n'
      if [ -n "$cport" ]; then
        printf '\n[cluster]\nname = "mem"\nlisten = "127.0.0.1:%s"\n' "$cport"
        [ -n "$route" ] && printf 'routes = ["nats-route://127.0.0.1:%s"]\n' "$route"
      fi
    } > "$dir/modular.toml"
    if [ "$kind" = published ]; then
      env $env "$bin" run -c "$dir/modular.toml" > "$dir/log" 2>&1 &
    else
      env $env dotnet "$bin" run -c "$dir/modular.toml" > "$dir/log" 2>&1 &
    fi
  fi
  started=$!
  pids+=("$started")
}

stop_all() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  pids=()
}

# One measurement; prints the settled RSS in KiB of the measured node (subs: "A B", both nodes).
measure() {
  local figure=$1 kind=$2 env=$3 bin=$4 p=$base_port
  local a b holder
  if [ "$figure" = idle ]; then
    start_node "$kind" a $p "" $((p + 2)) "" "$env" "$bin"; a=$started
    wait_for "http://127.0.0.1:$((p + 2))/varz" '.connections' 0 >/dev/null || { stop_all; return 1; }
    python3 "$work/hold.py" $p 3 3 > "$work/hold.out" & holder=$!; pids+=("$holder")
    wait_for "http://127.0.0.1:$((p + 2))/varz" '.connections' 3 || { stop_all; return 1; }
  else
    start_node "$kind" a $p $((p + 1)) $((p + 2)) "" "$env" "$bin"; a=$started
    start_node "$kind" b $((p + 10)) $((p + 11)) $((p + 12)) $((p + 1)) "$env" "$bin"; b=$started
    wait_for "http://127.0.0.1:$((p + 2))/routez" '.num_routes' 1 || { stop_all; return 1; }
    python3 "$work/hold.py" $((p + 10)) 1 "$subs" > "$work/hold.out" & holder=$!; pids+=("$holder")
    wait_for "http://127.0.0.1:$((p + 2))/subsz" '.num_subscriptions' "$subs" || { stop_all; return 1; }
  fi
  if [ "$figure" = idle ]; then
    settle "$a"
  else
    echo "$(settle "$a") $(settle "$b")"
  fi
  stop_all
}

servers=()   # "NAME|KIND|ENV|BIN"
servers+=("nats-2.9|nats||$nats29")
[ -n "$nats210" ] && [ -x "$nats210" ] && servers+=("nats-2.10|nats||$nats210")
servers+=("default|modular||$dll")
[ -n "$published" ] && servers+=("published|published||$published")
for v in "${variants[@]:-}"; do
  [ -n "$v" ] || continue
  vname="${v%%=*}" vdll="$dll"
  if [[ "$vname" == *@* ]]; then vdll="${vname#*@}"; vname="${vname%%@*}"; fi
  servers+=("$vname|modular|${v#*=}|$vdll")
done

figures=(idle subs)
[ -n "$only" ] && figures=("$only")
results="$work/results"
: > "$results"
echo "# uptime: $(uptime)"
for r in $(seq 1 "$rounds"); do
  for figure in "${figures[@]}"; do
    for s in "${servers[@]}"; do
      IFS='|' read -r name kind env bin <<<"$s"
      if ! rss=$(measure "$figure" "$kind" "$env" "$bin" | tail -n1) || [ -z "$rss" ]; then
        echo "RESULT figure=$figure server=$name round=$r failed"
        stop_all
        continue
      fi
      read -r rss local_rss <<<"$rss"
      echo "RESULT figure=$figure server=$name round=$r rss_kib=$rss"
      echo "$figure $name $rss" >> "$results"
      if [ -n "$local_rss" ]; then
        echo "RESULT figure=local server=$name round=$r rss_kib=$local_rss"
        echo "local $name $local_rss" >> "$results"
      fi
    done
  done
done

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
echo "# medians (MiB) and ratios to nats-server; $rounds round(s), $subs subscriptions"
summarised=("${figures[@]}")
[[ " ${figures[*]} " == *" subs "* ]] && summarised+=(local)
for figure in "${summarised[@]}"; do
  m29=$(awk -v f="$figure" '$1 == f && $2 == "nats-2.9" { print $3 }' "$results" | median)
  m210=$(awk -v f="$figure" '$1 == f && $2 == "nats-2.10" { print $3 }' "$results" | median)
  for s in "${servers[@]}"; do
    name="${s%%|*}"
    m=$(awk -v f="$figure" -v n="$name" '$1 == f && $2 == n { print $3 }' "$results" | median)
    awk -v f="$figure" -v n="$name" -v m="$m" -v a="$m29" -v b="${m210:-0}" 'BEGIN {
      line = sprintf("SUMMARY figure=%s server=%-12s rss_mib=%6.1f", f, n, m / 1024)
      if (a > 0) line = line sprintf(" vs_2.9=%.2f", m / a)
      if (b > 0) line = line sprintf(" vs_2.10=%.2f", m / b)
      print line }'
  done
done
