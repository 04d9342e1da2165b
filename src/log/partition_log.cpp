#include "log/partition_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/fs_sync.h"
#include "kafka/record_batch.h"
#include "log/segment.h"

namespace fs = std::filesystem;

namespace sluice::log {

namespace {

// Holds the log start offset once DeleteRecords has moved it past the first segment's name.
constexpr const char* kStartFile = "log-start-offset";

int64_t read_start_file(const std::string& dir) {
  std::ifstream in(dir + "/" + kStartFile);
  if (!in) return 0;
  int64_t v = -1;
  if (!(in >> v) || v < 0)
    throw std::runtime_error(fmt::format("{}/{} is malformed", dir, kStartFile));
  return v;
}

// Temp file, fsync, rename, directory fsync: after a crash the old or the new value, whole.
void write_start_file(const std::string& dir, int64_t offset) {
  std::string path = dir + "/" + kStartFile, tmp = path + ".tmp";
  std::string text = fmt::format("{}\n", offset);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok =
      fd >= 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && fsync(fd) == 0;
  int err = errno;
  if (fd >= 0) ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
  }
  sync_parent_directory(path);
}

// a - b, saturating (retention and lag settings may be as large as Long.MAX_VALUE).
int64_t minus(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? INT64_MIN : INT64_MAX;
  return r;
}

}  // namespace

PartitionLog::PartitionLog(std::string dir, LogConfig config)
    : dir_(std::move(dir)), config_(config) {}

PartitionLog::~PartitionLog() = default;

std::unique_ptr<PartitionLog> PartitionLog::open(const std::string& dir, LogConfig config) {
  std::unique_ptr<PartitionLog> log(new PartitionLog(dir, config));
  fs::create_directories(dir);
  std::vector<int64_t> bases;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    // Left by a compaction or delete_before that a crash interrupted: the originals stand.
    if (name.ends_with(kCleanedSuffix) || name == std::string(kStartFile) + ".tmp")
      fs::remove(e.path());
    else if (name.size() == 24 && name.ends_with(".log") &&
             name.find_first_not_of("0123456789") == 20)
      bases.push_back(std::stoll(name.substr(0, 20)));
  }
  std::sort(bases.begin(), bases.end());
  log->log_start_ = read_start_file(dir);
  // Segments wholly below the start (a crash came before delete_before removed them) go
  // unopened: the last of them may not even be whole.
  size_t first = 0;
  for (; first + 1 < bases.size() && bases[first + 1] <= log->log_start_; ++first)
    fs::remove(dir + "/" + Segment::file_name(bases[first]));
  for (size_t i = first; i < bases.size(); ++i) {
    bool last = i + 1 == bases.size();
    log->segments_.push_back(
        std::make_unique<Segment>(dir, bases[i], last, config.index_interval_bytes));
  }
  // The records up to the start were lost with an unsynced tail: start afresh at the start, so
  // that no offset below it is handed out again.
  if (!log->segments_.empty() && log->segments_.back()->next_offset() < log->log_start_) {
    for (auto& s : log->segments_) s->remove();
    log->segments_.clear();
  }
  if (log->segments_.empty()) {
    log->segments_.push_back(
        std::make_unique<Segment>(dir, log->log_start_, true, config.index_interval_bytes));
    sync_parent_directory(dir + "/" + Segment::file_name(log->log_start_));
  }
  log->next_offset_ = log->segments_.back()->next_offset();
  log->recovered_bytes_ = log->segments_.back()->cut_bytes();
  return log;
}

int64_t PartitionLog::start_offset() const {
  return std::max(log_start_, segments_.front()->base_offset());
}

void PartitionLog::roll() {
  segments_.back()->sync();
  segments_.push_back(
      std::make_unique<Segment>(dir_, next_offset_, true, config_.index_interval_bytes));
  sync_parent_directory(dir_ + "/" + Segment::file_name(next_offset_));
}

int64_t PartitionLog::append(std::string batch) {
  auto check = kafka::check_batch(batch, /*verify_crc=*/false);  // callers check the CRC
  if (!check.ok()) throw std::invalid_argument(check.error);
  if (check.header.record_count == 0) throw std::invalid_argument("record batch has no records");
  Segment* active = segments_.back().get();
  if (active->size() > 0 && active->size() + batch.size() > config_.segment_bytes) {
    roll();
    active = segments_.back().get();
  }
  int64_t base = next_offset_;
  kafka::set_base_offset(batch, base);
  int64_t last = base + check.header.last_offset_delta;
  active->append(batch, last, check.header.max_timestamp);
  next_offset_ = last + 1;
  return base;
}

void PartitionLog::sync() {
  for (const auto& s : segments_)
    if (s->unsynced() || s == segments_.back()) s->sync();
}

std::vector<int> PartitionLog::take_unsynced_fds() {
  std::vector<int> fds;
  try {
    for (const auto& s : segments_)
      if (int fd = s->take_unsynced_fd(); fd >= 0) fds.push_back(fd);
  } catch (...) {
    for (int fd : fds) ::close(fd);
    throw;
  }
  return fds;
}

std::string PartitionLog::read(int64_t offset, size_t max_bytes) const {
  if (offset < start_offset())
    throw std::out_of_range(
        fmt::format("offset {} is before the log start {}", offset, start_offset()));
  std::string out;
  if (offset >= next_offset_) return out;
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  for (--it; it != segments_.end() && out.size() < max_bytes; ++it) {
    bool first = out.empty();
    uint64_t pos = first ? (*it)->position_of(offset) : 0;
    (*it)->read_from(pos, max_bytes - out.size(), first, out);
  }
  return out;
}

uint64_t PartitionLog::size_bytes() const {
  uint64_t n = 0;
  for (const auto& s : segments_) n += s->size();
  return n;
}

size_t PartitionLog::apply_retention(int64_t now_ms, int64_t retention_ms,
                                     int64_t retention_bytes) {
  size_t deleted = 0;
  uint64_t total = size_bytes();
  while (segments_.size() > 1) {
    Segment& oldest = *segments_.front();
    bool too_old = retention_ms >= 0 && oldest.max_timestamp() < now_ms - retention_ms;
    bool too_big = retention_bytes >= 0 && total - oldest.size() >= uint64_t(retention_bytes) &&
                   total > uint64_t(retention_bytes);
    if (!too_old && !too_big) break;
    total -= oldest.size();
    oldest.remove();
    segments_.erase(segments_.begin());
    ++deleted;
  }
  return deleted;
}

int64_t PartitionLog::offset_for_timestamp(int64_t ts) const {
  int64_t start = start_offset();
  for (const auto& s : segments_) {
    int64_t o = s->offset_for_timestamp(ts, start);
    if (o >= 0) return std::max(o, start);
  }
  return next_offset_;
}

void PartitionLog::drop_front_segments_below(int64_t offset) {
  while (segments_.size() > 1 && segments_[1]->base_offset() <= offset) {
    segments_.front()->remove();
    segments_.erase(segments_.begin());
  }
}

int64_t PartitionLog::delete_before(int64_t offset) {
  offset = std::clamp(offset, start_offset(), next_offset_);
  if (offset == start_offset()) return offset;
  // Everything goes: roll, so that the active segment's records can go too.
  if (offset == next_offset_ && segments_.back()->size() > 0) roll();
  // Persisted first: a crash before the deletions leaves segments that open() then removes.
  write_start_file(dir_, offset);
  log_start_ = offset;
  drop_front_segments_below(offset);
  return start_offset();
}

CompactionStats PartitionLog::compact(int64_t now_ms, int64_t delete_retention_ms,
                                      int64_t min_compaction_lag_ms, double min_dirty_ratio) {
  CompactionStats stats;
  // Cleanable: the closed segments before the first one holding a record within the lag.
  int64_t lag_limit = min_compaction_lag_ms > 0 ? minus(now_ms, min_compaction_lag_ms) : INT64_MAX;
  size_t n = 0;
  while (n + 1 < segments_.size() && segments_[n]->max_timestamp() <= lag_limit) ++n;
  if (n == 0) return stats;
  int64_t horizon = minus(now_ms, delete_retention_ms);
  int64_t cleaned_to = segments_[n]->base_offset();
  if (min_dirty_ratio > 0 && oldest_tombstone_ts_ >= horizon) {
    uint64_t total = 0, dirty = 0;
    for (size_t i = 0; i < n; ++i) {
      total += segments_[i]->size();
      if (segments_[i]->base_offset() >= dirty_from_) dirty += segments_[i]->size();
    }
    if (dirty == 0 || double(dirty) < min_dirty_ratio * double(total)) return stats;
  }
  OffsetMap latest;
  for (const auto& s : segments_) add_keys(*s, latest);
  CleanRules rules{start_offset(), horizon};
  int64_t oldest_tombstone = INT64_MAX;
  // Front to back, so that by the time a tombstone goes, the values it deleted have gone.
  for (size_t i = 0; i < n;) {
    Segment& seg = *segments_[i];
    CleanedSegment c = clean_segment(seg, latest, rules, stats);
    oldest_tombstone = std::min(oldest_tombstone, c.oldest_tombstone_ts);
    if (!c.changed) {
      ++i;
      continue;
    }
    // Emptied: deleted, except the first segment, whose name holds the log start.
    if (c.size == 0 && i > 0) {
      ::unlink(c.path.c_str());
      seg.remove();
      segments_.erase(segments_.begin() + ptrdiff_t(i));
      --n;
      ++stats.segments_removed;
      continue;
    }
    if (::rename(c.path.c_str(), seg.path().c_str()) != 0) {
      int err = errno;
      ::unlink(c.path.c_str());
      throw std::runtime_error(
          fmt::format("cannot replace {} by its cleaned copy: {}", seg.path(), std::strerror(err)));
    }
    sync_parent_directory(seg.path());
    segments_[i] =
        std::make_unique<Segment>(dir_, seg.base_offset(), false, config_.index_interval_bytes);
    ++i;
  }
  dirty_from_ = cleaned_to;
  oldest_tombstone_ts_ = oldest_tombstone;
  return stats;
}

}  // namespace sluice::log
