#include "cdc/initial_snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/log.h"
#include "pg/connection.h"
#include "pg/copy_text.h"
#include "pg/replication_stream.h"

namespace sluice::cdc {

namespace {

constexpr const char* kLog = "snapshot";
constexpr size_t kHandOverBytes = 1 << 20;
constexpr uint64_t kMinChunkPages = 2048;  // 16 MB: fewer, larger COPYs cost less per row
constexpr auto kProgressEvery = std::chrono::seconds(5);

struct Chunk {
  size_t table;
  uint64_t from_page, to_page;  // to_page 0: to the end
  bool whole;                   // no ctid predicate
};

// A row held back until it is known whether it is its table's (or the snapshot's) last.
struct Held {
  bool set = false;
  std::string line;
  const char* marker = "true";
};

struct TableState {
  size_t progress_index = 0;
  int chunks_left = 0;
  std::atomic<bool> started{false};
  Held held;  // the latest row of a finished chunk, guarded by Shared::mu
};

struct Shared {
  Shared(const ConnectorConfig& c, std::vector<SnapshotTable>& t, const InitialSnapshotOptions& o)
      : config(c), tables(t), opt(o) {}
  const ConnectorConfig& config;
  std::vector<SnapshotTable>& tables;
  const InitialSnapshotOptions& opt;
  std::vector<std::unique_ptr<TableState>> state;
  std::vector<Chunk> chunks;
  std::mutex mu;  // guards next_chunk, the held rows and tables_left
  size_t next_chunk = 0;
  size_t tables_left = 0;
  Held last_table_row;    // the last row of the latest finished table
  size_t last_table = 0;  // and that table
  std::atomic<bool> any_started{false};
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  uint32_t xid = 0;  // source.txId: the snapshot's xmin
  // The snapshot's first record goes out before any other: hand-overs wait for it.
  std::mutex first_mu;
  std::condition_variable first_cv;
  bool first_out = false;  // guarded by first_mu
};

class Reader {
  struct Stopped {};

 public:
  Reader(Shared& s, std::unique_ptr<pg::Connection> conn)
      : s_(s), conn_(std::move(conn)), builder_(s.config) {}

  void run() {
    try {
      for (;;) {
        Chunk c;
        {
          std::lock_guard lock(s_.mu);
          if (s_.stop || s_.next_chunk == s_.chunks.size()) break;
          c = s_.chunks[s_.next_chunk++];
        }
        try {
          read(c);
        } catch (const Stopped&) {
          break;
        }
        if (s_.stop) break;
        flush();
        finish_chunk(c);
      }
      flush();
    } catch (...) {
      std::lock_guard lock(s_.mu);
      if (!s_.error) s_.error = std::current_exception();
      s_.stop = true;
    }
  }

 private:
  std::string sql(const Chunk& c) {
    const SnapshotTable& t = s_.tables[c.table];
    std::string cols = select_list(*conn_, t.rel);
    std::string name = qualified_name(*conn_, t.rel);
    if (c.whole && !t.partitioned)
      return cols.empty() ? fmt::format("COPY (SELECT FROM ONLY {}) TO STDOUT", name)
                          : fmt::format("COPY {} ({}) TO STDOUT", name, cols);
    if (c.whole) return fmt::format("COPY (SELECT {} FROM {}) TO STDOUT", cols, name);
    std::string where = fmt::format("ctid >= '({},0)'::tid", c.from_page);
    if (c.to_page) where += fmt::format(" AND ctid < '({},0)'::tid", c.to_page);
    return fmt::format("COPY (SELECT {} FROM ONLY {} WHERE {}) TO STDOUT", cols, name, where);
  }

  void build(size_t table, std::string_view line, const char* marker) {
    const SnapshotTable& t = s_.tables[table];
    if (!pg::parse_copy_text_row(line, row_, scratch_))
      throw std::runtime_error(
          fmt::format("cannot parse a COPY row of {}: {}", t.name(), line.substr(0, 200)));
    if (row_.size() != t.rel.columns.size())
      throw std::runtime_error(fmt::format("a COPY row of {} has {} columns, not {}", t.name(),
                                           row_.size(), t.rel.columns.size()));
    src_.snapshot = marker;
    builder_.change(buf_, *t.schema, 'r', nullptr, &row_, nullptr, src_, nullptr);
    ++pending_records_;
    if (buf_.size() >= kHandOverBytes) flush();
  }

  void flush(bool is_first = false) {
    if (pending_records_ == 0) return;
    if (!is_first) {
      std::unique_lock lock(s_.first_mu);
      while (!s_.first_out && !s_.stop) s_.first_cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    uint64_t n = pending_records_;
    pending_records_ = 0;
    if (!s_.opt.output(buf_, n)) s_.stop = true;
    buf_.clear();
  }

  void read(const Chunk& c) {
    TableState& ts = *s_.state[c.table];
    src_ = SourceInfo{};
    src_.commit_time_us = unix_micros();
    src_.xid = s_.xid;
    src_.lsn = s_.opt.lsn;
    held_ = Held{};
    uint64_t batch = 0;
    conn_->copy_out(sql(c), [&](std::string_view line) {
      if (s_.stop) throw Stopped{};
      const char* marker = "true";
      if (!held_.set) {
        // The first row of a chunk may be its table's first, or the snapshot's.
        if (!ts.started.exchange(true))
          marker = s_.any_started.exchange(true) ? "first_in_data_collection" : "first";
      } else {
        build(c.table, held_.line, held_.marker);
      }
      if (std::string_view(marker) == "first" && s_.chunks.size() > 1) {
        // "first" is written at once, so that it leads the output (it cannot then also be
        // its table's last: with one range in all, the row is held and "last" wins).
        build(c.table, line, marker);
        flush(true);
        {
          std::lock_guard lock(s_.first_mu);
          s_.first_out = true;
        }
        s_.first_cv.notify_all();
      } else {
        held_.set = true;
        held_.line.assign(line);
        held_.marker = marker;
      }
      if (++batch == 1024) {
        if (s_.opt.progress) s_.opt.progress->add_rows(ts.progress_index, batch);
        batch = 0;
        if (s_.opt.stopping && s_.opt.stopping()) s_.stop = true;
      }
    });
    if (s_.opt.progress) s_.opt.progress->add_rows(ts.progress_index, batch);
  }

  // A chunk's last row waits: the table's last chunk to finish marks its table's last row.
  void finish_chunk(const Chunk& c) {
    std::lock_guard lock(s_.mu);
    TableState& ts = *s_.state[c.table];
    if (held_.set) {
      if (ts.held.set) build(c.table, ts.held.line, ts.held.marker);
      std::swap(ts.held, held_);
      held_ = Held{};
    }
    if (--ts.chunks_left > 0) return;
    if (s_.opt.progress) s_.opt.progress->finish(ts.progress_index);
    log::info(kLog, "{}: done", s_.tables[c.table].name());
    if (ts.held.set) {
      if (s_.last_table_row.set)
        build(s_.last_table, s_.last_table_row.line, "last_in_data_collection");
      s_.last_table_row = ts.held;
      s_.last_table = c.table;
      ts.held = Held{};
    }
    if (--s_.tables_left == 0 && s_.last_table_row.set) {
      build(s_.last_table, s_.last_table_row.line, "last");
      s_.last_table_row = Held{};
    }
    // Still under the lock: what a finished chunk releases is out before the next finish.
    flush();
  }

  Shared& s_;
  std::unique_ptr<pg::Connection> conn_;
  EventBuilder builder_;
  SourceInfo src_;
  pg::Tuple row_;
  std::string scratch_, buf_;
  uint64_t pending_records_ = 0;
  Held held_;
};

}  // namespace

uint64_t run_initial_snapshot(const ConnectorConfig& config, std::vector<SnapshotTable>& tables,
                              const InitialSnapshotOptions& opt, bool& complete) {
  auto started = std::chrono::steady_clock::now();
  Shared s(config, tables, opt);
  int threads = std::max(1, opt.threads);
  uint64_t total_pages = 0;
  for (const auto& t : tables) total_pages += t.pages;
  // Several ranges per reader even for one table, so that readers finish close together.
  uint64_t chunk_pages = opt.chunk_pages
                             ? opt.chunk_pages
                             : std::max(kMinChunkPages, total_pages / uint64_t(threads * 4) + 1);
  for (size_t i = 0; i < tables.size(); ++i) {
    auto st = std::make_unique<TableState>();
    if (opt.progress)
      st->progress_index =
          opt.progress->add_table(tables[i].name(), tables[i].estimated_rows, false);
    const SnapshotTable& t = tables[i];
    if (t.partitioned || t.pages <= chunk_pages) {
      s.chunks.push_back({i, 0, 0, true});
      st->chunks_left = 1;
    } else {
      // The last range is open-ended: rows of the snapshot can only be in pages that existed
      // when it was taken, but the size read here is an estimate of that.
      for (uint64_t from = 0; from < t.pages; from += chunk_pages) {
        uint64_t to = from + chunk_pages >= t.pages ? 0 : from + chunk_pages;
        s.chunks.push_back({i, from, to, false});
        ++st->chunks_left;
      }
    }
    s.state.push_back(std::move(st));
  }
  s.tables_left = tables.size();
  s.first_out = s.chunks.size() <= 1;
  // Largest ranges first: the tail of the snapshot is then many small ones across readers.
  std::stable_sort(s.chunks.begin(), s.chunks.end(), [&](const Chunk& a, const Chunk& b) {
    auto size = [&](const Chunk& c) { return c.whole ? tables[c.table].pages : chunk_pages; };
    return size(a) > size(b);
  });
  threads = int(std::min<size_t>(size_t(threads), std::max<size_t>(s.chunks.size(), 1)));
  log::info(kLog, "reading {} tables ({} MB) in {} ranges with {} connections", tables.size(),
            total_pages * 8 / 1024, s.chunks.size(), threads);

  // Every reader imports the snapshot before any reads: the exporting connection must stay
  // idle until then, and all must see the same data.
  std::vector<std::unique_ptr<Reader>> readers;
  for (int i = 0; i < threads; ++i) {
    auto conn = std::make_unique<pg::Connection>(opt.conninfo + " options='" +
                                                 pg::replication_session_options() + "'");
    conn->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (!opt.snapshot_name.empty())
      conn->exec("SET TRANSACTION SNAPSHOT " + conn->quote_literal(opt.snapshot_name));
    if (i == 0) {
      auto r = conn->exec("SELECT pg_snapshot_xmin(pg_current_snapshot())");
      s.xid = opt.xid ? opt.xid : uint32_t(std::stoull(r.str(0, 0)));
    }
    readers.push_back(std::make_unique<Reader>(s, std::move(conn)));
  }
  std::vector<std::thread> workers;
  for (auto& r : readers) workers.emplace_back([&r] { r->run(); });
  {
    // Progress lines while the readers work.
    std::mutex m;
    std::unique_lock lock(m);
    std::condition_variable cv;
    auto next = std::chrono::steady_clock::now() + kProgressEvery;
    for (;;) {
      bool all_done;
      {
        std::lock_guard g(s.mu);
        all_done = s.stop || (s.next_chunk == s.chunks.size() && s.tables_left == 0);
      }
      if (all_done) break;
      cv.wait_for(lock, std::chrono::milliseconds(100));
      if (opt.stopping && opt.stopping()) s.stop = true;
      if (std::chrono::steady_clock::now() >= next && opt.progress) {
        next += kProgressEvery;
        std::string line = opt.progress->line();
        if (!line.empty()) log::info(kLog, "{}", line);
      }
    }
  }
  for (auto& w : workers) w.join();
  if (s.error) std::rethrow_exception(s.error);
  complete = !s.stop;
  uint64_t rows = 0;
  if (opt.progress)
    for (const auto& p : opt.progress->snapshot()) rows += p.rows;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (complete)
    log::info(kLog, "snapshot completed: {} rows of {} tables in {:.1f} s ({:.0f} rows/s)", rows,
              tables.size(), secs, secs > 0 ? double(rows) / secs : 0.0);
  return rows;
}

}  // namespace sluice::cdc
