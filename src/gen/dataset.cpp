#include "gen/dataset.h"

#include <charconv>

namespace sluice::gen {

namespace {
// 2024-01-01T00:00:00Z: the simulated clock of a fresh dataset starts here.
constexpr int64_t kClockStart = 1704067200;
}  // namespace

const char* op_name(Op op) {
  switch (op) {
    case Op::insert:
      return "insert";
    case Op::update:
      return "update";
    case Op::remove:
      return "delete";
  }
  return "?";
}

void HandleSet::add(uint32_t h) {
  if (contains(h)) return;
  if (h >= pos_.size()) pos_.resize(size_t(h) + 1, -1);
  pos_[h] = int64_t(items_.size());
  items_.push_back(h);
}

void HandleSet::remove(uint32_t h) {
  if (!contains(h)) return;
  size_t i = size_t(pos_[h]);
  uint32_t last = items_.back();
  items_[i] = last;
  pos_[last] = int64_t(i);
  items_.pop_back();
  pos_[h] = -1;
}

pg::Result Dataset::load_rows(pg::Connection& conn, int t, const std::string& extra_columns) {
  const Table& table = tables_[size_t(t)];
  auto r = conn.exec("SELECT " + table.key + (extra_columns.empty() ? "" : ", " + extra_columns) +
                     " FROM " + table.name + " ORDER BY " + table.key);
  loaded_rows_ += uint64_t(r.rows());
  return r;
}

void Dataset::start_clock(pg::Connection& conn, const std::string& max_epoch_query) {
  clock_ = kClockStart;
  auto r = conn.exec(max_epoch_query);
  if (r.rows() == 1 && !r.is_null(0, 0)) {
    int64_t newest = 0;
    auto v = r.get(0, 0);
    std::from_chars(v.data(), v.data() + v.size(), newest);
    if (newest + 1 > clock_) clock_ = newest + 1;
  }
}

int64_t Dataset::tick(Fake& fake, int64_t lo, int64_t hi) {
  clock_ += fake.rng().between(lo, hi);
  return clock_;
}

std::string lit(std::string_view s) {
  bool backslash = s.find('\\') != std::string_view::npos;
  std::string out = backslash ? "E'" : "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string text_array(const std::vector<std::string>& items) {
  std::string out = "ARRAY[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += lit(items[i]);
  }
  out += "]::text[]";
  return out;
}

std::string array_value(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Statement insert_row(std::string_view table, std::string_view columns,
                     std::vector<std::string> values) {
  return {table, columns, std::move(values), {}};
}

Statement statement(std::string sql) { return {{}, {}, {}, std::move(sql)}; }

std::unique_ptr<Dataset> make_dataset(std::string_view name) {
  if (name == "transactions") return make_transactions();
  if (name == "inventory") return make_inventory();
  if (name == "candidates") return make_candidates();
  if (name == "survey") return make_survey();
  if (name == "hired_employees") return make_hired_employees();
  return nullptr;
}

}  // namespace sluice::gen
