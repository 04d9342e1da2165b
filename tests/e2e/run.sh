#!/usr/bin/env bash
# Browser test of the web console: headless Chromium (Debian's) driven by playwright-core.
#
#   tests/e2e/run.sh [SLUICE_BINARY]
#
# SLUICE_BINARY defaults to build/sluice under the repo root (a relative path is looked up from
# the current directory, then from the repo root; "" means the default).
#
# Installs the npm dependencies with `npm ci` when node_modules is missing or stale, then, in a
# temporary directory:
#   - starts a throwaway PostgreSQL (`sluice pg up`), exported as PGHOST/PGPORT/PGUSER/PGDATABASE
#   - starts `sluice run` on ephemeral loopback ports -> SLUICE_HTTP=http://127.0.0.1:PORT,
#     SLUICE_KAFKA=127.0.0.1:PORT
# runs `node --test console.test.mjs`, stops sluice and PostgreSQL by PID / `sluice pg down`, and
# removes the temporary directory. Screenshots of every view and the server's log are kept in
# build/e2e-artifacts/ (E2E_ARTIFACTS overrides). Exits with node's status; 2 on set-up errors.
#
# Environment:
#   CHROMIUM            the browser binary (default /usr/bin/chromium)
#   E2E_TEST_TIMEOUT    wall-clock limit of the node run in seconds (default 300)
#   KEEP_TMP=1          keep the temporary directory (PostgreSQL, sluice's data) after the run
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() { printf 'e2e/run.sh: ERROR: %s\n' "$*" >&2; exit 2; }
log() { printf 'e2e/run.sh: %s\n' "$*"; }

case ${1:-} in -h|--help) sed -n '2,/^set -E/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;; esac

# shellcheck source=tests/node_lib.sh
. "$repo/tests/node_lib.sh"
resolve_sluice "${1:-}"
"$sluice" run --help 2>/dev/null | grep -q -- --http-listen || die "$sluice has no --http-listen (an old build?)"
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || die "Chromium not found at $CHROMIUM (scripts/setup.sh installs Debian's chromium)"
require_node
command -v psql >/dev/null || die "psql not found (Debian's postgresql-client)"

# ---------------------------------------------------------------------------------------------
# Dependencies: npm ci only when node_modules is missing or does not match the lock file.
npm_deps playwright-core

export E2E_ARTIFACTS=${E2E_ARTIFACTS:-$repo/build/e2e-artifacts}
mkdir -p "$E2E_ARTIFACTS"
rm -f "$E2E_ARTIFACTS"/*.png "$E2E_ARTIFACTS"/sluice.log

# ---------------------------------------------------------------------------------------------
# Temporary directory (reachable by the postgres user when run as root), services, clean-up.
work=$(mktemp -d "${TMPDIR:-/tmp}/sluice-e2e.XXXXXX")
chmod 755 "$work"
export E2E_TMP=$work
sluice_pid=
node_pid=
pg_started=0

stop_sluice() {
  [ -n "$sluice_pid" ] || return 0
  if kill -0 "$sluice_pid" 2>/dev/null; then
    kill -TERM "$sluice_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$sluice_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$sluice_pid" 2>/dev/null; then
      log "sluice (pid $sluice_pid) did not stop within 10s of SIGTERM; sending SIGKILL"
      kill -KILL "$sluice_pid" 2>/dev/null || true
    fi
  fi
  wait "$sluice_pid" 2>/dev/null || true
  sluice_pid=
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null || true   # timeout passes it on to node
    wait "$node_pid" 2>/dev/null || true
  fi
  stop_sluice
  [ -f "$work/sluice.log" ] && cp "$work/sluice.log" "$E2E_ARTIFACTS/sluice.log"
  if [ "$pg_started" = 1 ]; then
    "$sluice" pg down --dir "$work/pg" --keep >/dev/null 2>&1 || log "sluice pg down failed"
  fi
  if [ "$status" -ne 0 ] && [ -s "$work/sluice.log" ]; then
    printf '\n----- sluice log (last 40 lines of %s) -----\n' "$E2E_ARTIFACTS/sluice.log"
    tail -n 40 "$work/sluice.log"
  fi
  if [ "${KEEP_TMP:-0}" = 1 ]; then
    log "kept $work"
  else
    rm -rf "$work"
  fi
  log "screenshots in $E2E_ARTIFACTS"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# PostgreSQL: `sluice pg up` prints "host=127.0.0.1 port=P user=postgres dbname=postgres".
pg_started=1
conninfo=$("$sluice" pg up --dir "$work/pg") || die "sluice pg up failed"
export PGHOST=127.0.0.1
PGPORT=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$conninfo")
[ -n "$PGPORT" ] || die "cannot read the port from: $conninfo"
export PGPORT PGUSER=postgres PGDATABASE=postgres
log "PostgreSQL: $conninfo"

# sluice run: --port-file gets the Kafka port on line 1 and the HTTP port on line 2.
port_file=$work/ports
"$sluice" run --data-dir "$work/data" --kafka-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
  --port-file "$port_file" --group-initial-rebalance-delay-ms 100 >"$work/sluice.log" 2>&1 &
sluice_pid=$!
for _ in $(seq 1 200); do
  [ "$(wc -l <"$port_file" 2>/dev/null || echo 0)" -ge 2 ] && break
  kill -0 "$sluice_pid" 2>/dev/null || { tail -n 40 "$work/sluice.log" >&2; die "sluice exited before listening"; }
  sleep 0.05
done
kafka_port=$(sed -n 1p "$port_file" 2>/dev/null | tr -dc '0-9')
http_port=$(sed -n 2p "$port_file" 2>/dev/null | tr -dc '0-9')
[ -n "$kafka_port" ] && [ -n "$http_port" ] || die "sluice did not write both ports to $port_file within 10s"
export SLUICE_KAFKA=127.0.0.1:$kafka_port SLUICE_HTTP=http://127.0.0.1:$http_port
log "sluice: pid $sluice_pid, Kafka $SLUICE_KAFKA, console $SLUICE_HTTP/"

# ---------------------------------------------------------------------------------------------
cd "$here"
log "node --test console.test.mjs"
started=$(date +%s)
timeout -k 10 "${E2E_TEST_TIMEOUT:-300}" node --test --test-reporter=spec console.test.mjs &
node_pid=$!
status=0
wait "$node_pid" || status=$?
node_pid=
[ "$status" -ne 124 ] || log "node --test killed after ${E2E_TEST_TIMEOUT:-300}s (E2E_TEST_TIMEOUT)"
log "browser test took $(( $(date +%s) - started ))s"
exit "$status"
