#include "log/partition_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "core/fs_sync.h"
#include "kafka/record_batch.h"
#include "log/segment.h"

namespace fs = std::filesystem;

namespace sluice::log {

PartitionLog::PartitionLog(std::string dir, LogConfig config)
    : dir_(std::move(dir)), config_(config) {}

PartitionLog::~PartitionLog() = default;

std::unique_ptr<PartitionLog> PartitionLog::open(const std::string& dir, LogConfig config) {
  std::unique_ptr<PartitionLog> log(new PartitionLog(dir, config));
  fs::create_directories(dir);
  std::vector<int64_t> bases;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() == 24 && name.ends_with(".log") && name.find_first_not_of("0123456789") == 20)
      bases.push_back(std::stoll(name.substr(0, 20)));
  }
  std::sort(bases.begin(), bases.end());
  for (size_t i = 0; i < bases.size(); ++i) {
    bool last = i + 1 == bases.size();
    log->segments_.push_back(
        std::make_unique<Segment>(dir, bases[i], last, config.index_interval_bytes));
  }
  if (log->segments_.empty()) {
    log->segments_.push_back(std::make_unique<Segment>(dir, 0, true, config.index_interval_bytes));
    sync_parent_directory(dir + "/" + Segment::file_name(0));
  }
  log->next_offset_ = log->segments_.back()->next_offset();
  log->recovered_bytes_ = log->segments_.back()->cut_bytes();
  return log;
}

int64_t PartitionLog::start_offset() const { return segments_.front()->base_offset(); }

void PartitionLog::roll() {
  segments_.back()->sync();
  segments_.push_back(
      std::make_unique<Segment>(dir_, next_offset_, true, config_.index_interval_bytes));
  sync_parent_directory(dir_ + "/" + Segment::file_name(next_offset_));
}

int64_t PartitionLog::append(std::string batch) {
  auto check = kafka::check_batch(batch);
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

void PartitionLog::sync() { segments_.back()->sync(); }

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
  for (const auto& s : segments_) {
    int64_t o = s->offset_for_timestamp(ts);
    if (o >= 0) return o;
  }
  return next_offset_;
}

}  // namespace sluice::log
