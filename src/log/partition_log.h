// One topic partition on disk: a directory of segments holding Kafka RecordBatch v2 bytes exactly
// as appended (only the base offset is set, which lies outside the CRC), so serving a fetch is a
// file read. Segments are named by their first offset. Opening a partition recovers it: the
// last segment is scanned batch by batch and cut at the first torn or corrupt batch.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

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
  // std::invalid_argument (naming the fault) for a malformed batch. Durable after sync().
  int64_t append(std::string batch);
  // fdatasync of everything appended so far.
  void sync();

  int64_t start_offset() const;
  int64_t end_offset() const { return next_offset_; }  // the offset the next record gets
  // Whole batches from the one holding `offset`, up to max_bytes (one batch at least, as Kafka
  // does, so a consumer always progresses). Empty at or past the end.
  std::string read(int64_t offset, size_t max_bytes) const;
  // Base offset of the first batch whose max timestamp is >= ts; end_offset() when none.
  int64_t offset_for_timestamp(int64_t ts) const;
  // Deletes whole segments from the front, never the active one: those whose newest record is
  // older than now_ms - retention_ms, and while the rest would still hold retention_bytes.
  // A negative limit is no limit (Kafka's -1). Returns the number of segments deleted.
  size_t apply_retention(int64_t now_ms, int64_t retention_ms, int64_t retention_bytes);
  uint64_t size_bytes() const;
  // Bytes cut from the tail when the partition was opened (a torn write).
  uint64_t recovered_bytes() const { return recovered_bytes_; }

 private:
  PartitionLog(std::string dir, LogConfig config);
  void roll();

  std::string dir_;
  LogConfig config_;
  std::vector<std::unique_ptr<Segment>> segments_;
  int64_t next_offset_ = 0;
  uint64_t recovered_bytes_ = 0;
};

}  // namespace sluice::log
