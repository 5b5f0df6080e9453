#!/usr/bin/env bash
# fuzz.sh TARGET SECONDS - coverage-guided fuzzing of one target (or `all`, SECONDS each) with
# afl-fuzz (Debian's afl++) over SharpFuzz-instrumented copies of the assemblies under test.
#
#   targets: client route json s2-block s2-stream config   (fuzz/Modular.Fuzz/Targets/)
#   seeds:   fuzz/corpus/<target>/   tokens: fuzz/dict/<target>.dict   findings: artifacts/fuzz/<target>/default/{crashes,hangs}
#
# Prints per target the executions done (afl's fuzzer_stats), the corpus afl grew, and what it
# found; a found crash is replayed uninstrumented to show its exception. Exits 1 on a crash or a
# hang (or when afl cannot run), 0 otherwise.
# FUZZ_QUIET=1 prints one line per target; FUZZ_TIMEOUT_MS sets afl's per-input timeout (a hang).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

targets=(client route json s2-block s2-stream config)
if [ $# -ne 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh TARGET|all SECONDS   (targets: ${targets[*]})" >&2
  exit 2
fi
target="$1"
seconds="$2"
if [ "$target" = all ]; then
  selected=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $target "* ]]; then
  selected=("$target")
else
  echo "fuzz.sh: unknown target '$target' (targets: ${targets[*]})" >&2
  exit 2
fi
quiet="${FUZZ_QUIET:-0}"
timeout_ms="${FUZZ_TIMEOUT_MS:-5000}"
say() { [ "$quiet" = 1 ] || printf '== %s\n' "$*"; }

# --- afl++ ---------------------------------------------------------------------------------------
if ! command -v afl-fuzz >/dev/null 2>&1; then
  say "afl-fuzz is missing: installing Debian's afl++ package"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null; }; then
    echo "fuzz.sh: could not install afl++ with apt-get" >&2
    exit 1
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- build, then instrument a copy ---------------------------------------------------------------
built="$root/artifacts/bin/Modular.Fuzz/release"
work="$root/artifacts/fuzz"
instrumented="$work/instrumented"
say "building fuzz/Modular.Fuzz"
if ! build_log="$(dotnet build fuzz/Modular.Fuzz/Modular.Fuzz.csproj -c Release -nologo -v q 2>&1)"; then
  echo "$build_log" >&2
  echo "fuzz.sh: build failed" >&2
  exit 1
fi

# Instrumenting is slow-ish and cannot be done twice to one file: redo it only when the build changed.
stamp="$(find "$built" -name '*.dll' -newer "$instrumented/.stamp" 2>/dev/null | head -1 || true)"
if [ ! -f "$instrumented/.stamp" ] || [ -n "$stamp" ]; then
  say "instrumenting (SharpFuzz) into $instrumented"
  rm -rf "$instrumented"
  mkdir -p "$instrumented"
  cp -r "$built/." "$instrumented/"
  (cd fuzz && dotnet tool restore >/dev/null)
  # The code under test: the core, every bundled plugin (also the S2 copy the S2 targets call
  # directly) and the TOML parser the config loader reads with.
  while IFS= read -r dll; do
    if ! out="$(cd fuzz && dotnet tool run sharpfuzz "$dll" 2>&1)"; then
      echo "$out" >&2
      echo "fuzz.sh: could not instrument $dll" >&2
      exit 1
    fi
  done < <(find "$instrumented" -name 'Modular.Core.dll' -o -name 'Modular.Plugins.*.dll' -o -name 'Tomlyn.dll')
  touch "$instrumented/.stamp"
fi

# --- run -----------------------------------------------------------------------------------------
stat_of() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$2"; }

failed=0
for t in "${selected[@]}"; do
  out="$work/$t"
  rm -rf "$out"
  mkdir -p "$out"
  say "afl-fuzz $t for ${seconds}s (log: $out/afl.log)"
  # No CPU pinning (the machine is shared); a core_pattern that pipes elsewhere does not hide .NET
  # crashes (SharpFuzz reports an unhandled exception itself); -V bounds the run.
  dictionary=()
  [ -f "fuzz/dict/$t.dict" ] && dictionary=(-x "fuzz/dict/$t.dict")
  set +e
  AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_SKIP_BIN_CHECK=1 AFL_FAST_CAL=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
    timeout --kill-after=10 $((seconds + 120)) \
    afl-fuzz -i "fuzz/corpus/$t" -o "$out" "${dictionary[@]}" -V "$seconds" -t "$timeout_ms" -m none \
      -- dotnet "$instrumented/Modular.Fuzz.dll" "$t" >"$out/afl.log" 2>&1
  rc=$?
  set -e
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "fuzz $t: afl-fuzz did not run (exit $rc); the end of $out/afl.log:" >&2
    tail -n 15 "$out/afl.log" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' >&2
    failed=1
    continue
  fi
  execs="$(stat_of execs_done "$stats")"
  corpus="$(stat_of corpus_count "$stats")"
  crashes="$(stat_of saved_crashes "$stats")"
  hangs="$(stat_of saved_hangs "$stats")"
  run_time="$(stat_of run_time "$stats")"
  echo "fuzz $t: ${execs:-0} executions in ${run_time:-?}s, corpus ${corpus:-?} inputs, crashes ${crashes:-0}, hangs ${hangs:-0}"
  if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
    failed=1
    for kind in crashes hangs; do
      for f in "$out/default/$kind"/id:*; do
        [ -e "$f" ] || continue
        echo "  $kind: $f"
      done
    done
    first="$(ls "$out/default/crashes"/id:* 2>/dev/null | head -1 || true)"
    if [ -n "$first" ]; then
      echo "  replaying $first uninstrumented:"
      (timeout 30 dotnet "$built/Modular.Fuzz.dll" "$t" <"$first" 2>&1 || true) | head -n 12 | sed 's/^/    /'
    fi
  fi
done
exit "$failed"
