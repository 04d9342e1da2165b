// The run loop: plan a batch of changes, take the new rows' keys from their sequences, render
// the SQL and run the batch as one transaction (consecutive inserts into a table as one COPY or
// multi-row INSERT). Unpaced runs use batches of up to 1000 changes; paced runs commit the
// changes that are due, on a fixed schedule (change i at start + i / rate).
#include "gen/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "core/log.h"
#include "gen/dataset.h"

namespace sluice::gen {

namespace {

constexpr int64_t kMaxBatch = 1000;
// Runs of inserts into one table at least this long go by COPY (a multi-row INSERT costs the
// server several times more per row, COPY costs a round trip more).
constexpr size_t kCopyRows = 32;
using Clock = std::chrono::steady_clock;

std::string unknown_dataset(const std::string& name) {
  std::string list;
  for (const auto& n : dataset_names()) list += (list.empty() ? "" : ", ") + n;
  return fmt::format("unknown dataset '{}' (datasets: {})", name, list);
}

std::unique_ptr<Dataset> dataset_or_throw(const std::string& name) {
  auto ds = make_dataset(name);
  if (!ds) throw std::invalid_argument(unknown_dataset(name));
  return ds;
}

int64_t parse_int(std::string_view s) { return std::stoll(std::string(s)); }

// Finds each SERIAL table's sequence and moves it past the largest existing key (rows inserted
// with explicit ids, as seed 003's README does, leave it behind).
void prepare_sequences(pg::Connection& conn, Dataset& ds) {
  for (auto& t : ds.tables()) {
    if (!t.serial) continue;
    auto r =
        conn.exec(fmt::format("SELECT pg_get_serial_sequence({}, {})", lit(t.name), lit(t.key)));
    if (r.is_null(0, 0)) throw std::runtime_error(t.name + "." + t.key + " has no sequence");
    t.sequence = r.str(0, 0);
    int64_t max_id = 0;
    for (int64_t id : t.ids) max_id = std::max(max_id, id);
    auto s = conn.exec("SELECT last_value, is_called FROM " + t.sequence);
    int64_t next = parse_int(s.get(0, 0)) + (s.get(0, 1) == "t" ? 1 : 0);
    if (max_id >= next) {
      conn.exec(fmt::format("SELECT setval({}, {})", lit(t.sequence), max_id));
      log::info("generate", "moved {} past the largest {} ({})", t.sequence, t.name, max_id);
    }
  }
}

// Gives every new row of a SERIAL table its key from the table's sequence, in plan order.
void allocate_keys(pg::Connection& conn, Dataset& ds, const std::vector<Change>& batch) {
  auto& tables = ds.tables();
  std::vector<std::vector<uint32_t>> pending(tables.size());
  for (const auto& c : batch) {
    auto& t = tables[size_t(c.table)];
    if (c.op == Op::insert && t.serial && t.ids[c.row] == 0)
      pending[size_t(c.table)].push_back(c.row);
  }
  std::string sql;
  std::vector<size_t> order;
  for (size_t t = 0; t < tables.size(); ++t) {
    if (pending[t].empty()) continue;
    sql += sql.empty() ? "SELECT " : ", ";
    sql += fmt::format("ARRAY(SELECT nextval({}) FROM generate_series(1, {}))",
                       lit(tables[t].sequence), pending[t].size());
    order.push_back(t);
  }
  if (sql.empty()) return;
  auto r = conn.exec(sql);
  for (size_t col = 0; col < order.size(); ++col) {
    size_t t = order[col];
    std::string_view text = r.get(0, int(col));  // "{1001,1002}"
    std::vector<int64_t> keys;
    size_t i = 1;
    while (i < text.size()) {
      size_t end = text.find_first_of(",}", i);
      if (end == std::string_view::npos || end == i) break;
      keys.push_back(parse_int(text.substr(i, end - i)));
      i = end + 1;
    }
    if (keys.size() != pending[t].size())
      throw std::runtime_error("unexpected sequence values: " + std::string(text));
    std::sort(keys.begin(), keys.end());
    for (size_t k = 0; k < keys.size(); ++k) tables[t].ids[pending[t][k]] = keys[k];
  }
}

// COPY text format: backslash, tab, newline and carriage return escaped.
void append_copy_field(std::string& out, std::string_view v) {
  if (std::none_of(v.begin(), v.end(),
                   [](char c) { return c == '\\' || c == '\t' || c == '\n' || c == '\r'; })) {
    out += v;
    return;
  }
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

class Runner {
 public:
  // A run that continues an earlier one (rows already there) draws other values than a fresh
  // one with the same seed.
  Runner(pg::Connection& conn, Dataset& ds, const Options& o)
      : conn_(conn),
        ds_(ds),
        o_(o),
        plan_rng_(o.seed + ds.loaded_rows() * 0x9e3779b97f4a7c15ull, 1),
        fake_(o.seed + ds.loaded_rows() * 0x9e3779b97f4a7c15ull, 2) {}

  void batch(int64_t n, Stats& stats) {
    const int weights[] = {o_.mix.inserts, o_.mix.updates, o_.mix.deletes};
    changes_.clear();
    for (int64_t i = 0; i < n; ++i)
      changes_.push_back(ds_.plan(Op(plan_rng_.weighted(weights)), plan_rng_));
    allocate_keys(conn_, ds_, changes_);
    statements_.clear();
    for (const auto& c : changes_) statements_.push_back(ds_.render(c, fake_));
    execute();
    for (const auto& c : changes_) {
      switch (c.op) {
        case Op::insert:
          ++stats.inserts;
          break;
        case Op::update:
          ++stats.updates;
          break;
        case Op::remove:
          ++stats.deletes;
          break;
      }
      if (o_.on_change) o_.on_change(op_name(c.op), ds_.tables()[size_t(c.table)].name);
    }
  }

 private:
  // Runs the batch's statements as one transaction: a run of at least kCopyRows inserts into
  // one table as COPY, a shorter one as a multi-row INSERT, everything else as it is.
  void execute() {
    std::string sql = "BEGIN;";
    size_t i = 0;
    while (i < statements_.size()) {
      const Statement& s = statements_[i];
      if (s.table.empty()) {
        sql += s.sql;
        sql += ';';
        ++i;
        continue;
      }
      size_t end = i + 1;
      while (end < statements_.size() && statements_[end].table == s.table &&
             statements_[end].columns == s.columns)
        ++end;
      if (end - i >= kCopyRows) {
        conn_.exec(sql);
        sql.clear();
        std::string data;
        for (size_t k = i; k < end; ++k) {
          const auto& values = statements_[k].values;
          for (size_t v = 0; v < values.size(); ++v) {
            if (v) data += '\t';
            append_copy_field(data, values[v]);
          }
          data += '\n';
        }
        conn_.copy_in(fmt::format("COPY {} ({}) FROM STDIN", s.table, s.columns), data);
      } else {
        sql += fmt::format("INSERT INTO {} ({}) VALUES ", s.table, s.columns);
        for (size_t k = i; k < end; ++k) {
          const auto& values = statements_[k].values;
          sql += k == i ? "(" : ",(";
          for (size_t v = 0; v < values.size(); ++v) {
            if (v) sql += ',';
            sql += lit(values[v]);
          }
          sql += ')';
        }
        sql += ';';
      }
      i = end;
    }
    sql += "COMMIT";
    conn_.exec(sql);
  }

  pg::Connection& conn_;
  Dataset& ds_;
  const Options& o_;
  Rng plan_rng_;
  Fake fake_;
  std::vector<Change> changes_;
  std::vector<Statement> statements_;
};

}  // namespace

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const auto& d : datasets()) names.push_back(d.name);
  return names;
}

std::vector<DatasetInfo> datasets() {
  return {
      {"transactions",
       "001",
       "financial transactions (REPLICA IDENTITY FULL)",
       {"public.transactions"}},
      {"inventory",
       "003",
       "Debezium's example inventory: customers, products, stock, orders",
       {"inventory.customers", "inventory.products", "inventory.products_on_hand",
        "inventory.orders"}},
      {"candidates",
       "000",
       "HiredCorp candidate and company (job posting) accounts",
       {"raw.candidate", "raw.hiredcorp"}},
      {"survey",
       "004",
       "survey respondents and their responses",
       {"public.survey_respondents", "public.survey_responses"}},
      {"hired_employees",
       "002",
       "hired employees, with the seed's departments and jobs",
       {"hired_employees.departments", "hired_employees.jobs", "hired_employees.hired_employees"}},
  };
}

void create_schema(pg::Connection& conn, const std::string& dataset) {
  auto ds = dataset_or_throw(dataset);
  conn.exec("BEGIN");
  try {
    // Two generators creating the same dataset at once must not both load the initial rows.
    conn.exec(
        "SET LOCAL client_min_messages = warning; SELECT "
        "pg_advisory_xact_lock(hashtext('sluice generate --create'))");
    if (auto s = ds->schema_ddl(); !s.empty()) conn.exec(s);
    for (const auto& t : ds->ddl()) {
      if (conn.exec("SELECT to_regclass(" + lit(t.name) + ") IS NULL").get(0, 0) != "t") continue;
      conn.exec(t.ddl);
      if (!t.initial_rows.empty()) conn.exec(t.initial_rows);
    }
    conn.exec("COMMIT");
  } catch (...) {
    try {
      conn.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

Stats generate(const std::string& conninfo, const Options& o) {
  auto ds = dataset_or_throw(o.dataset);
  if (o.mix.inserts < 0 || o.mix.updates < 0 || o.mix.deletes < 0 ||
      int64_t(o.mix.inserts) + o.mix.updates + o.mix.deletes <= 0)
    throw std::invalid_argument(
        "the mix needs non-negative weights, at least one of them positive");
  if (!std::isfinite(o.rate) || o.rate < 0)
    throw std::invalid_argument("the rate must be a non-negative number of changes per second");
  pg::Connection conn(conninfo);
  conn.exec("SET application_name = 'sluice generate'; SET client_min_messages = warning");
  if (o.create) create_schema(conn, o.dataset);
  for (const auto& t : ds->tables())
    if (conn.exec("SELECT to_regclass(" + lit(t.name) + ") IS NULL").get(0, 0) == "t")
      throw std::runtime_error(
          fmt::format("{} does not exist: run with --create to create the {} dataset's tables",
                      t.name, o.dataset));
  ds->load(conn);
  prepare_sequences(conn, *ds);

  Runner runner(conn, *ds, o);
  Stats stats;
  auto stopped = [&] { return o.stop && o.stop->load(); };
  auto start = Clock::now();
  int64_t done = 0;
  while (!stopped() && (o.count < 0 || done < o.count)) {
    int64_t n = kMaxBatch;
    if (o.rate > 0) {
      auto now = Clock::now();
      double elapsed = std::chrono::duration<double>(now - start).count();
      int64_t due = int64_t(elapsed * o.rate) + 1;  // change i is due at start + i / rate
      if (due <= done) {
        auto next = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(double(done) / o.rate));
        std::this_thread::sleep_until(std::min(next, now + std::chrono::milliseconds(100)));
        continue;
      }
      n = std::min(due - done, kMaxBatch);
    }
    if (o.count >= 0) n = std::min(n, o.count - done);
    runner.batch(n, stats);
    done += n;
  }
  stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return stats;
}

}  // namespace sluice::gen
