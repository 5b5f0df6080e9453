#!/usr/bin/env bash
# A cluster across hosts, checked: three network namespaces (the "hosts" n1, n2, n3), each with one
# veth link into a fourth namespace holding a bridge (the "switch"); the packaged release runs in
# each. Routes use host names from per-namespace hosts files (/etc/netns/NAME/hosts); n1 and n2
# name each other, n3 names nobody and finds both through one DNS seed name that resolves to all
# three (the dns plugin); routes are TLS with certificates for those names (openssl, a throwaway
# CA). Checked: the mesh forms; a message published by a client in n1's namespace reaches a
# subscriber in n3's; n1's link cut at the switch is noticed by the others within the route ping
# bound; the link restored, the mesh forms again and messages flow.
#
#   deploy/check-cross-host.sh [TARBALL]   (default: scripts/package.sh 0.0.0-check linux-x64 first)
#
# Needs root (ip netns), iproute2, openssl, curl, python3. Touches nothing outside its own
# namespaces, its /etc/netns/<name> folders and a temp folder, all removed on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$SECONDS
say() { printf 'cross-host [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { say "FAIL: $*" >&2; for n in 1 2 3; do [[ -f "$work/n$n.log" ]] && { echo "--- n$n.log (tail)" >&2; tail -n 25 "$work/n$n.log" >&2; }; done; exit 1; }

[[ "$(id -u)" -eq 0 ]] || { echo "check-cross-host: needs root (ip netns)" >&2; exit 2; }
for tool in ip openssl curl python3; do
  command -v "$tool" >/dev/null || { echo "check-cross-host: $tool is missing" >&2; exit 2; }
done

tarball="${1:-}"
if [[ -z "$tarball" ]]; then
  say "packaging linux-x64 (scripts/package.sh)"
  "$root/scripts/package.sh" 0.0.0-check linux-x64 >/dev/null
  tarball="$root/artifacts/packages/modular-0.0.0-check-linux-x64.tar.gz"
fi

# Unique names (interface names have at most 15 characters) and a subnet of our own.
tag="mx$$"
switch="${tag}sw"
hosts=("${tag}a" "${tag}b" "${tag}c")
subnet="10.$((200 + $$ % 50)).$(( ($$ / 50) % 250 ))"
work="$(mktemp -d "${TMPDIR:-/tmp}/modular-cross-host.XXXXXX")"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${hosts[@]}" "$switch"; do
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  rm -rf "$work"
}
trap cleanup EXIT

say "unpacking $(basename "$tarball")"
tar -C "$work" -xzf "$tarball"
bin="$(echo "$work"/modular-*/modular)"
[[ -x "$bin" ]] || fail "no modular executable in $tarball"

# --- the network: a bridge in its own namespace, one veth per host --------------------------------
ip netns add "$switch"
ip -n "$switch" link add br0 type bridge
ip -n "$switch" link set br0 up
hosts_file="127.0.0.1 localhost"$'\n'
for i in 0 1 2; do
  n=$((i + 1))
  ns="${hosts[$i]}"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # Created inside the namespaces: the root namespace never sees these links.
  ip -n "$switch" link add "${tag}s$n" type veth peer name eth0 netns "$ns"
  ip -n "$ns" addr add "$subnet.$n/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$switch" link set "${tag}s$n" master br0
  ip -n "$switch" link set "${tag}s$n" up
  hosts_file+="$subnet.$n n$n"$'\n'"$subnet.$n modular-seed"$'\n'
done
for ns in "${hosts[@]}"; do
  mkdir -p "/etc/netns/$ns"
  printf '%s' "$hosts_file" > "/etc/netns/$ns/hosts"
done
seed="$(ip netns exec "${hosts[0]}" getent ahostsv4 modular-seed | awk '$2 == "STREAM" { print $1 }' | sort -u | xargs)"
[[ "$seed" == "$subnet.1 $subnet.2 $subnet.3" ]] || fail "modular-seed resolves to [$seed] in n1's namespace, not to the three hosts"
say "network: $switch (bridge) + ${hosts[*]} on $subnet.0/24; modular-seed resolves to [$seed]"

# --- TLS: one CA, a certificate per host naming it, the seed name and its address ----------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cross-host CA" \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
for n in 1 2 3; do
  openssl req -newkey rsa:2048 -nodes -subj "/CN=n$n" -keyout "$work/n$n.key" -out "$work/n$n.csr" 2>/dev/null
  printf 'subjectAltName=DNS:n%s,DNS:modular-seed,IP:%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$n" "$subnet.$n" > "$work/n$n.ext"
  openssl x509 -req -in "$work/n$n.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
    -days 2 -extfile "$work/n$n.ext" -out "$work/n$n.pem" 2>/dev/null
done

# --- the servers -----------------------------------------------------------------------------------
for n in 1 2 3; do
  case $n in
    1) plugins='"tls"'; routes='routes = ["nats-route://n2:6222"]'; discovery="" ;;
    2) plugins='"tls"'; routes='routes = ["nats-route://n1:6222"]'; discovery="" ;;
    3) plugins='"tls", "dns"'; routes=''; discovery=$'\n[cluster.discovery]\nuse = "dns"\nname = "modular-seed"\nport = 6222\ninterval = "1s"\n' ;;
  esac
  cat > "$work/n$n.toml" <<TOML
plugins = [$plugins]

[server]
name = "n$n"
listen = "0.0.0.0:4222"
ping_max = 2

[monitor]
listen = "0.0.0.0:8222"

[cluster]
name = "cross-host"
listen = "0.0.0.0:6222"
pool_size = -1
ping_interval = "1s"
$routes

[cluster.tls]
use = "tls"
cert_file = "n$n.pem"
key_file = "n$n.key"
ca_file = "ca.pem"
verify = true
$discovery
TOML
  "$bin" check -c "$work/n$n.toml" >/dev/null || fail "modular check n$n.toml"
  ip netns exec "${hosts[$((n - 1))]}" "$bin" run -c "$work/n$n.toml" > "$work/n$n.log" 2>&1 &
  pids+=($!)
done

# Distinct peer names in /routez of host N (run inside its namespace).
peers() {
  ip netns exec "${hosts[$(($1 - 1))]}" curl -sf --max-time 2 "http://127.0.0.1:8222/routez" 2>/dev/null \
    | python3 -c 'import json,sys; print(" ".join(sorted({r.get("remote_name","") for r in json.load(sys.stdin).get("routes",[])})))' 2>/dev/null || true
}
# Waits up to $2 seconds for "$1" (a shell condition) to hold.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    (( SECONDS < deadline )) || return 1
    sleep 0.2
  done
}
mesh_formed() { [[ "$(peers 1)" == "n2 n3" && "$(peers 2)" == "n1 n3" && "$(peers 3)" == "n1 n2" ]]; }

wait_for mesh_formed 60 || fail "mesh did not form: n1 sees [$(peers 1)], n2 [$(peers 2)], n3 [$(peers 3)]"
say "mesh formed over TLS: n1 sees [$(peers 1)], n2 [$(peers 2)], n3 [$(peers 3)]"

# --- messages between hosts: a subscriber in n3's namespace, a publisher in n1's -------------------
# Raw NATS protocol over bash's /dev/tcp (host names resolve through the namespace's hosts file).
message_flows() {
  local subject="cross.host.$1" payload="hello-$1" out="$work/sub.$1"
  ip netns exec "${hosts[2]}" timeout 8 bash -c "
    exec 3<>/dev/tcp/n3/4222
    printf 'CONNECT {\"verbose\":false}\r\nSUB $subject 1\r\nPING\r\n' >&3
    while read -r line <&3; do echo \"\$line\"; case \$line in MSG*) read -r payload <&3; echo \"\$payload\"; exit 0;; esac; done" > "$out" 2>/dev/null &
  local sub=$!
  # The subscriber's interest reaches n1 through the route; publish until it arrives (bounded).
  for _ in $(seq 1 30); do
    ip netns exec "${hosts[0]}" timeout 2 bash -c "
      exec 3<>/dev/tcp/n1/4222
      printf 'CONNECT {\"verbose\":false}\r\nPUB $subject ${#payload}\r\n$payload\r\nPING\r\n' >&3
      while read -r line <&3; do case \$line in PONG*) exit 0;; esac; done" >/dev/null 2>&1 || true
    grep -q "$payload" "$out" 2>/dev/null && break
    kill -0 "$sub" 2>/dev/null || break
    sleep 0.2
  done
  wait "$sub" 2>/dev/null || true
  grep -q "$payload" "$out"
}
message_flows before || fail "a message published on n1 did not reach a subscriber on n3"
say "a message published in n1's namespace reached a subscriber in n3's"

# --- n1's link cut at the switch: the others drop it within the ping bound ---------------------------
# Bound: ping_interval 1s x (ping_max 2 + 1) = 3 s, plus up to one interval of timer phase and 2 s
# of slack for a loaded machine and this poll: 6 s.
ip -n "$switch" link set "${tag}s1" down
cut_at=$SECONDS
wait_for '[[ "$(peers 2)" == "n3" && "$(peers 3)" == "n2" ]]' 15 || fail "n1's routes still up 15 s after its link was cut: n2 sees [$(peers 2)], n3 [$(peers 3)]"
detected=$((SECONDS - cut_at))
(( detected <= 6 )) || fail "n1's loss took ${detected}s to notice (bound: 3 s ping bound + 1 s timer phase + 2 s slack)"
wait_for '[[ -z "$(peers 1)" ]]' 10 || fail "n1 still lists routes after its link was cut: [$(peers 1)]"
say "link of n1 cut: n2 and n3 dropped it after ~${detected}s (ping bound 3 s, checked <= 6 s); n1 lists no routes"

ip -n "$switch" link set "${tag}s1" up
restored_at=$SECONDS
wait_for mesh_formed 60 || fail "mesh did not form again after the link came back: n1 [$(peers 1)], n2 [$(peers 2)], n3 [$(peers 3)]"
say "link restored: mesh formed again after $((SECONDS - restored_at))s"
message_flows after || fail "after the link came back, a message from n1 did not reach n3"
say "messages flow again; all checks passed in $((SECONDS - started))s"
