#!/usr/bin/env bash
# Sets up, builds and runs every test: the normal build, then again under ASan+UBSan, and a
# short headless run of the demo. Usage: scripts/test.sh [--no-sanitize]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sanitize=1
[ "${1:-}" = "--no-sanitize" ] && sanitize=0
jobs=$(nproc)

echo "== clang-format"
(cd "$root" && clang-format --dry-run --Werror $(git ls-files '*.cpp' '*.h'))

echo "== build (RelWithDebInfo)"
bash "$root/scripts/build.sh" "$root/build"
echo "== tests"
(cd "$root/build" && ctest --output-on-failure -j "$jobs" --timeout 900)

echo "== demo, headless for 20 s"
out=$(mktemp)
"$root/build/sluice" demo --duration 20 >"$out" 2>&1 || { cat "$out"; exit 1; }
events=$(grep -c "cdc.public.transactions" "$out" || true)
echo "demo printed $events events"
[ "$events" -gt 5 ] || { cat "$out"; echo "demo produced too few events"; exit 1; }

if [ "$sanitize" = 1 ]; then
  echo "== build (ASan+UBSan)"
  bash "$root/scripts/build.sh" "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON
  echo "== tests under ASan+UBSan"
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$jobs" --timeout 1200)
fi
echo "all tests passed"
