#!/usr/bin/env bash
# Builds self-contained releases of the `modular` host with its bundled plugins beside it
# (plugins/<name>/, where the host looks for them) and packs one tarball per platform:
#   artifacts/packages/modular-<VERSION>-<RID>.tar.gz
#
#   scripts/package.sh [VERSION] [RID...]      (default RIDs: linux-x64 linux-arm64)
#
# Runtime packs come from NuGet. ReadyToRun needs the Crossgen2 pack for this machine (linux-x64);
# that crossgen also compiles for linux-arm64. If an R2R publish fails (no crossgen pack can be
# restored), the platform is published without R2R (JIT at start-up, same behaviour) and the
# script says so. One publish at a time: the machine is shared.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${1:-}"
shift || true
rids=("$@")
[[ ${#rids[@]} -gt 0 ]] || rids=(linux-x64 linux-arm64)
if [[ -z "$version" ]]; then
  version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n1)"
fi

out="$root/artifacts/packages"
mkdir -p "$out"

for rid in "${rids[@]}"; do
  name="modular-$version-$rid"
  stage="$out/staging/$name"
  rm -rf "$stage"
  publish() {
    dotnet publish "$root/hosts/Modular.Server/Modular.Server.csproj" -c Release -nologo -v q \
      -r "$rid" --self-contained true -p:Version="$version" -p:PublishReadyToRun="$1" -o "$stage"
  }
  r2r=true
  if ! publish true; then
    echo "package: $rid: ReadyToRun publish failed; publishing without ReadyToRun" >&2
    r2r=false
    rm -rf "$stage"
    publish false
  fi
  [[ -x "$stage/modular" ]] || { echo "package: $rid: no modular executable in $stage" >&2; exit 1; }
  for plugin in dns s2 tls bcrypt gossip pinning; do
    [[ -d "$stage/plugins/$plugin" ]] || { echo "package: $rid: bundled plugin $plugin missing" >&2; exit 1; }
  done
  mkdir -p "$stage/deploy"
  cp -r "$root/deploy/systemd" "$root/deploy/config" "$stage/deploy/"
  cp "$root/README.md" "$stage/"
  mkdir -p "$stage/docs" && cp "$root/docs/configuration.md" "$root/docs/deploy.md" "$stage/docs/" 2>/dev/null || true
  printf '%s\n' "version=$version" "rid=$rid" "ready_to_run=$r2r" \
    "commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)" > "$stage/BUILD"
  tar -C "$out/staging" -czf "$out/$name.tar.gz" "$name"
  echo "package: $out/$name.tar.gz (ReadyToRun: $r2r)"
done
