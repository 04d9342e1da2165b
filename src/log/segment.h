// One segment file of a partition and its sparse in-memory indexes (offset → file position,
// max timestamp → offset), rebuilt from the batch headers when the segment is opened.
#pragma once
#include <climits>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::log {

class Segment {
 public:
  // Opens or creates <dir>/<base_offset, 20 digits>.log. With recover, scans every batch and
  // cuts the file at the first one that is torn or fails its CRC.
  Segment(const std::string& dir, int64_t base_offset, bool recover, uint32_t index_interval);
  ~Segment();
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  int64_t base_offset() const { return base_offset_; }
  int64_t next_offset() const { return next_offset_; }
  uint64_t size() const { return size_; }
  uint64_t cut_bytes() const { return cut_bytes_; }
  int64_t max_timestamp() const { return max_ts_so_far_; }
  const std::string& path() const { return path_; }
  // Closes and deletes the segment's file.
  void remove();

  // Appends a batch whose base offset (next_offset()) is already set.
  void append(const std::string& batch, int64_t last_offset, int64_t max_ts);
  void sync();
  bool unsynced() const { return unsynced_; }
  // A dup() of the file descriptor when something was appended since the last sync() or call,
  // else -1, so that a caller can fdatasync outside its lock (after the segment is deleted too).
  // Out of descriptors, it syncs here instead and gives -1.
  int take_unsynced_fd();
  // File position of the batch holding `offset`, or of the first one after it when offset falls
  // in a gap left by compaction; size() when none (the caller checks the range).
  uint64_t position_of(int64_t offset) const;
  // Appends whole batches from `pos` to out while they fit in max_bytes; the first one even if
  // it does not, when at_least_one.
  void read_from(uint64_t pos, size_t max_bytes, bool at_least_one, std::string& out) const;
  // The whole batch at pos into out, advancing pos past it; false at the end.
  bool read_batch(uint64_t& pos, std::string& out) const;
  // Base offset of the first batch that ends at or after from_offset and has max timestamp
  // >= ts, or -1.
  int64_t offset_for_timestamp(int64_t ts, int64_t from_offset) const;

  static std::string file_name(int64_t base_offset);

 private:
  struct IndexEntry {
    int64_t offset;  // base offset of the batch
    uint64_t position;
    int64_t max_ts_before;  // largest timestamp of the batches before this one
  };
  void index(int64_t base, uint64_t pos, int64_t max_ts, uint32_t batch_size);

  std::string path_;
  int fd_ = -1;
  int64_t base_offset_;
  int64_t next_offset_;
  uint64_t size_ = 0;
  uint64_t cut_bytes_ = 0;
  bool unsynced_ = false;  // appended to since the last sync; a recovered segment counts as such
  uint32_t index_interval_;
  uint64_t bytes_since_index_ = 0;
  int64_t max_ts_so_far_ = INT64_MIN;
  std::vector<IndexEntry> offsets_;  // sparse: one per index_interval bytes
};

}  // namespace sluice::log
