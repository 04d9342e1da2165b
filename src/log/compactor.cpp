#include "log/compactor.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/big_endian.h"
#include "core/crc32c.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "log/segment.h"

namespace sluice::log {

namespace {

// Kafka's sequence arithmetic: wraps from INT32_MAX to 0.
int32_t add_sequence(int32_t seq, int64_t n) {
  if (seq < 0) return -1;
  return int32_t((int64_t(seq) + n) % (int64_t(INT32_MAX) + 1));
}

// Records [first, last) of a batch, consecutive in offset, as a batch of their own that keeps
// the original's offsets, timestamps, producer, timestamp type, transactional flag, leader epoch
// and codec.
std::string rebuild(const kafka::BatchHeader& h, const std::vector<kafka::Record>& recs,
                    size_t first, size_t last) {
  kafka::BatchBuilder b(h.base_timestamp);
  for (size_t i = first; i < last; ++i)
    b.add(recs[i].key, recs[i].value, h.base_timestamp + recs[i].timestamp_delta, recs[i].headers);
  int64_t delta = recs[first].offset_delta;
  std::string out = b.finish(h.producer_id, h.producer_epoch, add_sequence(h.base_sequence, delta));
  kafka::set_base_offset(out, h.base_offset + delta);
  put_be<int32_t>(&out[12], h.partition_leader_epoch);
  auto attrs = int16_t(h.attributes & 0x18);  // timestamp type and transactional bits
  // With LogAppendTime the batch's max timestamp is every record's time.
  if (h.attributes & 0x08) put_be<int64_t>(&out[35], h.max_timestamp);
  if (h.compression() != 0) {
    try {
      std::string body = kafka::compress(kafka::Codec(h.compression()),
                                         std::string_view(out).substr(kafka::kBatchHeaderSize));
      out.resize(kafka::kBatchHeaderSize);
      out += body;
      put_be<int32_t>(&out[8], int32_t(out.size() - 12));
      attrs = int16_t(attrs | h.compression());
    } catch (const kafka::CompressionError&) {
      // Left uncompressed, which every reader takes as well.
    }
  }
  put_be<int16_t>(&out[21], attrs);
  put_be<uint32_t>(&out[17], crc32c(out.data() + 21, out.size() - 21));
  return out;
}

// The file a cleaned segment is written to; removed again unless finished.
class CleanedFile {
 public:
  explicit CleanedFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot create");
  }
  ~CleanedFile() {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  CleanedFile(const CleanedFile&) = delete;
  CleanedFile& operator=(const CleanedFile&) = delete;

  void write(std::string_view bytes) {
    buf_ += bytes;
    if (buf_.size() >= (1u << 20)) flush();
  }
  uint64_t finish() {
    flush();
    if (fdatasync(fd_) != 0) fail("cannot sync");
    ::close(fd_);
    fd_ = -1;
    return size_;
  }

 private:
  [[noreturn]] void fail(const char* what) {
    throw std::runtime_error(fmt::format("{} {}: {}", what, path_, std::strerror(errno)));
  }
  void flush() {
    std::string_view left = buf_;
    while (!left.empty()) {
      ssize_t n = ::write(fd_, left.data(), left.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write");
      left.remove_prefix(size_t(n));
      size_ += uint64_t(n);
    }
    buf_.clear();
  }

  std::string path_;
  int fd_ = -1;
  std::string buf_;
  uint64_t size_ = 0;
};

}  // namespace

void add_keys(const Segment& seg, OffsetMap& latest) {
  std::string batch, scratch;
  std::vector<kafka::Record> recs;
  for (uint64_t pos = 0; seg.read_batch(pos, batch);) {
    auto h = kafka::check_batch(batch).header;
    recs.clear();
    if (h.control() || !kafka::read_any_records(batch, scratch, recs).empty()) continue;
    for (const auto& r : recs) {
      if (!r.key) continue;
      int64_t offset = h.base_offset + r.offset_delta;
      auto it = latest.find(*r.key);
      if (it == latest.end())
        latest.emplace(std::string(*r.key), offset);
      else
        it->second = std::max(it->second, offset);
    }
  }
}

CleanedSegment clean_segment(const Segment& seg, const OffsetMap& latest, const CleanRules& rules,
                             CompactionStats& stats) {
  CleanedSegment out;
  out.path = seg.path() + kCleanedSuffix;
  // The file is created at the first batch that changes; the batches before it are copied then.
  std::optional<CleanedFile> file;
  std::string batch, scratch;
  std::vector<kafka::Record> recs;
  std::vector<bool> keep;
  int64_t removed = 0, tombstones = 0;
  uint64_t pos = 0, at = 0;
  for (; seg.read_batch(pos, batch); at = pos) {
    auto h = kafka::check_batch(batch).header;
    recs.clear();
    // Control batches and batches that cannot be decoded stay as they are.
    if (h.control() || !kafka::read_any_records(batch, scratch, recs).empty()) {
      if (file) file->write(batch);
      continue;
    }
    keep.assign(recs.size(), false);
    size_t kept = 0;
    for (size_t i = 0; i < recs.size(); ++i) {
      const auto& r = recs[i];
      int64_t offset = h.base_offset + r.offset_delta;
      bool k = offset >= rules.start_offset && r.key;
      if (k) {
        auto it = latest.find(*r.key);
        k = it == latest.end() || it->second == offset;
      }
      if (k && !r.value) {
        if (h.max_timestamp < rules.tombstone_horizon_ms) {
          k = false;
          ++tombstones;
        } else {
          out.oldest_tombstone_ts = std::min(out.oldest_tombstone_ts, h.max_timestamp);
        }
      }
      keep[i] = k;
      kept += k;
    }
    if (kept == recs.size()) {
      if (file) file->write(batch);
      continue;
    }
    removed += int64_t(recs.size() - kept);
    if (!file) {
      file.emplace(out.path);
      std::string prefix;
      for (uint64_t p = 0; p < at && seg.read_batch(p, prefix);) file->write(prefix);
    }
    // One batch per run of kept records with consecutive offsets.
    for (size_t i = 0; i < recs.size();) {
      if (!keep[i]) {
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < recs.size() && keep[j] && recs[j].offset_delta == recs[j - 1].offset_delta + 1)
        ++j;
      file->write(rebuild(h, recs, i, j));
      i = j;
    }
  }
  if (!file) return out;
  out.changed = true;
  out.size = file->finish();
  ++stats.segments_cleaned;
  stats.bytes_before += seg.size();
  stats.bytes_after += out.size;
  stats.records_removed += removed;
  stats.tombstones_removed += tombstones;
  return out;
}

}  // namespace sluice::log
