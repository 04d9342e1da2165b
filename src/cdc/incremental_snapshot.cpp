#include "cdc/incremental_snapshot.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>

#include "cdc/fatal_error.h"
#include "cdc/snapshot_tables.h"
#include "core/clock.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "pg/replication_stream.h"

namespace sluice::cdc {

namespace {

constexpr const char* kLog = "snapshot";

void append_strings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    json::append_string(out, v[i]);
  }
  out += ']';
}

std::vector<std::string> get_strings(const rapidjson::Value& o, const char* name) {
  std::vector<std::string> out;
  auto it = o.FindMember(name);
  if (it == o.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& v : it->value.GetArray())
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  return out;
}

std::string get_string(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

// A signal's data-collections as one include list (each entry is a regular expression).
RegexList collections(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& n : names) joined += (joined.empty() ? "" : ",") + n;
  return RegexList::parse(joined);
}

}  // namespace

struct IncrementalSnapshot::Plan {
  SnapshotTable table;
  std::vector<size_t> key_index;  // positions of the key columns in the select list
  std::vector<std::string> key_types;
  std::string keys;    // "k1", "k2"
  std::string select;  // SELECT … FROM t
};

IncrementalSnapshot::IncrementalSnapshot(const ConnectorConfig& config, std::string conninfo,
                                         SnapshotProgress& progress)
    : config_(config),
      conninfo_(std::move(conninfo)),
      progress_(progress),
      run_id_(fmt::format("{}-{}", getpid(), unix_micros())) {}

IncrementalSnapshot::~IncrementalSnapshot() = default;

pg::Connection& IncrementalSnapshot::conn() {
  if (!conn_) {
    conn_ = std::make_unique<pg::Connection>(conninfo_ + " options='" +
                                             pg::replication_session_options() + "'");
    catalog_ = std::make_unique<pg::Catalog>(*conn_);
  }
  return *conn_;
}

std::string IncrementalSnapshot::state() const {
  if (queue_.empty()) return {};
  std::string s = "{\"tables\":[";
  for (size_t i = 0; i < queue_.size(); ++i) {
    const Table& t = queue_[i];
    if (i) s += ',';
    s += "{\"name\":";
    json::append_string(s, t.name);
    s += ",\"filter\":";
    json::append_string(s, t.filter);
    s += ",\"last_key\":";
    append_strings(s, t.last_key);
    if (t.has_max) {
      s += ",\"max_key\":";
      append_strings(s, t.max_key);
    }
    s += '}';
  }
  s += "]}";
  return s;
}

void IncrementalSnapshot::restore(const std::string& state) {
  queue_.clear();
  plan_.reset();
  window_pending_ = false;
  if (state.empty()) return;
  rapidjson::Document d;
  d.Parse(state.c_str(), state.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("tables") || !d["tables"].IsArray())
    throw FatalError("the saved incremental snapshot state is not valid: " + state.substr(0, 200));
  for (const auto& v : d["tables"].GetArray()) {
    if (!v.IsObject()) continue;
    Table t;
    t.name = get_string(v, "name");
    t.filter = get_string(v, "filter");
    t.last_key = get_strings(v, "last_key");
    t.has_max = v.HasMember("max_key");
    t.max_key = get_strings(v, "max_key");
    queue_.push_back(std::move(t));
  }
  if (!queue_.empty())
    log::info(kLog, "resuming the incremental snapshot of {} table(s), {} first", queue_.size(),
              queue_.front().name);
}

void IncrementalSnapshot::execute(std::string_view id, std::string_view data) {
  rapidjson::Document d;
  d.Parse(data.data(), data.size());
  if (d.HasParseError() || !d.IsObject()) {
    log::error(kLog, "signal {}: execute-snapshot data is not a JSON object: {}", id, data);
    return;
  }
  std::string type = get_string(d, "type");
  if (!type.empty() && type != "incremental" && type != "INCREMENTAL") {
    log::error(kLog, "signal {}: snapshot type '{}' is not supported; use \"incremental\"", id,
               type);
    return;
  }
  auto names = get_strings(d, "data-collections");
  if (names.empty()) {
    log::error(kLog, "signal {}: execute-snapshot needs \"data-collections\"", id);
    return;
  }
  std::vector<SnapshotTable> tables;
  try {
    pg::Connection& c = conn();  // opens catalog_ too
    tables = snapshot_tables_matching(c, *catalog_, config_, collections(names));
  } catch (const std::invalid_argument& e) {
    log::error(kLog, "signal {}: {}", id, e.what());
    return;
  }
  if (tables.empty()) {
    log::error(kLog,
               "signal {}: no captured table matches {} (tables must be in publication {} and "
               "in the include lists)",
               id, data, config_.publication_name);
    return;
  }
  std::vector<std::pair<std::string, std::string>> filters;
  auto ac = d.FindMember("additional-conditions");
  if (ac != d.MemberEnd() && ac->value.IsArray())
    for (const auto& c : ac->value.GetArray())
      if (c.IsObject())
        filters.emplace_back(get_string(c, "data-collection"), get_string(c, "filter"));
  for (const auto& st : tables) {
    std::string name = st.name();
    bool queued =
        std::any_of(queue_.begin(), queue_.end(), [&](const Table& t) { return t.name == name; });
    if (queued) continue;
    if (st.schema->key_columns.empty()) {
      log::error(kLog,
                 "signal {}: an incremental snapshot of {} needs a primary key (or "
                 "message.key.columns, not supported yet) to read it in chunks; skipped",
                 id, name);
      continue;
    }
    Table t;
    t.name = name;
    for (const auto& [dc, f] : filters)
      if (dc == name) t.filter = f;
    log::info(kLog, "signal {}: incremental snapshot of {} queued", id, name);
    queue_.push_back(std::move(t));
  }
}

void IncrementalSnapshot::stop(std::string_view id, std::string_view data) {
  rapidjson::Document d;
  d.Parse(data.data(), data.size());
  std::vector<std::string> names;
  if (!d.HasParseError() && d.IsObject()) names = get_strings(d, "data-collections");
  RegexList match;
  try {
    match = collections(names);
  } catch (const std::invalid_argument& e) {
    log::error(kLog, "signal {}: {}", id, e.what());
    return;
  }
  for (size_t i = queue_.size(); i-- > 0;) {
    if (!names.empty() && !match.matches(queue_[i].name)) continue;
    log::info(kLog, "signal {}: incremental snapshot of {} stopped", id, queue_[i].name);
    if (i == 0 && plan_) {
      progress_.finish(progress_index_);
      plan_.reset();
      window_pending_ = false;
      chunk_.reset();
    }
    queue_.erase(queue_.begin() + std::ptrdiff_t(i));
  }
}

bool IncrementalSnapshot::prepare(Table& t) {
  pg::Connection& c = conn();
  RegexList exact = RegexList::parse([&] {
    std::string re;
    for (char ch : t.name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') re += '\\';
      re += ch;
    }
    return re;
  }());
  auto tables = snapshot_tables_matching(c, *catalog_, config_, exact);
  if (tables.empty()) {
    log::error(kLog, "incremental snapshot of {}: the table is no longer captured; skipped",
               t.name);
    return false;
  }
  auto p = std::make_unique<Plan>();
  p->table = std::move(tables.front());
  const auto& rel = p->table.rel;
  for (const auto& k : p->table.schema->key_columns) {
    size_t i = size_t(k.tuple_index);
    if (i >= rel.columns.size()) return false;
    p->key_index.push_back(i);
    if (!p->keys.empty()) p->keys += ", ";
    p->keys += c.quote_ident(rel.columns[i].name);
    p->key_types.push_back(c.exec_params("SELECT format_type($1::oid, $2::int)",
                                         {std::to_string(rel.columns[i].type_oid),
                                          std::to_string(rel.columns[i].typmod)})
                               .str(0, 0));
  }
  if (p->key_index.empty()) {
    log::error(kLog, "incremental snapshot of {}: it has no primary key; skipped", t.name);
    return false;
  }
  p->select = fmt::format("SELECT {} FROM {}", select_list(c, rel), qualified_name(c, rel));
  if (!t.has_max) {
    std::string desc;
    for (size_t i = 0; i < p->key_index.size(); ++i)
      desc += (i ? ", " : "") + c.quote_ident(rel.columns[p->key_index[i]].name) + " DESC";
    auto r = c.exec(fmt::format("SELECT {} FROM {}{} ORDER BY {} LIMIT 1", p->keys,
                                qualified_name(c, rel),
                                t.filter.empty() ? "" : " WHERE (" + t.filter + ")", desc));
    t.has_max = true;
    t.max_key.clear();
    if (r.rows() == 1)
      for (int i = 0; i < r.columns(); ++i) t.max_key.push_back(r.str(0, i));
  }
  progress_index_ = progress_.add_table(t.name, p->table.estimated_rows, true);
  log::info(kLog, "incremental snapshot of {} starts{}", t.name,
            t.last_key.empty() ? "" : " after the last key reached before the restart");
  plan_ = std::move(p);
  return true;
}

void IncrementalSnapshot::finish_table() {
  if (plan_) {
    progress_.finish(progress_index_);
    uint64_t rows = 0;
    auto all = progress_.snapshot();
    if (progress_index_ < all.size()) rows = all[progress_index_].rows;
    log::info(kLog, "incremental snapshot of {} done: {} rows", queue_.front().name, rows);
  }
  plan_.reset();
  queue_.erase(queue_.begin());
}

void IncrementalSnapshot::open_window() {
  while (!queue_.empty() && !plan_) {
    Table& t = queue_.front();
    if (!prepare(t)) {
      queue_.erase(queue_.begin());
      continue;
    }
    if (t.max_key.empty()) finish_table();  // no rows
  }
  if (queue_.empty()) return;
  Table& t = queue_.front();
  pg::Connection& c = conn();
  std::string id = fmt::format("{}:{}", run_id_, ++window_);
  std::vector<std::string> params;
  std::string where;
  auto tuple = [&](size_t first) {
    std::string s = "(";
    for (size_t i = 0; i < plan_->key_index.size(); ++i)
      s += fmt::format("{}${}::{}", i ? ", " : "", first + i, plan_->key_types[i]);
    return s + ")";
  };
  if (!t.last_key.empty()) {
    where = fmt::format("({}) > {}", plan_->keys, tuple(params.size() + 1));
    params.insert(params.end(), t.last_key.begin(), t.last_key.end());
  }
  where += fmt::format("{}({}) <= {}", where.empty() ? "" : " AND ", plan_->keys,
                       tuple(params.size() + 1));
  params.insert(params.end(), t.max_key.begin(), t.max_key.end());
  if (!t.filter.empty()) where += " AND (" + t.filter + ")";
  std::string sql = fmt::format("{} WHERE {} ORDER BY {} LIMIT {}", plan_->select, where,
                                plan_->keys, config_.incremental_chunk_size);
  c.exec_params("SELECT pg_logical_emit_message(true, $1, $2)", {kWatermarkPrefix, "open:" + id});
  chunk_ = std::make_unique<pg::Result>(c.exec_params(sql, params));
  c.exec_params("SELECT pg_logical_emit_message(true, $1, $2)", {kWatermarkPrefix, "close:" + id});
  window_pending_ = true;
  window_open_ = false;
  window_closed_ = false;
  dropped_.clear();
  drop_all_ = false;
  chunk_keys_.clear();
  EventBuilder b(config_);
  pg::Tuple row;
  for (int r = 0; r < chunk_->rows(); ++r) {
    row.clear();
    for (int col = 0; col < chunk_->columns(); ++col)
      row.push_back({chunk_->is_null(r, col) ? 'n' : 't', chunk_->get(r, col)});
    std::string key;
    b.key_payload(key, *plan_->table.schema, row);
    chunk_keys_.push_back(std::move(key));
  }
}

bool IncrementalSnapshot::on_watermark(std::string_view content) {
  if (!window_pending_) return false;
  std::string id = fmt::format("{}:{}", run_id_, window_);
  if (content == "open:" + id) {
    window_open_ = true;
    return false;
  }
  if (content == "close:" + id) {
    window_closed_ = true;
    return true;
  }
  return false;  // another connector's, or an earlier run's
}

void IncrementalSnapshot::on_change(const std::string& data_collection,
                                    const std::string& key_payload) {
  if (window_pending_ && window_open_ && !window_closed_ && plan_ &&
      data_collection == plan_->table.schema->data_collection)
    dropped_.insert(key_payload);
}

void IncrementalSnapshot::on_truncate(const std::string& data_collection) {
  if (window_pending_ && window_open_ && !window_closed_ && plan_ &&
      data_collection == plan_->table.schema->data_collection)
    drop_all_ = true;
}

uint64_t IncrementalSnapshot::emit_chunk(std::string& out, EventBuilder& builder,
                                         Lsn last_commit_lsn) {
  if (!window_pending_ || !window_closed_ || !chunk_ || queue_.empty()) return 0;
  Table& t = queue_.front();
  SourceInfo src;
  src.snapshot = "incremental";
  src.has_txid = false;
  src.has_lsn = false;
  src.commit_time_us = unix_micros();
  src.last_commit_lsn = last_commit_lsn;
  uint64_t n = 0;
  pg::Tuple row;
  int rows = chunk_->rows();
  for (int r = 0; r < rows; ++r) {
    if (drop_all_ || dropped_.count(chunk_keys_[size_t(r)])) continue;
    row.clear();
    for (int col = 0; col < chunk_->columns(); ++col)
      row.push_back({chunk_->is_null(r, col) ? 'n' : 't', chunk_->get(r, col)});
    builder.change(out, *plan_->table.schema, 'r', nullptr, &row, nullptr, src, nullptr);
    ++n;
  }
  progress_.add_rows(progress_index_, n);
  if (rows > 0) {
    t.last_key.clear();
    for (size_t k : plan_->key_index) t.last_key.emplace_back(chunk_->get(rows - 1, int(k)));
  }
  chunk_.reset();
  window_pending_ = false;
  if (rows < config_.incremental_chunk_size || (rows > 0 && t.last_key == t.max_key))
    finish_table();
  return n;
}

}  // namespace sluice::cdc
