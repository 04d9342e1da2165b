// Progress of a snapshot per table (rows done, rows estimated, rate), updated by the readers
// and read by the command line's progress lines and the status API.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::cdc {

struct TableProgress {
  std::string table;
  uint64_t rows = 0;
  int64_t estimated_rows = -1;  // -1: unknown
  double rows_per_second = 0;
  bool done = false;
  bool incremental = false;
};

class SnapshotProgress {
 public:
  // Registers a table; the returned index names it in add_rows/finish.
  size_t add_table(std::string table, int64_t estimated_rows, bool incremental);
  void add_rows(size_t table, uint64_t n) { counters_[table].rows += n; }
  void finish(size_t table);
  std::vector<TableProgress> snapshot() const;
  // One line of the tables still running, e.g. "public.t 1200000/~5000000 rows (24%), 850000
  // rows/s"; empty when none runs.
  std::string line() const;
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  struct Counter {
    std::atomic<uint64_t> rows{0};
  };
  struct Entry {
    TableProgress info;
    Clock::time_point started, ended;
  };
  mutable std::mutex mu_;
  std::deque<Counter> counters_;  // stable addresses: readers add without the lock
  std::vector<Entry> entries_;
};

}  // namespace sluice::cdc
