#!/usr/bin/env bash
# get-s2ref.sh - builds s2ref, the reference Go S2 codec as a filter (main.go beside this script, a
# copy of ../shared/tools/s2ref), from Debian's packages, and prints the binary's path.
#   export MODULAR_S2REF="$(tests/Modular.Plugins.S2.Tests/s2ref/get-s2ref.sh)"
# The S2 tests use $MODULAR_S2REF; without it they build s2ref themselves when Go and the package
# are installed, and otherwise check our codec against the golden vectors only.
# Needs: golang-go and golang-github-klauspost-compress-dev (installed with apt-get when root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${S2REF_OUT:-${TMPDIR:-/tmp}/modular-s2ref}"
pkg=/usr/share/gocode/src/github.com/klauspost/compress/s2
if ! command -v go >/dev/null 2>&1 || [ ! -d "$pkg" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "get-s2ref.sh: needs golang-go and golang-github-klauspost-compress-dev (apt-get install as root)" >&2
    exit 1
  fi
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-github-klauspost-compress-dev >/dev/null; } >&2
fi
mkdir -p "$out"
( cd "$here" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$out/gocache" GOFLAGS= go build -o "$out/s2ref" . ) >&2
echo "$out/s2ref"
