#!/usr/bin/env bash
# Broker benchmark: `sluice run` against the fsynced sequential write bandwidth of the disk that
# holds its data directory, measured in the same run (before and after the broker runs; the
# better of the two counts, the machine being noisy).
#   disk:     1 MiB appends, each made durable before the next (dd oflag=dsync: the broker's
#             append + fdatasync pattern), MiB/s
#   produce:  acks=all through librdkafka's rdkafka_performance, 1 KiB and 100-byte messages, no
#             rate limit (linger.ms=5, batch.size=1000000); run twice, the better run counts.
#             Ratio: 1 KiB produce MiB/s / disk MiB/s (target >= 0.70)
#   consume:  the same messages read back from the beginning (rdkafka_performance -C)
#   latency:  bench/produce_latency at a fixed rate (default 51,200 1 KiB messages/s = 50 MiB/s),
#             acks=all, produce call -> delivery report, p50/p99/p999 (target p99 < 10 ms); then
#             at a fifth of that rate, for the latency of a broker that is not saturated
#   memory:   VmRSS of the idle broker, VmHWM (peak) after the load
# Sizes are MiB (1,048,576 bytes). Servers listen on 127.0.0.1 only.
# Usage: bench/broker_bench.sh [--quick] [--seconds N] [--rate MSG/S] [--linger MS]
#                              [--latency-linger MS] [--partitions N] [--dir DIR] [--perf]
#   --seconds N         target length of each throughput run (default 5; --quick: 2)
#   --rate N            1 KiB messages/s of the latency run (default 51200)
#   --linger MS         linger.ms of the throughput runs (default 5)
#   --latency-linger MS linger.ms of the latency run (default 1)
#   --dir DIR           where the data directory (and the disk test file) go (default $TMPDIR or /tmp)
#   --perf              also profile `sluice run` (perf record) during the first 1 KiB produce run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
SECS=5 QUICK=0 RATE=51200 LINGER=5 LAT_LINGER=1 PARTITIONS=1 PERF=0 PARENT=${TMPDIR:-/tmp}
SECS_SET=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1; shift ;;
    --seconds) SECS=$2; SECS_SET=1; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --linger) LINGER=$2; shift 2 ;;
    --latency-linger) LAT_LINGER=$2; shift 2 ;;
    --partitions) PARTITIONS=$2; shift 2 ;;
    --dir) PARENT=$2; shift 2 ;;
    --perf) PERF=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  [ "$SECS_SET" = 1 ] || SECS=2
  RUNS=1 LAT_SECS=3 LOW_SECS=2 DISK_MB=128
else
  RUNS=2 LAT_SECS=10 LOW_SECS=5 DISK_MB=$((SECS * 100))
  [ "$DISK_MB" -ge 256 ] || DISK_MB=256
fi

LOW_RATE=$((RATE / 5))
build=${BUILD_DIR:-$root/build}
perf_tool=$build/rdkafka-suite/bin/rdkafka_performance
if [ ! -x "$build/sluice" ] || [ ! -x "$build/bench/produce_latency" ]; then
  # Only the missing helper if the build directory exists (others may have work in progress).
  { [ -x "$build/sluice" ] && cmake --build "$build" --target produce_latency >/dev/null; } ||
    bash "$root/scripts/build.sh" "$build" >/dev/null
fi
[ -x "$perf_tool" ] || bash "$root/tests/rdkafka_suite/build.sh" "$build/rdkafka-suite" >/dev/null
sluice=$build/sluice
latency=$build/bench/produce_latency

mkdir -p "$PARENT"
work=$(mktemp -d "$PARENT/sluice-broker-bench-XXXXXX")
broker=""
cleanup() {
  if [ -n "$broker" ]; then kill -TERM "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
rss_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$broker/status"; }

disk_test() {  # -> MiB/s of 1 MiB O_DSYNC appends to a fresh file
  local f=$work/disk.dat out bytes secs
  rm -f "$f"
  out=$(LC_ALL=C dd if=/dev/zero of="$f" bs=1M count="$DISK_MB" oflag=dsync 2>&1 | tail -1)
  rm -f "$f"
  bytes=${out%% bytes*}
  secs=$(echo "$out" | sed -n 's/.*copied, \([0-9.e+-]*\) s.*/\1/p')
  calc "$bytes / $secs / 1048576" 1
}

produce() {  # topic size count -> "msgs/s MiB/s"; dies on a failed or missing delivery
  local topic=$1 size=$2 count=$3 line delivered failed ms
  "$perf_tool" -P -t "$topic" -b "127.0.0.1:$port" -s "$size" -c "$count" -a -1 \
    -X "linger.ms=$LINGER" -X batch.size=1000000 >"$work/produce.out" 2>&1 || true
  line=$(grep 'messages produced' "$work/produce.out" | tail -1)
  read -r delivered failed ms < <(echo "$line" |
    sed -n 's/.* \([0-9]*\) delivered (offset [-0-9]*, \([0-9]*\) failed) in \([0-9]*\)ms.*/\1 \2 \3/p')
  if [ -z "${ms:-}" ] || [ "$delivered" != "$count" ] || [ "$failed" != 0 ]; then
    echo "produce to $topic failed:" >&2; tail -5 "$work/produce.out" >&2; exit 1
  fi
  echo "$(calc "$count * 1000 / $ms" 0) $(calc "$count * $size * 1000 / $ms / 1048576" 1)"
}

consume() {  # topic size count -> "msgs/s MiB/s"
  local topic=$1 size=$2 count=$3 line n ms
  "$perf_tool" -C -t "$topic" -p 0 -b "127.0.0.1:$port" -o beginning -c "$count" \
    >"$work/consume.out" 2>&1 || true
  line=$(grep 'consumed in' "$work/consume.out" | tail -1)
  read -r n ms < <(echo "$line" | sed -n 's/^% \([0-9]*\) messages .* consumed in \([0-9]*\)ms.*/\1 \2/p')
  if [ -z "${ms:-}" ] || [ "$n" != "$count" ] || [ "$ms" = 0 ]; then
    echo "consume of $topic failed:" >&2; tail -5 "$work/consume.out" >&2; exit 1
  fi
  echo "$(calc "$count * 1000 / $ms" 0) $(calc "$count * $size * 1000 / $ms / 1048576" 1)"
}

latency_run() {  # topic rate seconds -> $lat_line "p50 p99 p999 max"; prints a line
  local out r behind
  out=$("$latency" "127.0.0.1:$port" "$1" --size 1024 --rate "$2" --seconds "$3" --warmup 1 \
    -X "linger.ms=$LAT_LINGER" -X batch.size=1000000 2>"$work/latency.err") ||
    { echo "produce_latency failed: $out" >&2; cat "$work/latency.err" >&2; exit 1; }
  r=$(echo "$out" | sed -n 's/.* rate \([0-9]*\) msg.*/\1/p')
  behind=$(echo "$out" | sed -n 's/.* behind \([0-9.]*\) ms.*/\1/p')
  lat_line=$(echo "$out" |
    sed -n 's/.* p50 \([0-9.]*\) p99 \([0-9.]*\) p999 \([0-9.]*\) max \([0-9.]*\).*/\1 \2 \3 \4/p')
  [ -n "$lat_line" ] || { echo "produce_latency printed: $out" >&2; exit 1; }
  set -- "$2" $lat_line
  printf '%-44s p50 %s ms, p99 %s ms, p999 %s ms, max %s ms (sent %s msgs/s; sender at worst %s ms late)\n' \
    "latency @ $(calc "$1 * 1024 / 1048576" 0) MiB/s, 1 KiB, linger.ms=$LAT_LINGER" \
    "$2" "$3" "$4" "$5" "$r" "$behind"
}

echo "sluice broker benchmark ($(nproc) cores, data in $work on $(df -P "$work" | awk 'NR == 2 {print $1}'))"

# Disk first (no broker running), again at the end.
disk1=$(disk_test)
printf '%-44s %8s MiB/s\n' "disk: 1 MiB appends + fdatasync (before)" "$disk1"

rm -f "$work/port"
"$sluice" run --data-dir "$work/data" --kafka-listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --port-file "$work/port" \
  --partitions "$PARTITIONS" >"$work/sluice.log" 2>&1 </dev/null &
broker=$!
for _ in $(seq 300); do [ -s "$work/port" ] && break; kill -0 "$broker" 2>/dev/null || break; sleep 0.1; done
[ -s "$work/port" ] || { echo "sluice run did not start:" >&2; cat "$work/sluice.log" >&2; exit 1; }
port=$(head -n1 "$work/port")
sleep 1
idle_kb=$(rss_kb VmRSS)

# Message counts sized to run about SECS seconds at the disk's bandwidth (1 KiB), and at about
# 250,000 msgs/s (100 bytes; the client's per-message cost dominates there).
n1k=$(calc "$disk1 * 1024 * $SECS" 0)
n100=$((250000 * SECS))
p1k_m=0 p1k_b=0 p100_m=0 p100_b=0
for run in $(seq "$RUNS"); do
  if [ "$run" = 1 ] && [ "$PERF" = 1 ]; then
    perf record -F 999 -g -p "$broker" -o "$work/perf.data" -- sleep "$SECS" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  read -r m b < <(produce "p1k-$run" 1024 "$n1k")
  printf '%-44s %8s MiB/s %9s msgs/s\n' "produce 1 KiB, acks=all (run $run)" "$b" "$m"
  [ "$(max "$b" "$p1k_b")" = "$b" ] && { p1k_b=$b; p1k_m=$m; }
  if [ "$run" = 1 ] && [ "$PERF" = 1 ]; then wait "$perf_pid" || true; fi
  read -r m b < <(produce "p100-$run" 100 "$n100")
  printf '%-44s %8s MiB/s %9s msgs/s\n' "produce 100 B, acks=all (run $run)" "$b" "$m"
  [ "$(max "$b" "$p100_b")" = "$b" ] && { p100_b=$b; p100_m=$m; }
  if [ "$run" = 1 ]; then
    read -r c1k_m c1k_b < <(consume p1k-1 1024 "$n1k")
    printf '%-44s %8s MiB/s %9s msgs/s\n' "consume 1 KiB from the beginning" "$c1k_b" "$c1k_m"
    read -r c100_m c100_b < <(consume p100-1 100 "$n100")
    printf '%-44s %8s MiB/s %9s msgs/s\n' "consume 100 B from the beginning" "$c100_b" "$c100_m"
    # Latency at a fixed rate, between the two throughput rounds; then at a fifth of it.
    latency_run latency "$RATE" "$LAT_SECS"; lat_hi=$lat_line
    latency_run latency-low "$LOW_RATE" "$LOW_SECS"; lat_lo=$lat_line
  fi
done
rss_after_kb=$(rss_kb VmRSS)
peak_kb=$(rss_kb VmHWM)
kill -TERM "$broker"; wait "$broker" || true; broker=""

disk2=$(disk_test)
printf '%-44s %8s MiB/s\n' "disk: 1 MiB appends + fdatasync (after)" "$disk2"
disk=$(max "$disk1" "$disk2")

if [ "$PERF" = 1 ] && [ -s "$work/perf.data" ]; then
  echo
  echo "perf: top symbols of sluice run during the 1 KiB produce"
  perf report -i "$work/perf.data" --no-children --sort dso,sym -g none 2>/dev/null |
    grep -E '^ +[0-9.]+%' | head -12 || true
fi

ratio=$(calc "$p1k_b / $disk" 2)
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v < t; print ok ? "ok" : "MISSED" }'; }
echo
echo "Summary (MiB = 1,048,576 bytes; best of $RUNS produce run(s), disk best of 2)"
printf '  %-36s %12s %14s   %s\n' "measure" "MiB/s" "msgs/s" "vs target"
printf '  %-36s %12s %14s\n' "disk fsynced appends (1 MiB)" "$disk" "-"
printf '  %-36s %12s %14s   %s of disk (>= 0.70: %s)\n' "produce 1 KiB acks=all" "$p1k_b" "$p1k_m" "$ratio" "$(verdict "$ratio" 0.70 ">=")"
printf '  %-36s %12s %14s   %s of disk\n' "produce 100 B acks=all" "$p100_b" "$p100_m" "$(calc "$p100_b / $disk" 2)"
printf '  %-36s %12s %14s\n' "consume 1 KiB" "$c1k_b" "$c1k_m"
printf '  %-36s %12s %14s\n' "consume 100 B" "$c100_b" "$c100_m"
read -r p50 p99 p999 pmax <<<"$lat_hi"
printf '  %-36s %27s   p99 < 10 ms: %s\n' "latency @ $RATE msgs/s p50 / p99" "$p50 / $p99 ms" "$(verdict "$p99" 10 "<")"
printf '  %-36s %27s\n' "  p999 / max" "$p999 / $pmax ms"
read -r p50 p99 p999 pmax <<<"$lat_lo"
printf '  %-36s %27s\n' "latency @ $LOW_RATE msgs/s p50 / p99" "$p50 / $p99 ms"
printf '  %-36s %27s\n' "  p999 / max" "$p999 / $pmax ms"
printf '  %-36s %27s\n' "sluice RSS idle / after / peak" "$((idle_kb / 1024)) / $((rss_after_kb / 1024)) / $((peak_kb / 1024)) MiB"
