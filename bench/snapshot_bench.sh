#!/usr/bin/env bash
# Initial snapshot benchmark: sluice reading a table into Debezium records next to COPY of the
# same table, measured in the same run on seed 001's 12-column transactions table.
#   COPY:    psql -c "COPY transactions TO STDOUT" (text format), the floor for reading the table
#   file:    sluice capture with snapshot.mode=initial_only into a file, snapshot.max.threads=1
#            and the default (4); schemas disabled, then once with schemas enabled
#   topics:  sluice run --connector (initial_only) into the embedded log's topic, until the
#            topic's end offsets sum to the row count
# Each line gives rows/s, MB/s of COPY's text size (the same table bytes for every line), the
# ratio to COPY's time (1.00: as fast as COPY) and sluice's peak RSS.
# Each sluice configuration runs --repeat times (default 2; the schemas-enabled one once, as it
# writes about 4 KB per row) and the fastest run counts; peak RSS is the largest of the runs.
# Usage: bench/snapshot_bench.sh [--rows N] [--repeat N] [--no-schemas] [--no-topics]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ROWS=5000000 REPEAT=2 SCHEMAS=1 TOPICS=1
while [ $# -gt 0 ]; do
  case $1 in
    --rows) ROWS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --no-schemas) SCHEMAS=0; shift ;;
    --no-topics) TOPICS=0; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ "$TOPICS" = 1 ] && ! command -v kcat >/dev/null; then
  echo "kcat not found: skipping the topics run" >&2
  TOPICS=0
fi
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
bench_setup snapbench
echo "sluice snapshot benchmark: $ROWS rows ($(nproc) cores)"
t0=$(now)
# In steps of 1,000,000 rows (one transaction each), asynchronously committed.
for ((first = 0; first < ROWS; first += 1000000)); do
  last=$(( first + 1000000 < ROWS ? first + 1000000 : ROWS ))
  psql -c "SET synchronous_commit = off" -c "INSERT INTO transactions SELECT md5(g::text),
    'user' || (g % 1000), timestamp '2024-01-01' + g * interval '1 second',
    round((random() * 990 + 10)::numeric, 2), 'USD', 'Lagos', 'Nigeria', 'Acme Ltd',
    'credit_card', '10.1.2.3', '', md5((g + 1)::text) FROM generate_series($first, $((last - 1))) g"
done
psql -c "VACUUM ANALYZE transactions" -c "CHECKPOINT" >/dev/null
printf 'table loaded in %.1f s: %s of heap\n' "$(echo "$(now) - $t0" | bc -l)" \
  "$(psql -c "SELECT pg_size_pretty(pg_table_size('transactions'))")"

connector() {  # name snapshot-mode schemas(true|false) threads -> config path
  cat >"$work/$1.json" <<JSON
{"name":"bench-$1","config":{"connector.class":"io.debezium.connector.postgresql.PostgresConnector",
 "database.hostname":"127.0.0.1","database.port":"$port","database.user":"postgres",
 "database.dbname":"bench","topic.prefix":"cdc","slot.name":"$1","snapshot.mode":"$2",
 "decimal.handling.mode":"string","key.converter.schemas.enable":"$3",
 "value.converter.schemas.enable":"$3","snapshot.max.threads":"$4"}}
JSON
  echo "$work/$1.json"
}
drop_slot() { psql -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$1'" >/dev/null; }

run_copy() {  # -> seconds; the text size in $work/copy.size
  local t0 t1
  t0=$(now)
  psql -c "COPY transactions TO STDOUT" | wc -c >"$work/copy.size"
  t1=$(now)
  echo "$t1 - $t0" | bc -l
}

run_file() {  # slot schemas threads -> seconds; output size in $work/out.size, peak RSS (kB) in $work/rss
  local cfg t0 t1 lines
  cfg=$(connector "$1" initial_only "$2" "$3")
  rm -f "$work/out.jsonl" "$work/out.jsonl.pos"
  t0=$(now)
  /usr/bin/time -f %M -o "$work/rss" "$sluice" capture "$cfg" --output "$work/out.jsonl" \
    </dev/null >/dev/null 2>"$work/sluice.err" || { cat "$work/sluice.err" >&2; exit 1; }
  t1=$(now)
  stat -c %s "$work/out.jsonl" >"$work/out.size"
  lines=$(wc -l <"$work/out.jsonl")
  [ "$lines" -eq "$ROWS" ] || echo "warning: $lines records in the output, $ROWS expected" >&2
  grep -o 'snapshot completed.*' "$work/sluice.err" | tail -1 >"$work/progress" || true
  rm -f "$work/out.jsonl" "$work/out.jsonl.pos"
  drop_slot "$1"
  echo "$t1 - $t0" | bc -l
}

topic=cdc.public.transactions
topic_end() {  # kafka-port -> the topic's high watermark, summed over its partitions
  local args=() p parts
  parts=$(kcat -b "127.0.0.1:$1" -L -t "$topic" 2>/dev/null | grep -c '^ *partition [0-9]*,' || true)
  [ "${parts:-0}" -gt 0 ] || { echo 0; return; }
  for ((p = 0; p < parts; p++)); do args+=(-t "$topic:$p:-1"); done
  { kcat -b "127.0.0.1:$1" -Q "${args[@]}" 2>/dev/null || true; } |
    awk '/ offset [0-9]+$/ {s += $NF} END {printf "%.0f\n", s}'
}

run_topics() {  # slot -> seconds; topic bytes in $work/out.size, VmHWM (kB) in $work/rss
  local cfg data=$work/data t0 t1 got=0
  cfg=$(connector "$1" initial_only false 4)
  t0=$(now)
  start_run "$cfg" 1800
  while :; do
    run_alive
    got=$(topic_end "$kport")
    [ "$got" -ge "$ROWS" ] && break
    sleep 0.05
  done
  t1=$(now)
  stop_run "$work/rss"
  [ "$got" -eq "$ROWS" ] || echo "warning: topic $topic holds $got records, $ROWS expected" >&2
  grep -o 'snapshot completed.*' "$work/sluice.err" | tail -1 >"$work/progress" || true
  find "$data/topics/$topic" -name '*.log' -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}' \
    >"$work/out.size"
  rm -rf "$data"
  drop_slot "$1"
  echo "$t1 - $t0" | bc -l
}

min() { echo "if ($1 < $2) $1 else $2" | bc -l; }

# COPY twice (the first run may find a cold cache); the faster counts.
c1=$(run_copy)
c2=$(run_copy)
copy_s=$(min "$c1" "$c2")
copy_bytes=$(cat "$work/copy.size")
printf '%-44s %7.2f s %9.0f rows/s %7.1f MB/s\n' "COPY TO STDOUT (text, $((copy_bytes / 1048576)) MB)" \
  "$copy_s" "$(echo "$ROWS / $copy_s" | bc -l)" "$(echo "$copy_bytes / $copy_s / 1048576" | bc -l)"

report() {  # label seconds
  printf '%-44s %7.2f s %9.0f rows/s %7.1f MB/s | ratio to COPY %.2f | output %5d MB | peak RSS %4d MB\n' \
    "$1" "$2" "$(echo "$ROWS / $2" | bc -l)" "$(echo "$copy_bytes / $2 / 1048576" | bc -l)" \
    "$(echo "$copy_s / $2" | bc -l)" "$(( $(cat "$work/out.size") / 1048576 ))" \
    "$(( $(cat "$work/rss") / 1024 ))"
  [ -s "$work/progress" ] && echo "    sluice: $(cat "$work/progress")"
  return 0
}

best() {  # times command args... -> the fastest run's seconds (its progress line kept); the
          # largest peak RSS in $work/rss
  local n=$1 i t s="" rss=0
  shift
  for ((i = 0; i < n; i++)); do
    t=$("$@")
    [ "$(cat "$work/rss")" -gt "$rss" ] && rss=$(cat "$work/rss")
    if [ -z "$s" ] || [ "$(echo "$t < $s" | bc -l)" = 1 ]; then
      s=$t
      cp "$work/progress" "$work/progress.best"
    fi
  done
  echo "$rss" >"$work/rss"
  mv "$work/progress.best" "$work/progress"
  echo "$s"
}

# (Assigned first, so that a failed run stops the script under set -e.)
s=$(best "$REPEAT" run_file f1 false 1)
report "sluice capture, file, 1 thread" "$s"
s=$(best "$REPEAT" run_file f4 false 4)
report "sluice capture, file, 4 threads" "$s"
if [ "$SCHEMAS" = 1 ]; then
  s=$(best 1 run_file f4s true 4)
  report "sluice capture, file, 4 threads, schemas" "$s"
fi
if [ "$TOPICS" = 1 ]; then
  s=$(best "$REPEAT" run_topics t4)
  report "sluice run --connector, topic, 4 threads" "$s"
fi
