// One topic partition on disk: a directory of segments holding Kafka RecordBatch v2 bytes exactly
// as appended (only the base offset is set, which lies outside the CRC), so serving a fetch is a
// file read. Segments are named by their first offset. Opening a partition recovers it: the
// last segment is scanned batch by batch and cut at the first torn or corrupt batch.
// Compaction leaves gaps between batches, so a segment's first batch may start after its name
// and an offset may be held by no batch. Not thread-safe: the caller serialises all calls.
#pragma once
#include <climits>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "log/compactor.h"

namespace sluice::log {

struct LogConfig {
  uint64_t segment_bytes = 1ull << 30;   // roll to a new segment past this size
  uint32_t index_interval_bytes = 4096;  // one sparse index entry per this many bytes
};

class Segment;

class PartitionLog {
 public:
  // Opens (creating if needed) and recovers the partition in dir.
  static std::unique_ptr<PartitionLog> open(const std::string& dir, LogConfig config = {});
  ~PartitionLog();
  PartitionLog(const PartitionLog&) = delete;
  PartitionLog& operator=(const PartitionLog&) = delete;

  // Appends one well-formed v2 batch and assigns its offsets; returns its base offset. Throws
  // std::invalid_argument (naming the fault) for a malformed batch; its CRC is the caller's to
  // check (once, on the hot path). Durable after sync().
  int64_t append(std::string batch);
  // fdatasync of everything appended so far.
  void sync();
  // dup()s of the descriptors of the segments appended to since the last call or sync(), for
  // the caller to fdatasync and close outside its lock (a segment deleted meanwhile is harmless).
  // A segment is synced when it rolls, so this is at most the active one in practice.
  std::vector<int> take_unsynced_fds();

  // The log start offset: the first segment's, or later after delete_before().
  int64_t start_offset() const;
  int64_t end_offset() const { return next_offset_; }  // the offset the next record gets
  // Whole batches from the one holding `offset` (or the next one, when compaction removed it), up
  // to max_bytes (one batch at least, as Kafka does, so a consumer always progresses). Empty at
  // or past the end; std::out_of_range before the start.
  std::string read(int64_t offset, size_t max_bytes) const;
  // Base offset of the first batch whose max timestamp is >= ts (at least start_offset());
  // end_offset() when none.
  int64_t offset_for_timestamp(int64_t ts) const;
  // Deletes whole segments from the front, never the active one: those whose newest record is
  // older than now_ms - retention_ms, and while the rest would still hold retention_bytes.
  // A negative limit is no limit (Kafka's -1). Returns the number of segments deleted.
  size_t apply_retention(int64_t now_ms, int64_t retention_ms, int64_t retention_bytes);
  // DeleteRecords: makes offset (clamped to [start, end]) the log start, durably (the file
  // log-start-offset), and deletes the segments wholly below it. Returns the new start.
  int64_t delete_before(int64_t offset);
  // Compacts the closed segments (never the active one) against the latest offset of every key
  // in the whole log; see compactor.h. Segments are cleaned front to back, each replaced
  // atomically (crash-safe: a dropped tombstone's older values are gone by then). A segment whose
  // newest record is within min_compaction_lag_ms, and all after it, are left alone. With
  // min_dirty_ratio > 0 the pass is skipped unless that share of the closed bytes is new since
  // the last pass or a kept tombstone has expired (Kafka's min.cleanable.dirty.ratio).
  // Throws std::runtime_error on I/O errors, leaving a consistent log.
  CompactionStats compact(int64_t now_ms, int64_t delete_retention_ms,
                          int64_t min_compaction_lag_ms = 0, double min_dirty_ratio = 0);
  uint64_t size_bytes() const;
  // Bytes cut from the tail when the partition was opened (a torn write).
  uint64_t recovered_bytes() const { return recovered_bytes_; }

 private:
  PartitionLog(std::string dir, LogConfig config);
  void roll();
  void drop_front_segments_below(int64_t offset);

  std::string dir_;
  LogConfig config_;
  std::vector<std::unique_ptr<Segment>> segments_;
  int64_t next_offset_ = 0;
  int64_t log_start_ = 0;  // as persisted by delete_before; start_offset() is never below it
  uint64_t recovered_bytes_ = 0;
  // Compaction's bookkeeping, in memory only (the first pass after opening does everything).
  int64_t dirty_from_ = 0;  // closed segments from here on are new since the last pass
  int64_t oldest_tombstone_ts_ = INT64_MIN;  // of the tombstones the last pass kept
};

}  // namespace sluice::log
