#!/usr/bin/env bash
# Runs librdkafka 2.0.2's own test suite (built by build.sh) against a Kafka broker.
#
#   tests/rdkafka_suite/run.sh BROKER_HOST:PORT [TEST...]
#
# TEST is a test number (0001, 1, 0001,0002, ...); default: every number in tests.list.
# A test marked "full" in tests.list (e.g. 0082, which skips itself in quick mode) runs without -Q.
# Each test runs in its own test-runner process (TESTS=<n> test-runner -Q -E -L -p1), so a crash
# or hang is confined to one test; its output goes to $RDK_OUT/<n>/test.log. Prints a
# PASS/FAIL/SKIP line per test and a summary; exits 1 if any selected test failed, 2 on usage
# or set-up errors (broker unreachable, test-runner not built).
#
# Environment:
#   RDK_SUITE_DIR           build dir given to build.sh (default: build/rdkafka-suite in the repo)
#   TEST_KAFKA_VERSION      broker version the tests assume (default 2.4.0)
#   RDK_TEST_ARGS           test-runner flags (default: -Q -E -L -p1: quick, no sockem,
#                           no mock-cluster-only tests, serial)
#   RDK_TIMEOUT_MULTIPLIER  test.timeout.multiplier in test.conf (default 1; test-runner adds 2
#                           by itself when CI is set)
#   RDK_TEST_TIMEOUT        wall-clock limit per test in seconds (default 600)
#   RDK_TEST_CONF_EXTRA     extra lines for test.conf (librdkafka or test.* properties)
#   RDK_OUT                 output directory (default: $RDK_SUITE_DIR/run)
#   RDK_VERBOSE=1           stream each test's output instead of only its failure excerpt
#   RDK_SKIP_PREFLIGHT=1    do not check that the broker port accepts connections first
#   TEST_DEBUG, TEST_LEVEL, SUBTESTS, TEST_SEED are passed through to test-runner.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

usage() {
  sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
  exit 2
}
[ $# -ge 1 ] || usage
case $1 in -h|--help) usage ;; esac

broker=$1; shift
[[ $broker == *:* ]] || { echo "run.sh: broker must be HOST:PORT, not '$broker'" >&2; exit 2; }
port=${broker##*:}
host=${broker%:*}
host=${host#[}; host=${host%]}
[[ $port =~ ^[0-9]+$ ]] || { echo "run.sh: bad port in '$broker'" >&2; exit 2; }

suite_dir=${RDK_SUITE_DIR:-$repo/build/rdkafka-suite}
runner=$suite_dir/bin/test-runner
[ -x "$runner" ] || { echo "run.sh: $runner not found; run tests/rdkafka_suite/build.sh first" >&2; exit 2; }
out=${RDK_OUT:-$suite_dir/run}
kafka_version=${TEST_KAFKA_VERSION:-2.4.0}
runner_args=${RDK_TEST_ARGS:--Q -E -L -p1}
wall_timeout=${RDK_TEST_TIMEOUT:-600}

# Per-test options from tests.list ("0082 full  # ..."): "full" drops -Q for that test.
declare -A opts
while read -r num opt _; do
  [[ $num =~ ^[0-9]{4}$ ]] && [ -n "${opt:-}" ] && opts[$num]=$opt
done < <(sed -e 's/#.*//' "$here/tests.list")

# Test numbers: arguments (space or comma separated) or tests.list.
tests=()
add_test() {
  local t=$1
  [[ $t =~ ^[0-9]{1,4}$ ]] || { echo "run.sh: not a test number: '$t'" >&2; exit 2; }
  tests+=("$(printf '%04d' "$((10#$t))")")
}
if [ $# -gt 0 ]; then
  for a in "$@"; do
    IFS=', ' read -r -a parts <<<"$a"
    for t in "${parts[@]}"; do [ -n "$t" ] && add_test "$t"; done
  done
else
  while read -r num _; do
    [ -n "$num" ] && add_test "$num"
  done < <(sed -e 's/#.*//' "$here/tests.list")
fi
[ ${#tests[@]} -gt 0 ] || { echo "run.sh: no tests selected" >&2; exit 2; }

# Fail fast, with a clear message, when nothing listens at the broker address.
if [ "${RDK_SKIP_PREFLIGHT:-0}" != 1 ]; then
  # shellcheck disable=SC2016  # $1/$2 expand in the inner shell
  if ! err=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>&1); then
    err=${err##*: }
    echo "run.sh: ERROR: cannot connect to the Kafka broker at $broker (${err:-timed out after 5s})" >&2
    echo "run.sh: start the broker first (or set RDK_SKIP_PREFLIGHT=1)" >&2
    exit 2
  fi
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
conf=$out/test.conf
{
  echo "# Written by tests/rdkafka_suite/run.sh"
  echo "bootstrap.servers=$broker"
  # Avoid IPv6 attempts (and their connection errors, which fail tests) for names like localhost.
  [[ $host == *:* ]] || echo "broker.address.family=v4"
  echo "test.timeout.multiplier=${RDK_TIMEOUT_MULTIPLIER:-1}"
  [ -z "${RDK_TEST_CONF_EXTRA:-}" ] || printf '%s\n' "$RDK_TEST_CONF_EXTRA"
} >"$conf"

strip_colors() { sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\x1b(B//g'; }

echo "run.sh: broker $broker, TEST_KAFKA_VERSION=$kafka_version, test-runner $runner_args"
echo "run.sh: ${#tests[@]} test(s): ${tests[*]}"
echo "run.sh: test.conf: $conf; logs: $out/<test>/test.log"

declare -A result reason duration
n=0
failed=0
suite_start=$SECONDS
for t in "${tests[@]}"; do
  n=$((n + 1))
  dir=$out/$t
  rm -rf "$dir"; mkdir -p "$dir"
  start=$SECONDS
  args=$runner_args
  if [ "${opts[$t]:-}" = full ]; then
    args=$(sed -E 's/(^| )-Q( |$)/ /g' <<<"$args")
  fi
  printf '[%d/%d] %s%s ... ' "$n" "${#tests[@]}" "$t" "${opts[$t]:+ (${opts[$t]})}"
  [ "${RDK_VERBOSE:-0}" != 1 ] || echo
  # All writers append to test.log (the directory is fresh).
  # shellcheck disable=SC2086,SC2094
  (
    cd "$dir" || exit 99
    export TESTS=$t TEST_KAFKA_VERSION=$kafka_version RDKAFKA_TEST_CONF=$conf \
           TEST_REPORT=$dir/report.json RDKAFKA_GITVER=librdkafka-2.0.2
    # Not exec'd: this subshell reaps the test-runner, so a crash (abort) is reported in the
    # log rather than as a job message of run.sh.
    if [ "${RDK_VERBOSE:-0}" = 1 ]; then
      timeout -k 10 "$wall_timeout" "$runner" $args 2>&1 | tee -a "$dir/test.log"
      rc=${PIPESTATUS[0]}
    else
      timeout -k 10 "$wall_timeout" "$runner" $args >>"$dir/test.log" 2>&1
      rc=$?
    fi
    exit "$rc"
  ) 2>>"$dir/test.log"
  rc=$?
  duration[$t]=$((SECONDS - start))

  # Sub-test states for this number from the JSON report: "name": "0012_x", "state": "PASSED".
  states=$(grep -o "\"name\": \"${t}_[^\"]*\", \"state\": \"[A-Z]*\"" "$dir/report.json" 2>/dev/null \
             | sed -E 's/.*"name": "([^"]*)", "state": "([A-Z]*)"/\1=\2/')
  why=
  if { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } && ! grep -q 'timed out' "$dir/test.log"; then
    res=FAIL; why="killed after the ${wall_timeout}s wall-clock limit (RDK_TEST_TIMEOUT)"
  elif grep -qE '=(FAILED|RUNNING)$' <<<"$states"; then
    res=FAIL
  elif [ "$rc" -ne 0 ]; then
    res=FAIL; why="test-runner exited with status $rc"
  elif grep -qE '=PASSED$' <<<"$states"; then
    res=PASS
  elif [ -n "$states" ]; then
    res=SKIP
    why=$(strip_colors <"$dir/test.log" | grep -m1 -oE 'SKIPPING TEST: .*' || true)
    why=${why:-all sub-tests skipped (local-only, broker version or scenario gated)}
  else
    res=FAIL; why="no test $t in this test-runner (or no report written)"
  fi
  if [ "$res" = FAIL ]; then
    # The first failure message: the line after '### Test "..." failed at ...'.
    msg=$(strip_colors <"$dir/test.log" | grep -m1 -A1 -E '^### Test .* failed at ' | tail -n1)
    if [[ -z $msg || $msg == [Ss]ee\ *previous* ]]; then
      # Sub-test failures are only counted at the end; show the first one.
      warn=$(strip_colors <"$dir/test.log" | grep -v 'SKIPPING' | grep -m1 'WARN: ' | sed -E 's/^\[[^]]*\] //' || true)
      msg="$msg${warn:+${msg:+: }$warn}"
    fi
    [ -z "$msg" ] || why="$msg${why:+ [$why]}"
  fi
  result[$t]=$res
  reason[$t]=$why
  printf '%s (%ss)%s\n' "$res" "${duration[$t]}" "${why:+ - $why}"
  if [ "$res" = FAIL ]; then
    failed=$((failed + 1))
    if [ "${RDK_VERBOSE:-0}" != 1 ]; then
      echo "    --- last 25 lines of $dir/test.log:"
      strip_colors <"$dir/test.log" | tail -n 25 | sed 's/^/    | /'
    fi
  fi
done

pass=0; skip=0
echo
echo "=================== librdkafka test suite vs $broker ==================="
for t in "${tests[@]}"; do
  case ${result[$t]} in PASS) pass=$((pass + 1)) ;; SKIP) skip=$((skip + 1)) ;; esac
  printf '  %s  %-4s %5ss  %s\n' "$t" "${result[$t]}" "${duration[$t]}" "${reason[$t]}"
done
echo "========================================================================"
echo "  ${#tests[@]} selected: $pass passed, $failed failed, $skip skipped in $((SECONDS - suite_start))s"
echo "  logs: $out/<test>/test.log"
[ "$failed" -eq 0 ]
