#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan into build-fuzz/, then runs
# each for SECONDS (default 60) on a copy of its seed corpus. Exits nonzero when a fuzzer finds
# a crash, sanitizer report, harness check failure, leak, timeout or OOM; the input that did it
# is kept under build-fuzz/run/<target>/artifacts/, the fuzzer's output in .../log.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]     (targets: request batch; default both)
# Environment: FUZZ_BUILD (build directory), FUZZ_CXX (compiler, default clang++),
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=2 -workers=2").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(request batch)
build=${FUZZ_BUILD:-$root/build-fuzz}
cxx=${FUZZ_CXX:-clang++}

start=$(date +%s)
cmake -S "$root/tests/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
if ! ninja -C "$build" $(printf '%s_fuzzer ' "${targets[@]}") >"$build/build.log" 2>&1; then
  grep -v '^\[' "$build/build.log" | tail -40 >&2
  echo "fuzz: build failed (log: $build/build.log)" >&2
  exit 1
fi
echo "fuzz: built in $(($(date +%s) - start)) s"

status=0
for t in "${targets[@]}"; do
  fuzzer=$build/${t}_fuzzer
  run=$build/run/$t
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/artifacts"
  cp "$root/tests/fuzz/corpus/$t/"* "$run/corpus/"
  # -len_control=0: the full length from the start (request inputs are sequences of frames).
  args=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -len_control=0
        -print_final_stats=1 -artifact_prefix="$run/artifacts/")
  [ -f "$root/tests/fuzz/$t.dict" ] && args+=(-dict="$root/tests/fuzz/$t.dict")
  echo "fuzz: $t for ${secs} s"
  # shellcheck disable=SC2086
  if "$fuzzer" "${args[@]}" ${FUZZ_ARGS:-} "$run/corpus" >"$run/log" 2>&1; then
    runs=$(grep -o 'number_of_executed_units: *[0-9]*' "$run/log" | grep -o '[0-9]*$' || true)
    cov=$(grep -E '^#[0-9]+' "$run/log" | tail -1 | grep -o 'cov: [0-9]*' || true)
    echo "fuzz: $t ok: ${runs:-?} inputs, ${cov:-cov ?}," \
      "corpus $(find "$run/corpus" -type f | wc -l) files"
  else
    status=1
    echo "fuzz: $t FAILED; log: $run/log" >&2
    grep -E 'CHECK FAILED|ERROR: |SUMMARY: |runtime error|Test unit written' "$run/log" |
      head -20 >&2 || true
    # The stack of the first report, for CI logs.
    grep -m1 -A40 -E '^==[0-9]+==ERROR|CHECK FAILED|runtime error' "$run/log" |
      grep -E '^ +#[0-9]+ ' | head -15 >&2 || true
    for a in "$run/artifacts/"*; do
      [ -f "$a" ] && echo "fuzz: reproduce with: $fuzzer $a" >&2
    done
  fi
  # Notes from the harness (exception types seen): worth a look, not failures.
  grep -E '^\[request_fuzzer\]' "$run/log" | grep -v 'CHECK FAILED' | sort -u | head -20 || true
done
exit $status
