#!/usr/bin/env bash
# test.sh - THE test command: installs what the tests need, builds the whole solution in Release,
# runs every test project, and ends with a plain total line "N passed, N failed".
# Exit status: 0 only when the build succeeded, at least one test ran, and none failed.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*"; }

# --- what the tests need -------------------------------------------------------------------------
# The interop suites run a real nats-server peer (Debian's package).
if ! command -v nats-server >/dev/null 2>&1; then
  say "nats-server is missing: installing Debian's nats-server package"
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: nats-server is not installed and we are not root; install it first (apt-get install nats-server)" >&2
    exit 1
  fi
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null; }; then
    echo "test.sh: could not install nats-server with apt-get" >&2
    exit 1
  fi
fi
say "nats-server: $(command -v nats-server) ($(nats-server --version 2>/dev/null || echo 'version unknown'))"
export MODULAR_NATS_SERVER_29="$(command -v nats-server)"

# The monitoring page test loads / in headless Chromium (Debian's package).
if ! command -v chromium >/dev/null 2>&1; then
  say "chromium is missing: installing Debian's chromium package"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
    echo "test.sh: could not install chromium with apt-get" >&2
    exit 1
  fi
fi

# The /metrics tests scrape a cluster with a real Prometheus and lint with promtool (Debian's package).
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  say "prometheus is missing: installing Debian's prometheus package"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null; }; then
    echo "test.sh: could not install prometheus with apt-get" >&2
    exit 1
  fi
fi

# The fault suite partitions nodes in network namespaces (ip netns, veth, a bridge; iptables drops).
if ! command -v ip >/dev/null 2>&1 || ! command -v iptables >/dev/null 2>&1; then
  say "ip or iptables is missing: installing Debian's iproute2 and iptables packages"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 iptables >/dev/null; }; then
    echo "test.sh: could not install iproute2 and iptables with apt-get" >&2
    exit 1
  fi
fi

# The interop suites also run a nats-server 2.10 peer (route pooling), from Debian trixie's package.
if ! ns210="$(scripts/get-nats-server-2.10.sh)"; then
  echo "test.sh: could not get nats-server 2.10 (scripts/get-nats-server-2.10.sh)" >&2
  exit 1
fi
export MODULAR_NATS_SERVER_210="$ns210"
say "nats-server 2.10: $ns210 ($("$ns210" --version 2>/dev/null || echo 'version unknown'))"

# The S2 tests check our streams against the reference Go codec (klauspost/compress from Debian's packages).
if ! s2ref="$(tests/Modular.Plugins.S2.Tests/s2ref/get-s2ref.sh)"; then
  echo "test.sh: could not build the S2 reference codec (tests/Modular.Plugins.S2.Tests/s2ref/get-s2ref.sh)" >&2
  exit 1
fi
export MODULAR_S2REF="$s2ref"
say "s2ref: $s2ref"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- build ---------------------------------------------------------------------------------------
say "dotnet build Modular.sln -c Release"
if ! dotnet build Modular.sln -c Release -nologo; then
  echo "BUILD FAILED"
  echo "0 passed, 0 failed"
  exit 1
fi

# --- fuzz smoke: every fuzz target briefly under afl++ (scripts/fuzz.sh installs afl++ if missing,
# builds and instruments fuzz/Modular.Fuzz); a crash or hang found fails the run. About 60-90 s.
say "fuzz smoke: scripts/fuzz.sh all 6"
if ! FUZZ_QUIET=1 scripts/fuzz.sh all 6; then
  echo "FUZZ SMOKE FAILED (inputs in artifacts/fuzz/<target>/default/crashes|hangs; replay: dotnet artifacts/bin/Modular.Fuzz/release/Modular.Fuzz.dll TARGET < FILE)"
  echo "0 passed, 0 failed"
  exit 1
fi
# --- end fuzz smoke

# --- deploy checks (deploy/**: the release package, the Helm chart, a cluster across hosts, the image)
# The Helm chart tests (Modular.Server.Tests, Deploy/) render deploy/helm/modular with
# deploy/helm/render: Go with sprig and yaml.v3 from Debian's packages. The container check needs
# podman, runc (crun refuses hybrid cgroups) and mmdebstrap (the base image from Debian packages).
deploy_packages=(golang-go golang-github-masterminds-sprig-dev golang-gopkg-yaml.v3-dev podman runc mmdebstrap)
if ! dpkg -s "${deploy_packages[@]}" >/dev/null 2>&1; then
  say "installing ${deploy_packages[*]} (Helm chart renderer, container image)"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${deploy_packages[@]}" >/dev/null; }; then
    echo "test.sh: could not install ${deploy_packages[*]} with apt-get" >&2
    exit 1
  fi
fi
# The container base image, once per machine (registries cannot be reached here): Debian packages
# through mmdebstrap, 60 s; kept in podman's storage for later runs.
if ! podman image exists localhost/modular-base:bookworm; then
  say "deploy/container/build-base.sh (once: the container base image from Debian packages)"
  deploy/container/build-base.sh localhost/modular-base:bookworm >/dev/null
fi
# One release tarball (scripts/package.sh linux-x64, ReadyToRun) for both checks (need root): a
# 3-host cluster in network namespaces (routes by host name, a DNS seed, TLS, a cut link noticed
# and healed), the container image built and run, and the systemd unit verified and its commands
# run (start, reload, stop in lame duck).
deploy_started=$SECONDS
deploy_tarball=artifacts/packages/modular-0.0.0-check-linux-x64.tar.gz
for deploy_step in "scripts/package.sh 0.0.0-check linux-x64" "deploy/check-cross-host.sh $deploy_tarball" "deploy/check-container.sh $deploy_tarball" "deploy/check-systemd-unit.sh $deploy_tarball"; do
  say "$deploy_step"
  if ! $deploy_step; then
    echo "DEPLOY CHECKS FAILED ($deploy_step)"
    echo "0 passed, 1 failed"
    exit 1
  fi
done
say "deploy checks: $((SECONDS - deploy_started)) s"
# --- end of deploy checks --------------------------------------------------------------------------

# --- test ----------------------------------------------------------------------------------------
results="$(mktemp -d "${TMPDIR:-/tmp}/modular-tests.XXXXXX")"
say "dotnet test Modular.sln -c Release --no-build (results in $results)"
set +e
# One test project at a time (-m:1): the cluster and interop suites start many servers each, and
# on 2 cores two suites at once starve each other's timing.
dotnet test Modular.sln -c Release --no-build -nologo -m:1 \
  --results-directory "$results" \
  --logger trx \
  --logger "console;verbosity=normal" \
  --blame-hang-timeout 10m --blame-hang-dump-type none
test_rc=$?
set -e

# --- totals from every .trx (one per test project) -------------------------------------------------
# <Counters total=".." executed=".." passed=".." failed=".." error=".." timeout=".." aborted=".." ... notExecuted="..">
totals=$(find "$results" -name '*.trx' -print0 | xargs -0 -r cat | awk '
  /<Counters / {
    for (i = 1; i <= NF; i++) {
      if (match($i, /^(total|passed|failed|error|timeout|aborted|notExecuted)="[0-9]+"/)) {
        split($i, kv, "=")
        gsub(/[^0-9]/, "", kv[2])
        n[kv[1]] += kv[2]
      }
    }
    files++
  }
  END { printf "%d %d %d %d %d\n", files, n["total"], n["passed"], n["failed"] + n["error"] + n["timeout"] + n["aborted"], n["notExecuted"] }')
read -r trx_files total passed failed skipped <<<"$totals"

echo
say "test projects reported: $trx_files, tests: $total, skipped: $skipped, dotnet test exit code: $test_rc"
echo "$passed passed, $failed failed"

if [ "$test_rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
  # Name every failed test with the first line of its message, so the tail of the log says which.
  find "$results" -name '*.trx' -print0 | xargs -0 -r cat | awk '
    /<UnitTestResult / && /outcome="Failed"/ {
      name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
      printf "FAILED: %s\n", name; want = 1; next
    }
    want && /<Message>/ {
      msg = $0; sub(/.*<Message>/, "", msg); sub(/<\/Message>.*/, "", msg)
      printf "  %s\n", substr(msg, 1, 400); want = 0
    }'
  echo "TESTS FAILED"
  exit 1
fi
if [ "$passed" -eq 0 ]; then
  echo "NO TESTS RAN"
  exit 1
fi
