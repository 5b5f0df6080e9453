#!/usr/bin/env bash
# get-nats-server-2.10.sh - provides a nats-server 2.10.x binary for the interop tests (route pooling,
# pinned $SYS route, compression), taken from Debian trixie's prebuilt package.
#
# The system's apt configuration is left alone: the package index lives in a private apt state
# folder, the mirror is the one the system's own Debian sources name, and the package is only
# downloaded and unpacked (apt-get download + dpkg-deb -x), never installed.
#
# Usage: scripts/get-nats-server-2.10.sh [CACHE_DIR]
#   CACHE_DIR defaults to /tmp/modular-nats-server-2.10. A second run reuses the binary found there.
# Prints the absolute path of the nats-server binary on stdout (and nothing else); progress goes to
# stderr. Exit status: 0 with a path, non-zero with a one-line reason on stderr.
set -euo pipefail

cache="${1:-/tmp/modular-nats-server-2.10}"
binary="$cache/root/usr/sbin/nats-server"
suite="trixie"

log() { printf 'get-nats-server-2.10: %s\n' "$*" >&2; }
fail() { log "$*"; exit 1; }

is_210() { [ -x "$1" ] && "$1" --version 2>/dev/null | grep -q 'v2\.10\.'; }

if is_210 "$binary"; then
  echo "$binary"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get is missing (a Debian-based system is needed)"
command -v dpkg-deb >/dev/null 2>&1 || fail "dpkg-deb is missing"

# The Debian mirror the system already uses: deb822 sources first, then the one-line format.
mirror=""
for sources in /etc/apt/sources.list.d/*.sources; do
  [ -r "$sources" ] || continue
  mirror=$(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$sources")
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -r /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\// && $i ~ /\/debian\/?$/) { print $i; exit } }' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || mirror="http://deb.debian.org/debian"
mirror="${mirror%/}"
log "mirror $mirror, suite $suite, cache $cache"

state="$cache/apt"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/preferences.d" "$cache/download" "$cache/root"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ -r "$keyring" ]; then
  echo "deb [signed-by=$keyring] $mirror $suite main" > "$state/etc/sources.list"
else
  echo "deb $mirror $suite main" > "$state/etc/sources.list"
fi

apt_opts=(
  -o "Dir::Etc::SourceList=$state/etc/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::Etc::Preferences=/dev/null"
  -o "Dir::Etc::PreferencesParts=$state/etc/preferences.d"
  -o "Dir::State::Lists=$state/lists"
  -o "Dir::Cache=$state/cache"
  -o "Dir::Cache::pkgcache="
  -o "Dir::Cache::srcpkgcache="
  -o "APT::Sandbox::User=root"
  -o "Debug::NoLocking=1"
)

apt-get "${apt_opts[@]}" -qq update >&2 || fail "apt-get update of the private $suite index failed"
version=$(apt-cache "${apt_opts[@]}" policy nats-server | awk '/Candidate:/ { print $2 }')
case "$version" in
  2.10.*) ;;
  ""|"(none)") fail "Debian $suite has no nats-server package in $mirror" ;;
  *) fail "Debian $suite offers nats-server $version, not 2.10.x" ;;
esac

rm -f "$cache/download"/nats-server_*.deb
(cd "$cache/download" && apt-get "${apt_opts[@]}" -qq download "nats-server=$version" >&2) \
  || fail "apt-get download nats-server=$version failed"
deb=$(ls "$cache/download"/nats-server_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no .deb was downloaded"
rm -rf "$cache/root"
mkdir -p "$cache/root"
dpkg-deb -x "$deb" "$cache/root"
is_210 "$binary" || fail "the unpacked $binary is not a working nats-server 2.10"
log "$("$binary" --version)"
echo "$binary"
