#include "cdc/snapshot_progress.h"

#include <fmt/format.h>

namespace sluice::cdc {

size_t SnapshotProgress::add_table(std::string table, int64_t estimated_rows, bool incremental) {
  std::lock_guard lock(mu_);
  counters_.emplace_back();
  Entry e;
  e.info.table = std::move(table);
  e.info.estimated_rows = estimated_rows;
  e.info.incremental = incremental;
  e.started = Clock::now();
  entries_.push_back(std::move(e));
  return entries_.size() - 1;
}

void SnapshotProgress::finish(size_t table) {
  std::lock_guard lock(mu_);
  entries_[table].info.done = true;
  entries_[table].ended = Clock::now();
}

std::vector<TableProgress> SnapshotProgress::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<TableProgress> out;
  auto now = Clock::now();
  for (size_t i = 0; i < entries_.size(); ++i) {
    TableProgress p = entries_[i].info;
    p.rows = counters_[i].rows.load(std::memory_order_relaxed);
    auto end = p.done ? entries_[i].ended : now;
    double secs = std::chrono::duration<double>(end - entries_[i].started).count();
    p.rows_per_second = secs > 0 ? double(p.rows) / secs : 0;
    out.push_back(std::move(p));
  }
  return out;
}

std::string SnapshotProgress::line() const {
  std::string s;
  for (const auto& p : snapshot()) {
    if (p.done) continue;
    if (!s.empty()) s += "; ";
    if (p.estimated_rows > 0)
      s += fmt::format("{} {}/~{} rows ({}%), {:.0f} rows/s", p.table, p.rows, p.estimated_rows,
                       std::min<uint64_t>(99, p.rows * 100 / uint64_t(p.estimated_rows)),
                       p.rows_per_second);
    else
      s += fmt::format("{} {} rows, {:.0f} rows/s", p.table, p.rows, p.rows_per_second);
  }
  return s;
}

void SnapshotProgress::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
  counters_.clear();
}

}  // namespace sluice::cdc
