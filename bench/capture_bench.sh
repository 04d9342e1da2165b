#!/usr/bin/env bash
# Capture benchmark: sluice next to pg_recvlogical draining an identical backlog from a pgoutput
# slot of its own, in the same run, on seed 001's 12-column transactions table.
#   A: one transaction of ROWS rows (default 1,000,000)
#   B: TXNS single-row transactions (default 100,000)
#   C: commit-to-durable-output latency at RATE transactions/s (default 10,000)
#   D: MIX changes made by `sluice generate transactions` (default 200,000): 60% inserts, 30%
#      updates, 10% deletes of realistic rows, 1,000 changes a transaction
# Usage: bench/capture_bench.sh [--rows N] [--txns N] [--rate N] [--seconds N] [--mix N]
#                               [--latency-only] [--topics]
# --topics: sluice's side is the server, `sluice run --connector`, writing the events to the
# embedded log's topic cdc.public.transactions (fsynced, exactly once) instead of a file; a run
# lasts from the server's start until the connector's saved position (connect-offsets, appended
# only after the fsync) covers all the events, seen by polling with kcat. Peak RSS is the
# server's VmHWM. No latency section (C) in this mode.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ROWS=1000000 TXNS=100000 RATE=10000 SECONDS_C=10 MIX=200000 SKIP_THROUGHPUT=0 TOPICS=0
while [ $# -gt 0 ]; do
  case $1 in
    --rows) ROWS=$2; shift 2 ;;
    --txns) TXNS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --mix) MIX=$2; shift 2 ;;
    --seconds) SECONDS_C=$2; shift 2 ;;
    --latency-only) SKIP_THROUGHPUT=1; shift ;;
    --topics) TOPICS=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ "$TOPICS" = 1 ]; then
  [ "$SKIP_THROUGHPUT" = 0 ] || { echo "--latency-only and --topics exclude each other" >&2; exit 2; }
  command -v kcat >/dev/null || { echo "--topics needs kcat" >&2; exit 2; }
fi
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
build=${BUILD_DIR:-$root/build}
[ -x "$build/sluice" ] && [ -x "$build/bench/latency_probe" ] || bash "$root/scripts/build.sh" "$build" >/dev/null
bench_setup bench
psql <<'SQL'
CREATE PROCEDURE gen_rows(first bigint, n bigint, per_tx bigint, rate int) LANGUAGE plpgsql AS $$
DECLARE i bigint := 0; t0 timestamptz := clock_timestamp();
BEGIN
  WHILE i < n LOOP
    INSERT INTO transactions SELECT md5((first + g)::text), 'user' || (g % 1000),
      now()::timestamp(0), round((random() * 990 + 10)::numeric, 2), 'USD', 'Lagos', 'Nigeria',
      'Acme Ltd', 'credit_card', '10.1.2.3', '', md5(g::text)
      FROM generate_series(i, least(i + per_tx, n) - 1) g;
    i := i + per_tx;
    COMMIT;
    IF rate > 0 AND i % 100 = 0 THEN
      PERFORM pg_sleep(greatest(0, i::float8 / rate - extract(epoch FROM clock_timestamp() - t0)));
    END IF;
  END LOOP;
END $$;
SQL

connector() {  # slot, schemas(true|false)
  cat >"$work/$1.json" <<JSON
{"name":"bench","config":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector",
 "database.hostname":"127.0.0.1","database.port":"$port","database.user":"postgres",
 "database.dbname":"bench","topic.prefix":"cdc","slot.name":"$1","snapshot.mode":"no_data",
 "decimal.handling.mode":"string","key.converter.schemas.enable":"$2",
 "value.converter.schemas.enable":"$2"}}
JSON
  echo "$work/$1.json"
}
mkslots() { for s in "$@"; do psql -c "SELECT pg_create_logical_replication_slot('$s', 'pgoutput')" >/dev/null; done; }

run_recvlogical() {  # slot endpos -> seconds. Output to /dev/null: the physical limit of one slot.
  local t0 t1
  t0=$(now)
  "$bindir/pg_recvlogical" -h 127.0.0.1 -p "$port" -U postgres -d bench --slot "$1" --start \
    --endpos "$2" -o proto_version=1 -o publication_names=dbz_publication -f /dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

run_sluice() {  # config events -> seconds; output size in $work/sluice.size, peak RSS in $work/sluice.rss
  local t0 t1
  rm -f "$work/out.jsonl" "$work/out.jsonl.pos"
  t0=$(now)
  /usr/bin/time -f %M -o "$work/sluice.rss" "$sluice" capture "$1" --output "$work/out.jsonl" --max-events "$2" 2>"$work/sluice.err" || { cat "$work/sluice.err"; exit 1; }
  t1=$(now)
  stat -c %s "$work/out.jsonl" >"$work/sluice.size"
  rm -f "$work/out.jsonl" "$work/out.jsonl.pos"
  echo "$t1 - $t0" | bc -l
}

topic=cdc.public.transactions

topic_end() {  # kafka-port partitions -> the topic's high watermark, summed over its partitions
  local args=() p
  for ((p = 0; p < $2; p++)); do args+=(-t "$topic:$p:-1"); done
  { kcat -b "127.0.0.1:$1" -Q "${args[@]}" 2>/dev/null || true; } | awk '/ offset [0-9]+$/ {s += $NF} END {print s + 0}'
}

durable_end() {  # kafka-port -> the events the connector's last saved position covers
  { kcat -b "127.0.0.1:$1" -C -t connect-offsets -p 0 -o -1 -c 1 -e -q -f '%s\n' 2>/dev/null || true; } |
    { grep -o "\"$topic/[0-9]*\":[0-9]*" || true; } | awk -F: '{s += $2} END {print s + 0}'
}

run_topics() {  # config events -> seconds; topic bytes in $work/sluice.size, VmHWM in $work/sluice.rss
  local cfg=$1 n=$2 data=$work/data t0 t1 parts="" got=0
  t0=$(now)
  start_run "$cfg" 900
  # Cheap polling of the high watermark (one ListOffsets request) until the topic holds all the
  # events; the partition count once the connector has made the topic.
  while :; do
    run_alive
    if [ -z "$parts" ] && kcat -b "127.0.0.1:$kport" -Q -t "$topic:0:-1" >/dev/null 2>&1; then
      parts=$(kcat -b "127.0.0.1:$kport" -L -t "$topic" | grep -c '^ *partition [0-9]*,' || true)
    fi
    if [ -n "$parts" ]; then
      got=$(topic_end "$kport" "$parts")
      [ "$got" -ge "$n" ] && break
    fi
    sleep 0.02
  done
  # Then until they are durable: the position is saved only after the fsync.
  until got=$(durable_end "$kport"); [ "$got" -ge "$n" ]; do run_alive; sleep 0.01; done
  t1=$(now)
  stop_run "$work/sluice.rss"
  [ "$got" -eq "$n" ] || echo "warning: topic $topic holds $got events, $n expected" >&2
  find "$data/topics/$topic" -name '*.log' -printf '%s\n' | awk '{s += $1} END {print s + 0}' \
    >"$work/sluice.size"
  rm -rf "$data"
  echo "$t1 - $t0" | bc -l
}

report() {  # label events recv_s sluice_s
  local name=$1 n=$2 rs=$3 ss=$4
  printf '%-38s pg_recvlogical %8.0f ev/s | %s %8.0f ev/s %6.1f MB/s, peak RSS %s MB | ratio %.2f\n' \
    "$name" "$(echo "$n / $rs" | bc -l)" "$side" "$(echo "$n / $ss" | bc -l)" \
    "$(echo "$(cat "$work/sluice.size") / $ss / 1048576" | bc -l)" \
    "$(( $(cat "$work/sluice.rss") / 1024 ))" "$(echo "$rs / $ss" | bc -l)"
}

if [ "$TOPICS" = 1 ]; then side="sluice run, topic" run_side=run_topics
else side=sluice run_side=run_sluice; fi

min() { echo "if ($1 < $2) $1 else $2" | bc -l; }

workload() {  # slot-prefix label events per_tx|generate
  local name=$1 label=$2 n=$3 per_tx=$4
  local slots="${name}_recv1 ${name}_recv2 ${name}_plain1 ${name}_plain2 ${name}_schema"
  mkslots $slots
  if [ "$per_tx" = generate ]; then
    # n changes; the events are one per change plus a tombstone per delete.
    "$sluice" generate transactions --db "host=127.0.0.1 port=$port user=postgres dbname=bench" \
      --count "$n" --mix 60,30,10 --seed 1 2>"$work/generate.txt"
    n=$(sed -n 's/.* \([0-9]*\) inserts, \([0-9]*\) updates, \([0-9]*\) deletes.*/\1 + \2 + 2 * \3/p' \
      "$work/generate.txt" | tail -1 | bc)
    label="$label ($n events)"
  else
    psql -c "SET synchronous_commit = off" -c "CALL gen_rows(0, $n, $per_tx, 0)"
  fi
  local end
  end=$(psql -c "SELECT pg_current_wal_lsn()")
  # Settle the server first: flush the async-committed backlog, and let no autovacuum or
  # checkpoint of the fresh rows run during the measurements.
  psql -c "SELECT pg_switch_wal()" -c "VACUUM ANALYZE transactions" -c "CHECKPOINT" >/dev/null
  # Each side runs twice, interleaved (neither gets only the cold or only the warm cache); the
  # faster run of each counts.
  local r1 r2 s1 s2 rs ss rss1
  r1=$(run_recvlogical "${name}_recv1" "$end")
  s1=$($run_side "$(connector "${name}_plain1" false)" "$n")
  rss1=$(cat "$work/sluice.rss")
  r2=$(run_recvlogical "${name}_recv2" "$end")
  s2=$($run_side "$(connector "${name}_plain2" false)" "$n")
  [ "$rss1" -gt "$(cat "$work/sluice.rss")" ] && echo "$rss1" >"$work/sluice.rss"
  rs=$(min "$r1" "$r2")
  ss=$(min "$s1" "$s2")
  report "$label, schemas disabled" "$n" "$rs" "$ss"
  ss=$($run_side "$(connector "${name}_schema" true)" "$n")
  report "$label, schemas enabled" "$n" "$rs" "$ss"
  for s in $slots; do psql -c "SELECT pg_drop_replication_slot('$s')" >/dev/null; done
}

if [ "$TOPICS" = 1 ]; then
  echo "sluice capture benchmark, sluice run --connector into topic $topic ($(nproc) cores)"
else
  echo "sluice capture benchmark ($(nproc) cores)"
fi
# C: latency at a fixed rate, sluice running live; pgbench drives single-row transactions.
# Commits are asynchronous with the WAL writer flushing every 1 ms (the walsender only sends
# flushed WAL), since 2 cores cannot do 10,000 synchronous commits a second.
psql -c "ALTER TABLE transactions SET (autovacuum_enabled = false)" -c "CHECKPOINT" >/dev/null
if [ "$TOPICS" = 0 ]; then  # C needs the output file (latency_probe follows it): not with --topics
psql -c "ALTER SYSTEM SET wal_writer_delay = '1ms'" -c "ALTER SYSTEM SET wal_writer_flush_after = 0" \
  -c "SELECT pg_reload_conf()" >/dev/null
mkslots lat
cfg=$(connector lat false)
rm -f "$work/out.jsonl" "$work/out.jsonl.pos"
cat >"$work/insert.sql" <<'SQL'
INSERT INTO transactions VALUES (md5(random()::text || clock_timestamp()::text), 'user1',
  now()::timestamp(0), 12.34, 'USD', 'Lagos', 'Nigeria', 'Acme Ltd', 'credit_card', '10.1.2.3', '', 'x');
SQL
"$sluice" capture "$cfg" --output "$work/out.jsonl" 2>"$work/lat.err" </dev/null >/dev/null &
cap=$!
sleep 1
"$build/bench/latency_probe" "$work/out.jsonl" 0 $((SECONDS_C * 3 + 30)) >"$work/lat.txt" &
probe=$!
PGOPTIONS="-c synchronous_commit=off" "$bindir/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres \
  -c 2 -j 1 -M prepared -R "$RATE" -T "$SECONDS_C" \
  -f "$work/insert.sql" bench >"$work/pgbench.txt" 2>&1
wait $probe || true
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$cap/status")
kill -TERM $cap; wait $cap || true
done_tx=$(grep -o 'actually processed: [0-9]*' "$work/pgbench.txt" | grep -o '[0-9]*$')
psql -c "SELECT pg_drop_replication_slot('lat')" -c "TRUNCATE transactions" >/dev/null
printf 'C: latency at %d tx/s (pgbench processed %s in %ss): %s, sluice rss %s MB\n' "$RATE" "$done_tx" \
  "$SECONDS_C" "$(cat "$work/lat.txt")" "$(( rss_kb / 1024 ))"

[ "$SKIP_THROUGHPUT" = 1 ] && exit 0
psql -c "ALTER SYSTEM RESET wal_writer_delay" -c "ALTER SYSTEM RESET wal_writer_flush_after" \
  -c "SELECT pg_reload_conf()" >/dev/null
fi
workload a "A: 1 tx x $ROWS rows" "$ROWS" "$ROWS"
psql -c "TRUNCATE transactions"
workload b "B: $TXNS single-row txs" "$TXNS" 1
psql -c "TRUNCATE transactions"
workload d "D: $MIX generated changes" "$MIX" generate
psql -c "TRUNCATE transactions"

