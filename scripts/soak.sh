#!/usr/bin/env bash
# soak.sh MINUTES - a 3-node Modular cluster (the built host, artifacts/bin/Modular.Server/release/
# modular.dll) under mixed traffic for MINUTES: a numbered steady stream n1 -> n2, n3 that must lose
# and repeat nothing, fan-out pub/sub on every node, a queue group, request/reply, subscription
# churn and one flapping client. Prints RSS, threads, handles (/proc/PID/fd) and /varz message
# counts per node over time, then checks: no loss or duplicate on the steady stream, no node died,
# no growth trend (the rule is printed: warm-up third, then last third vs middle third).
# Exit 0 on PASS. Bounded: MINUTES plus at most a few minutes of start and wind-down; Ctrl-C or
# SIGTERM stop it and its servers. Work folder (configs, logs): artifacts/soak/.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ] || ! [[ "$1" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "usage: scripts/soak.sh MINUTES" >&2
  exit 2
fi
minutes="$1"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== building the host and the soak driver"
for project in hosts/Modular.Server/Modular.Server.csproj tools/Modular.Soak/Modular.Soak.csproj; do
  if ! log="$(dotnet build "$project" -c Release -nologo -v q 2>&1)"; then
    echo "$log" >&2
    echo "soak.sh: build of $project failed" >&2
    exit 1
  fi
done

work="$PWD/artifacts/soak"
rm -rf "$work"
mkdir -p "$work"
driver=""
cleanup() {
  if [ -n "$driver" ] && kill -0 "$driver" 2>/dev/null; then
    kill -TERM "$driver" 2>/dev/null || true
    wait "$driver" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# The driver starts and kills the three servers itself (also on SIGTERM); it runs in the background
# so this script's traps can forward a stop to it.
limit="$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 + 240 }')"
timeout --signal=TERM --kill-after=20 "$limit" \
  dotnet artifacts/bin/Modular.Soak/release/Modular.Soak.dll \
    --minutes "$minutes" --host "$PWD/artifacts/bin/Modular.Server/release/modular.dll" --work "$work" &
driver=$!
set +e
wait "$driver"
rc=$?
set -e
driver=""
exit "$rc"
