#!/usr/bin/env bash
# gossip-mesh-time.sh - how long 5 servers, each seeded with ONE other, take to become a full mesh
# by gossip: Modular (gossip plugin) and nats-server 2.9.10 (and 2.10 if present), in the same run.
#
# Usage: bench/gossip-mesh-time.sh [REPS] [TOPOLOGY] [SIZE]
#   REPS      repetitions per server program (default 5); programs alternate within a repetition
#   TOPOLOGY  chain (default: n2 seeds n1, n3 seeds n2, ...) or star (every node seeds n1)
#   SIZE      number of servers (default 5)
#
# Environment:
#   MODULAR_DLL              the host (default: <repo>/artifacts/bin/Modular.Server/release/modular.dll,
#                            else .../debug/modular.dll)
#   NATS_SERVER_29           nats-server 2.9 binary (default /usr/sbin/nats-server; "" skips it)
#   NATS_SERVER_210          nats-server 2.10 binary (default: the cache of scripts/get-nats-server-2.10.sh,
#                            skipped when absent; "" skips it)
#   MODULAR_POOL_SIZE        pool_size for every server (default: unset, each server's default)
#
# Three figures per run, each until EVERY /routez lists SIZE-1 distinct remote_id:
#   launch  - from starting the SIZE processes (all at once): includes process start-up
#             (dotnet start-up and JIT for Modular, a few ms for nats-server);
#   listen  - from the moment the last server accepted TCP on its route port (the fair figure for
#             gossip itself: every server can be dialed from then on);
#   ready   - from the moment the last server answered on its monitoring port (Modular opens it last,
#             so routes often form before it: 0).
# Prints each run and the median per program. All servers on 127.0.0.1, ports from the OS.
set -euo pipefail

reps=${1:-5}
topology=${2:-chain}
size=${3:-5}
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

dll="${MODULAR_DLL:-}"
if [ -z "$dll" ]; then
  for candidate in "$repo/artifacts/bin/Modular.Server/release/modular.dll" "$repo/artifacts/bin/Modular.Server/debug/modular.dll"; do
    if [ -f "$candidate" ]; then dll=$candidate; break; fi
  done
fi
if [ -z "$dll" ] || [ ! -f "$dll" ]; then
  echo "gossip-mesh-time.sh: modular.dll not found; build the host (dotnet build -c Release) or set MODULAR_DLL" >&2
  exit 2
fi

nats29="${NATS_SERVER_29-/usr/sbin/nats-server}"
nats210="${NATS_SERVER_210-/tmp/modular-nats-server-2.10/root/usr/sbin/nats-server}"

export GMT_DLL="$dll" GMT_NATS29="$nats29" GMT_NATS210="$nats210" GMT_REPS="$reps" GMT_TOPOLOGY="$topology" GMT_SIZE="$size"
export GMT_POOL="${MODULAR_POOL_SIZE:-}"
exec python3 - <<'PY'
import json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time, urllib.request

DLL = os.environ["GMT_DLL"]
REPS = int(os.environ["GMT_REPS"])
TOPOLOGY = os.environ["GMT_TOPOLOGY"]
SIZE = int(os.environ["GMT_SIZE"])
POOL = os.environ.get("GMT_POOL", "")
TIMEOUT = 60.0

def version(path):
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
        return out.replace("nats-server: ", "")
    except Exception:
        return None

programs = [("modular", "modular (gossip plugin)", None)]
for env in ("GMT_NATS29", "GMT_NATS210"):
    path = os.environ.get(env, "")
    if path and os.path.isfile(path) and version(path):
        programs.append(("nats", "nats-server " + version(path), path))

handed_out = set()

def free_port():
    # Never the same port twice in one run: three ports per server are chosen before any starts.
    while True:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port not in handed_out:
            handed_out.add(port)
            return port

def seeds_of(i):
    if i == 0:
        return []
    return [0] if TOPOLOGY == "star" else [i - 1]

def modular_toml(name, ports, seeds):
    client, monitor, cluster = ports
    routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in seeds)
    pool = f"pool_size = {POOL}\n" if POOL else ""
    return (f'plugins = ["gossip"]\n\n[server]\nname = "{name}"\nlisten = "127.0.0.1:{client}"\n\n'
            f'[monitor]\nlisten = "127.0.0.1:{monitor}"\n\n[log]\nlevel = "warning"\n\n'
            f'[cluster]\nname = "gmt"\nlisten = "127.0.0.1:{cluster}"\nroutes = [{routes}]\n{pool}\n'
            f'[cluster.discovery]\nuse = "gossip"\n')

def nats_conf(name, ports, seeds):
    client, monitor, cluster = ports
    routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in seeds)
    pool = f"  pool_size: {POOL}\n" if POOL else ""
    return (f'server_name: "{name}"\nlisten: "127.0.0.1:{client}"\nhttp: "127.0.0.1:{monitor}"\n'
            f'cluster {{\n  name: "gmt"\n  listen: "127.0.0.1:{cluster}"\n  routes: [{routes}]\n{pool}}}\n')

def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as r:
        return json.load(r)

def run_once(kind, binary):
    folder = tempfile.mkdtemp(prefix="gossip-mesh-")
    ports = [(free_port(), free_port(), free_port()) for _ in range(SIZE)]
    commands = []
    for i in range(SIZE):
        seeds = [ports[j][2] for j in seeds_of(i)]
        name = f"g{i + 1}"
        if kind == "modular":
            path = os.path.join(folder, name + ".toml")
            open(path, "w").write(modular_toml(name, ports[i], seeds))
            commands.append(["dotnet", DLL, "run", "-c", path])
        else:
            path = os.path.join(folder, name + ".conf")
            open(path, "w").write(nats_conf(name, ports[i], seeds))
            commands.append([binary, "-c", path])
    logs = [open(os.path.join(folder, f"g{i + 1}.log"), "w") for i in range(SIZE)]
    t0 = time.monotonic()
    procs = [subprocess.Popen(c, stdout=logs[i], stderr=subprocess.STDOUT, cwd=folder) for i, c in enumerate(commands)]
    ready = None
    listening = None
    up = set()
    accepting = set()
    result = None
    try:
        while time.monotonic() - t0 < TIMEOUT:
            peers = []
            for i in range(SIZE):
                if i not in accepting:
                    try:
                        socket.create_connection(("127.0.0.1", ports[i][2]), timeout=0.2).close()
                        accepting.add(i)
                    except OSError:
                        pass
            if listening is None and len(accepting) == SIZE:
                listening = time.monotonic()
            for i in range(SIZE):
                try:
                    routez = get(ports[i][1], "/routez")
                    up.add(i)
                    peers.append(len({r.get("remote_id") for r in routez.get("routes") or [] if r.get("remote_id")}))
                except Exception:
                    peers.append(-1)
            now = time.monotonic()
            if ready is None and len(up) == SIZE:
                ready = now
            if all(p == SIZE - 1 for p in peers):
                result = (now - t0, now - (listening or now), now - ready)
                break
            time.sleep(0.01)
        if result is None:
            print(f"  {kind}: no full mesh within {TIMEOUT}s (peers per node: {peers}); logs kept in {folder}", flush=True)
            return None
        connections = sum(len(get(ports[i][1], "/routez").get("routes") or []) for i in range(SIZE))
        return result + (connections,)
    finally:
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            p.wait()
        for f in logs:
            f.close()
        if result is not None:
            shutil.rmtree(folder, ignore_errors=True)

print(f"{SIZE} servers, topology {TOPOLOGY} (each seeded with one other), {REPS} repetitions; host load {os.getloadavg()[0]:.1f}")
figures = {label: [] for _, label, _ in programs}
failures = {}
for rep in range(REPS):
    for kind, label, binary in programs:
        outcome = run_once(kind, binary)
        if outcome is None:
            failures[label] = failures.get(label, 0) + 1
            continue
        launch, listen, ready, connections = outcome
        figures[label].append((launch, listen, ready))
        print(f"  run {rep + 1} {label:28s} launch->mesh {launch * 1000:6.0f} ms  listen->mesh {listen * 1000:6.0f} ms  ready->mesh {ready * 1000:6.0f} ms  route connections {connections}", flush=True)
        time.sleep(0.5)
print("median:")
for label, runs in figures.items():
    if not runs:
        print(f"  {label:28s} no run formed a mesh")
        continue
    if failures.get(label):
        print(f"  {label:28s} {failures[label]} run(s) did not form a mesh within {TIMEOUT:.0f} s")
    print(f"  {label:28s} launch->mesh {statistics.median(r[0] for r in runs) * 1000:6.0f} ms  listen->mesh {statistics.median(r[1] for r in runs) * 1000:6.0f} ms  ready->mesh {statistics.median(r[2] for r in runs) * 1000:6.0f} ms")
PY
