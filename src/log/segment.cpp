#include "log/segment.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "kafka/record_batch.h"

namespace sluice::log {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
}

bool read_exact(int fd, char* buf, size_t n, uint64_t pos) {
  while (n > 0) {
    ssize_t r = pread(fd, buf, n, off_t(pos));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= size_t(r);
    pos += uint64_t(r);
  }
  return true;
}

}  // namespace

std::string Segment::file_name(int64_t base_offset) {
  return fmt::format("{:020}.log", base_offset);
}

Segment::Segment(const std::string& dir, int64_t base_offset, bool recover, uint32_t interval)
    : path_(dir + "/" + file_name(base_offset)),
      base_offset_(base_offset),
      next_offset_(base_offset),
      index_interval_(interval) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot open segment", path_);
  struct stat st {};
  fstat(fd_, &st);
  uint64_t file_size = uint64_t(st.st_size);
  // Walk the batches, rebuilding the indexes; in the last segment, check each CRC too.
  std::string batch;
  uint64_t pos = 0;
  while (pos + kafka::kBatchHeaderSize <= file_size) {
    char head[kafka::kBatchHeaderSize];
    if (!read_exact(fd_, head, sizeof head, pos)) break;
    auto h = kafka::check_batch(std::string_view(head, sizeof head)).header;
    uint64_t total = h.total_size();
    if (h.batch_length < int32_t(kafka::kBatchHeaderSize - 12) || pos + total > file_size) break;
    if (recover) {
      batch.resize(total);
      if (!read_exact(fd_, batch.data(), total, pos) || !kafka::check_batch(batch).ok()) break;
    }
    index(h.base_offset, pos, h.max_timestamp, uint32_t(total));
    next_offset_ = h.base_offset + h.last_offset_delta + 1;
    pos += total;
  }
  size_ = pos;
  // What a crashed process left may still sit in the page cache only.
  unsynced_ = recover && size_ > 0;
  if (pos < file_size) {
    if (!recover)
      throw std::runtime_error(
          fmt::format("segment {} is damaged at byte {} (not the last segment)", path_, pos));
    cut_bytes_ = file_size - pos;
    if (ftruncate(fd_, off_t(pos)) != 0 || fdatasync(fd_) != 0) fail("cannot cut segment", path_);
  }
}

Segment::~Segment() {
  if (fd_ >= 0) ::close(fd_);
}

void Segment::index(int64_t base, uint64_t pos, int64_t max_ts, uint32_t batch_size) {
  if (offsets_.empty() || bytes_since_index_ >= index_interval_) {
    offsets_.push_back({base, pos, max_ts_so_far_});
    bytes_since_index_ = 0;
  }
  bytes_since_index_ += batch_size;
  max_ts_so_far_ = std::max(max_ts_so_far_, max_ts);
}

void Segment::append(const std::string& batch, int64_t last_offset, int64_t max_ts) {
  const char* p = batch.data();
  size_t left = batch.size();
  uint64_t pos = size_;
  while (left > 0) {
    ssize_t n = pwrite(fd_, p, left, off_t(pos));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Leave no partial batch behind: the next append would land after garbage.
      int err = errno;
      (void)ftruncate(fd_, off_t(size_));
      errno = err;
      fail("cannot append to segment", path_);
    }
    p += n;
    left -= size_t(n);
    pos += uint64_t(n);
  }
  index(next_offset_, size_, max_ts, uint32_t(batch.size()));
  size_ = pos;
  next_offset_ = last_offset + 1;
  unsynced_ = true;
}

void Segment::remove() {
  ::close(fd_);
  fd_ = -1;
  if (::unlink(path_.c_str()) != 0) fail("cannot delete segment", path_);
}

void Segment::sync() {
  if (fdatasync(fd_) != 0) fail("cannot sync segment", path_);
  unsynced_ = false;
}

int Segment::take_unsynced_fd() {
  if (!unsynced_) return -1;
  int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    sync();
    return -1;
  }
  unsynced_ = false;
  return fd;
}

uint64_t Segment::position_of(int64_t offset) const {
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), offset,
                             [](int64_t o, const IndexEntry& e) { return o < e.offset; });
  uint64_t pos = it == offsets_.begin() ? 0 : std::prev(it)->position;
  // Walk the headers from the indexed batch to the one holding the offset.
  while (pos + kafka::kBatchHeaderSize <= size_) {
    char head[kafka::kBatchHeaderSize];
    if (!read_exact(fd_, head, sizeof head, pos)) break;
    auto h = kafka::check_batch(std::string_view(head, sizeof head)).header;
    if (offset <= h.base_offset + h.last_offset_delta) return pos;
    pos += h.total_size();
  }
  return size_;
}

void Segment::read_from(uint64_t pos, size_t max_bytes, bool at_least_one, std::string& out) const {
  size_t start = out.size();
  while (pos + kafka::kBatchHeaderSize <= size_) {
    char head[kafka::kBatchHeaderSize];
    if (!read_exact(fd_, head, sizeof head, pos)) break;
    uint64_t total = kafka::check_batch(std::string_view(head, sizeof head)).header.total_size();
    bool first = out.size() == start;
    if (out.size() - start + total > max_bytes && !(first && at_least_one)) break;
    size_t at = out.size();
    out.resize(at + total);
    if (!read_exact(fd_, out.data() + at, total, pos)) {
      out.resize(at);
      break;
    }
    pos += total;
    if (out.size() - start >= max_bytes) break;
  }
}

bool Segment::read_batch(uint64_t& pos, std::string& out) const {
  if (pos + kafka::kBatchHeaderSize > size_) return false;
  out.resize(kafka::kBatchHeaderSize);
  if (!read_exact(fd_, out.data(), out.size(), pos)) return false;
  auto h = kafka::check_batch(out).header;
  if (h.batch_length < int32_t(kafka::kBatchHeaderSize - 12)) return false;
  uint64_t total = h.total_size();
  if (pos + total > size_) return false;
  out.resize(total);
  if (!read_exact(fd_, out.data(), total, pos)) return false;
  pos += total;
  return true;
}

int64_t Segment::offset_for_timestamp(int64_t ts, int64_t from_offset) const {
  // Index entries carry the largest timestamp of the batches before them: start the walk at the
  // last entry before which nothing reaches ts.
  auto it = std::lower_bound(offsets_.begin(), offsets_.end(), ts,
                             [](const IndexEntry& e, int64_t t) { return e.max_ts_before < t; });
  if (it != offsets_.begin()) --it;
  uint64_t pos = it == offsets_.end() ? 0 : it->position;
  while (pos + kafka::kBatchHeaderSize <= size_) {
    char head[kafka::kBatchHeaderSize];
    if (!read_exact(fd_, head, sizeof head, pos)) break;
    auto h = kafka::check_batch(std::string_view(head, sizeof head)).header;
    if (h.max_timestamp >= ts && h.base_offset + h.last_offset_delta >= from_offset)
      return h.base_offset;
    pos += h.total_size();
  }
  return -1;
}

}  // namespace sluice::log
