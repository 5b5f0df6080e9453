#!/usr/bin/env bash
# build.sh - build the route load generator (main.go) offline against Debian's packaged nats.go.
# Usage: bench/loadgen/build.sh [OUT]   (default OUT: <repo>/artifacts/bench/route-loadgen, git-ignored)
# Needs golang-go and golang-github-nats-io-go-nats-dev; as root, installs them with apt-get when
# missing. Prints the binary's path on stdout. Rebuilds only when main.go is newer than OUT.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$repo/artifacts/bench/route-loadgen}"
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/github.com/nats-io/nats.go ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "build.sh: installing golang-go golang-github-nats-io-go-nats-dev" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-github-nats-io-go-nats-dev >&2
  else
    echo "build.sh: needs: apt-get install golang-go golang-github-nats-io-go-nats-dev" >&2
    exit 2
  fi
fi
if [ ! -x "$out" ] || [ "$here/main.go" -nt "$out" ]; then
  mkdir -p "$(dirname "$out")"
  (cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build -o "$out" main.go) >&2
fi
echo "$out"
