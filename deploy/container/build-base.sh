#!/usr/bin/env bash
# Builds the container base image from Debian packages (mmdebstrap), for where a registry image
# (mcr.microsoft.com/dotnet/runtime-deps) cannot be pulled. It holds what a self-contained .NET
# app needs (libc, libgcc, libstdc++, OpenSSL for TLS, zlib, CA certificates; no ICU: the host runs
# with invariant globalization), plus bash for the HEALTHCHECK and passwd for the non-root user.
#
#   deploy/container/build-base.sh [IMAGE]     (default IMAGE: localhost/modular-base:bookworm)
#   podman build --build-arg BASE=localhost/modular-base:bookworm ...   (see Containerfile)
#
# Needs root, mmdebstrap, podman (or buildah) and the Debian mirror apt uses.
set -euo pipefail
image="${1:-localhost/modular-base:bookworm}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="$(mktemp -d "${TMPDIR:-/tmp}/modular-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mmdebstrap --quiet --variant=minbase --mode=root \
  --include=ca-certificates,libssl3,zlib1g,libstdc++6,libgcc-s1 \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/usr/share/doc "$1"/usr/share/man' \
  bookworm "$work/rootfs.tar" "$mirror"

if command -v podman >/dev/null; then
  podman import --quiet "$work/rootfs.tar" "$image" >/dev/null
else
  buildah import "$work/rootfs.tar" "$image" >/dev/null
fi
echo "$image"
