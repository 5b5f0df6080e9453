#!/usr/bin/env bash
# Builds the container image from deploy/container/Containerfile and checks it: the server starts
# as the non-root user on the config at the fixed path, /healthz answers (and the image's own
# HEALTHCHECK command passes), a client gets INFO and PONG, SIGHUP reloads, and `podman stop`
# (STOPSIGNAL SIGUSR2) puts it in lame duck mode before it exits.
#
#   deploy/check-container.sh [TARBALL]   (default: scripts/package.sh 0.0.0-check linux-x64 first)
#
# The base image: MODULAR_BASE_IMAGE if set, else localhost/modular-base:bookworm, built by
# deploy/container/build-base.sh (mmdebstrap) when podman does not have it (registries cannot be
# reached here). Needs root and podman; in this sandbox also:
#  - RUN steps use --isolation chroot, and containers run with runc: crun refuses the host's hybrid
#    cgroup v1/v2 layout ("cgroups in hybrid mode not supported");
#  - explicit, lowered ulimits: podman's defaults raise RLIMIT_NPROC/NOFILE, which needs
#    CAP_SYS_RESOURCE, which this sandbox does not give;
#  - host networking on 127.0.0.1 (no CNI bridge), --no-healthcheck (podman's health timers need
#    systemd); the HEALTHCHECK command is run by hand instead (podman healthcheck run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$SECONDS
say() { printf 'container [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
name="modular-check-$$"
image="localhost/modular:check-$$"
work="$(mktemp -d "${TMPDIR:-/tmp}/modular-container.XXXXXX")"
runtime=()
command -v runc >/dev/null && runtime=(--runtime runc)
fail() { say "FAIL: $*" >&2; podman "${runtime[@]}" logs "$name" 2>&1 | tail -n 30 >&2 || true; exit 1; }
cleanup() {
  podman "${runtime[@]}" rm -f --time 0 "$name" >/dev/null 2>&1 || true
  podman rmi -f "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

[[ "$(id -u)" -eq 0 ]] || { echo "check-container: needs root" >&2; exit 2; }
command -v podman >/dev/null || { echo "check-container: podman is missing (apt-get install podman runc mmdebstrap)" >&2; exit 2; }

tarball="${1:-}"
if [[ -z "$tarball" ]]; then
  say "packaging linux-x64 (scripts/package.sh)"
  "$root/scripts/package.sh" 0.0.0-check linux-x64 >/dev/null
  tarball="$root/artifacts/packages/modular-0.0.0-check-linux-x64.tar.gz"
fi

base="${MODULAR_BASE_IMAGE:-localhost/modular-base:bookworm}"
if ! podman image exists "$base"; then
  say "building the base image $base from Debian packages (deploy/container/build-base.sh)"
  "$root/deploy/container/build-base.sh" "$base" >/dev/null
fi

cp "$tarball" "$work/"
say "podman build (base $base)"
podman build --quiet --format docker --isolation chroot -f "$root/deploy/container/Containerfile" \
  --build-arg BASE="$base" --build-arg PACKAGE="$(basename "$tarball")" -t "$image" "$work" >/dev/null \
  || fail "podman build"
[[ "$(podman image inspect "$image" --format '{{.Config.User}}')" == "10001:10001" ]] || fail "the image does not run as uid 10001"
podman image inspect "$image" --format '{{.Config.Healthcheck.Test}}' | grep -q healthz || fail "the image has no /healthz HEALTHCHECK"

# Ports the OS picks (bound and released just before; the server binds them again at once).
read -r client monitor < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
cat > "$work/modular.toml" <<TOML
[server]
name = "in-a-container"
listen = "127.0.0.1:$client"
lame_duck_duration = "2s"
lame_duck_grace_period = "1s"

[monitor]
listen = "127.0.0.1:$monitor"
TOML
chmod 644 "$work/modular.toml"

podman "${runtime[@]}" run -d --name "$name" --network host --no-healthcheck \
  --ulimit nofile=8192:8192 --ulimit nproc=4096:4096 \
  -v "$work/modular.toml:/etc/modular/modular.toml:ro" "$image" >/dev/null || fail "podman run"

deadline=$((SECONDS + 30))
until curl -sf --max-time 2 "http://127.0.0.1:$monitor/healthz" | grep -q '"ok"'; do
  (( SECONDS < deadline )) || fail "/healthz did not answer ok within 30 s"
  sleep 0.2
done
say "running: /healthz ok on 127.0.0.1:$monitor"

[[ "$(podman "${runtime[@]}" exec "$name" id -u)" == "10001" ]] || fail "the server does not run as uid 10001"
# The image's HEALTHCHECK command, run as podman would (its timers need systemd, absent here).
health="$(podman image inspect "$image" --format '{{index .Config.Healthcheck.Test 1}}')"
[[ "$health" == "/bin/bash" ]] || fail "unexpected HEALTHCHECK form"
podman "${runtime[@]}" exec "$name" /bin/bash -c "$(podman image inspect "$image" --format '{{index .Config.Healthcheck.Test 3}}' | sed "s/8222/$monitor/")" \
  || fail "the image's HEALTHCHECK command fails"
podman "${runtime[@]}" exec "$name" /opt/modular/modular --version | grep -q '^modular ' || fail "modular --version"

reply="$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$client; printf 'CONNECT {\"verbose\":false}\r\nPING\r\n' >&3; while read -r line <&3; do echo \"\$line\"; case \$line in PONG*) exit 0;; esac; done")" \
  || fail "a client got no PONG"
grep -q '^INFO ' <<<"$reply" || fail "a client got no INFO"
say "a client got INFO and PONG; uid 10001; HEALTHCHECK command passes"

# Signals reach the server (exec-form entrypoint: modular is PID 1).
podman "${runtime[@]}" kill --signal HUP "$name" >/dev/null
deadline=$((SECONDS + 10))
until podman "${runtime[@]}" logs "$name" 2>&1 | grep -q "Reloaded /etc/modular/modular.toml"; do
  (( SECONDS < deadline )) || fail "SIGHUP did not reload"
  sleep 0.2
done
podman "${runtime[@]}" stop --time 30 "$name" >/dev/null
podman "${runtime[@]}" logs "$name" 2>&1 | grep -qi "lame duck" || fail "podman stop (SIGUSR2) did not enter lame duck mode"
[[ "$(podman "${runtime[@]}" inspect "$name" --format '{{.State.ExitCode}}')" == "0" ]] || fail "the server did not exit 0 after lame duck mode"
say "SIGHUP reloaded; podman stop = lame duck mode, exit 0; all checks passed in $((SECONDS - started))s"
