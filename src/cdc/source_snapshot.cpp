// SourceConnector's initial snapshot: which snapshot to read at (the slot's export, or one of
// its own) and how the stream then continues without a change in both. The reading itself is
// in initial_snapshot.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "cdc/initial_snapshot.h"
#include "cdc/snapshot_tables.h"
#include "cdc/source_connector.h"
#include "core/log.h"

namespace sluice::cdc {

namespace {
constexpr const char* kLog = "capture";
}  // namespace

void SourceConnector::initial_snapshot(const std::string& info) {
  InitialSnapshotOptions opt;
  opt.conninfo = info;
  opt.threads = config_.snapshot_max_threads;
  opt.progress = &progress_;
  std::unique_ptr<pg::Connection> exporter;  // holds the exported snapshot of `always`
  Lsn snapshot_lsn = 0;
  bool use_slot = false;  // an existing slot: the stream starts where it was confirmed
  if (resume_lsn_ == 0) {
    std::optional<Lsn> confirmed;
    use_slot = check_slot(*meta_, true, confirmed);
  }
  if (resume_lsn_ == 0 && !use_slot) {
    // A new slot exports the snapshot of its consistent point: streaming continues exactly
    // where the snapshot stops.
    pg::SlotInfo slot = create_slot(*repl_, true);
    opt.snapshot_name = slot.snapshot_name;
    snapshot_lsn = slot.consistent_point;
  } else {
    // A snapshot of its own, exported by a transaction. With a slot that exists but no
    // position (a slot made beforehand, or an interrupted snapshot's), the stream from the
    // slot skips what the snapshot holds. snapshot.mode=always with a position streams from
    // the position: changes made meanwhile follow the snapshot, as with Debezium.
    exporter = std::make_unique<pg::Connection>(info);
    exporter->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // One statement: the WAL position is read after the snapshot was taken.
    auto r = exporter->exec(
        "SELECT pg_export_snapshot(), pg_snapshot_xmin(s), pg_snapshot_xmax(s), "
        "array_to_string(ARRAY(SELECT pg_snapshot_xip(s)), ','), pg_current_wal_lsn() "
        "FROM pg_current_snapshot() s");
    opt.snapshot_name = r.str(0, 0);
    snapshot_lsn = *parse_lsn(r.str(0, 4));
    if (use_slot) {
      SeenBySnapshot seen;
      seen.xmin = uint32_t(std::stoull(r.str(0, 1)));
      seen.xmax = uint32_t(std::stoull(r.str(0, 2)));
      std::string xip = r.str(0, 3);
      for (size_t at = 0; at < xip.size();) {
        size_t comma = xip.find(',', at);
        if (comma == std::string::npos) comma = xip.size();
        seen.xip.push_back(uint32_t(std::stoull(xip.substr(at, comma - at))));
        at = comma + 1;
      }
      seen.until = snapshot_lsn;
      seen_ = std::move(seen);
      log::info(kLog,
                "replication slot {} exists but no position was saved: the snapshot is taken "
                "now, and the stream from the slot skips the transactions it holds (up to {})",
                config_.slot_name, format_lsn(snapshot_lsn));
    }
  }
  opt.lsn = snapshot_lsn;
  auto tables = snapshot_tables(*meta_, *catalog_, config_);
  Position pos = current_position();
  std::mutex out_mu;
  opt.output = [&](std::string& lines, uint64_t n) {
    std::lock_guard lock(out_mu);
    // --max-events: keep whole records up to the limit; the snapshot is complete only if none
    // had to be left out.
    bool cut = false;
    if (options_.max_events && records_ + n > options_.max_events) {
      uint64_t room = options_.max_events - std::min(records_, options_.max_events);
      size_t end = 0;
      for (uint64_t i = 0; i < room; ++i) end = lines.find('\n', end) + 1;
      lines.resize(end);
      n = room;
      cut = true;
    }
    records_ += n;
    records_shared_.store(records_, std::memory_order_relaxed);
    if (n) flusher_->submit(lines, pos, false);
    lines.clear();
    return !cut;
  };
  opt.stopping = [&] { return options_.stop && options_.stop->load(); };
  progress_.clear();
  bool complete = false;
  try {
    run_initial_snapshot(config_, tables, opt, complete);
  } catch (const pg::Error& e) {
    // Output of a snapshot cannot be taken back: a clean restart takes it again whole.
    throw FatalError(
        fmt::format("the snapshot failed: {}. Restart the connector to take it "
                    "again from the start",
                    e.what()));
  }
  if (!complete) return;  // stopped: no position, so the next start snapshots again
  snapshot_pending_ = false;
  if (resume_lsn_ == 0 && !seen_) resume_lsn_ = snapshot_lsn;
  submit(true);
  if (config_.snapshot_mode == SnapshotMode::initial_only) {
    finished_ = true;
    log::info(kLog, "snapshot.mode=initial_only: not streaming");
  }
}

bool SourceConnector::SeenBySnapshot::visible(uint32_t xid) const {
  auto precedes = [](uint32_t a, uint32_t b) { return int32_t(a - b) < 0; };
  if (precedes(xid, xmin)) return true;
  if (!precedes(xid, xmax)) return false;
  return std::find(xip.begin(), xip.end(), xid) == xip.end();
}

}  // namespace sluice::cdc
