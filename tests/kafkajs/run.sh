#!/usr/bin/env bash
# Runs the KafkaJS (2.2.4) client tests against sluice's embedded Kafka-compatible broker.
#
#   tests/kafkajs/run.sh [SLUICE_BINARY] [TEST_FILE...]
#
# SLUICE_BINARY defaults to build/sluice under the repo root (a relative path is looked up from
# the current directory, then from the repo root; "" means the default). TEST_FILE (e.g.
# admin.test.mjs) selects test files in tests/kafkajs; default: every *.test.mjs there.
#
# Installs the npm dependencies with `npm ci` when node_modules is missing or stale (package.json
# or package-lock.json changed since the last install), then starts two brokers of its own on
# temporary data directories and ephemeral loopback ports:
#   - a plain one            -> SLUICE_BROKER=127.0.0.1:PORT (--partitions 2:
#                               SLUICE_DEFAULT_PARTITIONS=2)
#   - one with --sasl-user   -> SLUICE_SASL_BROKER=127.0.0.1:PORT (alice:secret, SASL/PLAIN)
# runs `node --test` on the test files, stops both brokers by PID and removes the temporary
# directory. Exits with node's status: nonzero when a test failed; 2 on set-up errors.
#
# Environment:
#   KAFKAJS_TEST_TIMEOUT   wall-clock limit of the whole `node --test` run in seconds (default 240)
#   KAFKAJS_CONCURRENCY    test files run at once (default 1)
#   KEEP_TMP=1             keep the temporary directory (broker logs and data) after the run
#   SLUICE_LOG=1           print the broker logs at the end even when every test passed
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() { printf 'kafkajs/run.sh: ERROR: %s\n' "$*" >&2; exit 2; }
log() { printf 'kafkajs/run.sh: %s\n' "$*"; }

case ${1:-} in -h|--help) sed -n '2,/^set -E/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;; esac

# shellcheck source=tests/node_lib.sh
. "$repo/tests/node_lib.sh"
resolve_sluice "${1:-}"
[ $# -gt 0 ] && shift  # the rest are test files
require_node

# ---------------------------------------------------------------------------------------------
# Dependencies: npm ci only when node_modules is missing or does not match the lock file.
npm_deps kafkajs

# ---------------------------------------------------------------------------------------------
# Temporary directory, brokers, clean-up.
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-kafkajs.XXXXXX")
pids=()
names=()
node_pid=

stop_brokers() {
  local i pid
  for i in "${!pids[@]}"; do
    pid=${pids[$i]}
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "broker ${names[$i]} (pid $pid) did not stop within 10s of SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null || true   # timeout passes it on to node
    wait "$node_pid" 2>/dev/null || true
  fi
  stop_brokers
  if [ "$status" -ne 0 ] || [ "${SLUICE_LOG:-0}" = 1 ]; then
    for n in "${names[@]}"; do
      [ -s "$work/$n.log" ] || continue
      printf '\n----- broker %s log (last 40 lines of %s) -----\n' "$n" "$work/$n.log"
      tail -n 40 "$work/$n.log"
    done
  fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_broker NAME VAR [EXTRA ARGS...]: starts a broker and exports VAR=127.0.0.1:PORT.
start_broker() {
  local name=$1 var=$2; shift 2
  local port_file=$work/$name.port data=$work/$name-data port pid
  rm -f "$port_file"
  mkdir -p "$data"
  "$sluice" run --data-dir "$data" --kafka-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --port-file "$port_file" \
    --group-initial-rebalance-delay-ms 100 "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  names+=("$name")
  for _ in $(seq 1 200); do
    [ -s "$port_file" ] && break
    kill -0 "$pid" 2>/dev/null || { tail -n 40 "$work/$name.log" >&2; die "broker $name exited before listening"; }
    sleep 0.05
  done
  [ -s "$port_file" ] || die "broker $name did not write its port file within 10s"
  port=$(head -n1 "$port_file" | tr -dc '0-9')
  [ -n "$port" ] || die "broker $name wrote an empty port file"
  export "$var=127.0.0.1:$port"
  log "broker $name: pid $pid, 127.0.0.1:$port"
}

# num.partitions of the plain broker: what CreateTopics with numPartitions -1 gives (admin test).
export SLUICE_DEFAULT_PARTITIONS=2
start_broker plain SLUICE_BROKER --partitions "$SLUICE_DEFAULT_PARTITIONS"
start_broker sasl SLUICE_SASL_BROKER --sasl-user alice:secret

# ---------------------------------------------------------------------------------------------
cd "$here"
files=()
if [ $# -gt 0 ]; then
  for f in "$@"; do
    f=${f#tests/kafkajs/}
    [ -f "$f" ] || die "no such test file: $f"
    files+=("$f")
  done
else
  files=(*.test.mjs)
fi

log "node --test ${files[*]}"
# In the background and waited for, so that INT/TERM run the clean-up at once.
timeout -k 10 "${KAFKAJS_TEST_TIMEOUT:-240}" \
  node --test --test-reporter=spec --test-concurrency="${KAFKAJS_CONCURRENCY:-1}" "${files[@]}" &
node_pid=$!
status=0
wait "$node_pid" || status=$?
node_pid=
[ "$status" -ne 124 ] || log "node --test killed after ${KAFKAJS_TEST_TIMEOUT:-240}s (KAFKAJS_TEST_TIMEOUT)"
exit "$status"
