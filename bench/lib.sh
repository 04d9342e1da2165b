# shellcheck shell=bash disable=SC2034,SC2119,SC2120
# Shared by the benchmarks that need PostgreSQL: a throwaway cluster with seed 001's 12-column
# transactions table in database "bench", and `sluice run` started and watched. Source it after
# setting `root`; call bench_setup NAME once.

now() { date +%s.%N; }

bench_setup() {  # name: sets sluice, bindir, work, port and psql; removes everything on exit
  build=${BUILD_DIR:-$root/build}
  [ -x "$build/sluice" ] || bash "$root/scripts/build.sh" "$build" >/dev/null
  sluice=$build/sluice
  bindir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
  work=$(mktemp -d "/tmp/sluice-$1-XXXXXX")
  chmod 755 "$work"  # the postgres user reaches the cluster below it
  trap bench_cleanup EXIT
  "$sluice" pg up --dir "$work/pg" >/dev/null
  port=$(cat "$work/pg/port")
  "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE bench"
  psql <<'SQL'
CREATE TABLE transactions (transaction_id VARCHAR(255) PRIMARY KEY, user_id VARCHAR(255),
  timestamp TIMESTAMP, amount DECIMAL, currency VARCHAR(255), city VARCHAR(255),
  country VARCHAR(255), merchant_name VARCHAR(255), payment_method VARCHAR(255),
  ip_address VARCHAR(255), voucher_code VARCHAR(255), affiliateId VARCHAR(255));
CREATE PUBLICATION dbz_publication FOR TABLE transactions;
SQL
}

psql() { "$bindir/psql" -X -q -At -h 127.0.0.1 -p "$port" -U postgres -d bench -v ON_ERROR_STOP=1 "$@"; }

bench_cleanup() {
  # A `sluice run` left running by an interrupted run (a child of a subshell).
  if [ -s "$work/run.pid" ]; then kill -TERM "$(cat "$work/run.pid")" 2>/dev/null || true; sleep 1; fi
  "$sluice" pg down --dir "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}

# start_run CONFIG TIMEOUT_S: starts `sluice run --connector CONFIG` on a fresh data dir
# ($work/data); sets run_pid and kport. run_alive fails the benchmark when it exited early or
# the timeout passed.
start_run() {
  rm -rf "$work/data" "$work/kport"
  run_deadline=$(( $(date +%s) + $2 ))
  "$sluice" run --data-dir "$work/data" --kafka-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --port-file "$work/kport" \
    --connector "$1" </dev/null >/dev/null 2>"$work/sluice.err" &
  run_pid=$!
  echo "$run_pid" >"$work/run.pid"
  until [ -s "$work/kport" ]; do run_alive; sleep 0.01; done
  kport=$(head -n1 "$work/kport")
}

run_alive() {
  kill -0 "$run_pid" 2>/dev/null || { echo "sluice run exited early" >&2; cat "$work/sluice.err" >&2; exit 1; }
  [ "$(date +%s)" -lt "$run_deadline" ] || { echo "sluice run: timed out" >&2; exit 1; }
}

stop_run() {  # peak RSS (kB) into $1, then SIGTERM and wait
  awk '/^VmHWM/ {print $2}' "/proc/$run_pid/status" >"$1"
  kill -TERM "$run_pid" 2>/dev/null || true
  wait "$run_pid" || { echo "sluice run exited with $? on SIGTERM" >&2; cat "$work/sluice.err" >&2; }
  rm -f "$work/run.pid"
}
