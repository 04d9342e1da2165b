// What every generated dataset provides: its tables' DDL (as the seed defines them), the state
// it keeps about existing rows, and two steps per change. plan() decides what changes — the
// kind, the table, the target row and the rows it references — and keeps the client-side view
// of the tables (which rows exist, which may be deleted without breaking a foreign key).
// render() then draws the values and writes the SQL. Keys of new rows in SERIAL tables are
// taken from the table's sequence between the two steps, so plans and values do not depend on
// how changes are grouped into transactions.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gen/fake.h"
#include "pg/connection.h"

namespace sluice::gen {

enum class Op { insert, update, remove };
const char* op_name(Op op);  // "insert", "update", "delete"

// Row handles (dense indexes into a table's rows) with O(1) add, remove and uniform pick. The
// order depends only on the sequence of operations, so picks are repeatable.
class HandleSet {
 public:
  void add(uint32_t h);
  void remove(uint32_t h);
  bool contains(uint32_t h) const { return h < pos_.size() && pos_[h] >= 0; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  uint32_t pick(Rng& rng) const { return items_[rng.below(items_.size())]; }

 private:
  std::vector<uint32_t> items_;
  std::vector<int64_t> pos_;  // handle -> index in items_, or -1
};

// A table the generator writes to.
struct Table {
  std::string name;          // schema-qualified: "inventory.customers"
  std::string key;           // primary key column
  bool serial = false;       // key values come from the column's sequence
  std::string sequence;      // the sequence, found when the dataset is loaded
  std::vector<int64_t> ids;  // row handle -> key value; 0 until the sequence gave one
  uint32_t add_row(int64_t id = 0) {
    ids.push_back(id);
    return uint32_t(ids.size() - 1);
  }
};

// One planned row change.
struct Change {
  Op op = Op::insert;
  int table = 0;         // index into Dataset::tables()
  uint32_t row = 0;      // the new row (insert) or the target (update, delete)
  uint32_t ref[2] = {};  // rows this one references (dataset-specific)
};

// One change. An insert is a row of values in PostgreSQL's text input form (what COPY reads:
// "42", "t", "{\"Go\",\"SQL\"}", "2024-01-01 08:30:00"), so the generator can send a long run
// of inserts into one table with COPY and a short one as a multi-row INSERT. An update or
// delete is its statement.
struct Statement {
  std::string_view table;    // the insert's table (a literal); empty for an update or delete
  std::string_view columns;  // the insert's columns (a literal): "id, first_name, last_name"
  std::vector<std::string> values;
  std::string sql;  // the UPDATE or DELETE
};
Statement insert_row(std::string_view table, std::string_view columns,
                     std::vector<std::string> values);
Statement statement(std::string sql);

// DDL of one table, run when the table does not exist yet, then its initial rows (if any).
struct TableDdl {
  std::string name;
  std::string ddl;
  std::string initial_rows;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  // CREATE SCHEMA IF NOT EXISTS … (empty for public), then the tables in creation order.
  virtual std::string schema_ddl() const { return {}; }
  virtual std::vector<TableDdl> ddl() const = 0;
  // Reads what the plan needs about existing rows; keys in key order.
  virtual void load(pg::Connection& conn) = 0;
  // Plans a change of this kind; an update or delete with no row to target becomes an insert.
  virtual Change plan(Op op, Rng& rng) = 0;
  // Draws the change's values and writes its SQL; row ids are known by now.
  virtual Statement render(const Change& change, Fake& fake) = 0;

  std::vector<Table>& tables() { return tables_; }
  // Rows read by load(), to vary the values of a run that continues an earlier one.
  uint64_t loaded_rows() const { return loaded_rows_; }

 protected:
  // Loads the keys of table t (ORDER BY key) and returns the result (extra columns after the
  // key when given, e.g. "purchaser, product_id").
  pg::Result load_rows(pg::Connection& conn, int t, const std::string& extra_columns = "");
  // Starts the simulated clock after the newest timestamp the query returns (epoch seconds, or
  // NULL), and not before 2024-01-01.
  void start_clock(pg::Connection& conn, const std::string& max_epoch_query);
  // Advances the simulated clock by lo..hi seconds and returns it.
  int64_t tick(Fake& fake, int64_t lo, int64_t hi);
  int64_t id(int t, uint32_t row) const { return tables_[size_t(t)].ids[row]; }

  std::vector<Table> tables_;
  int64_t clock_ = 0;
  uint64_t loaded_rows_ = 0;
};

// Text helpers for rendering.
std::string lit(std::string_view s);                             // SQL literal: 'it''s'
std::string text_array(const std::vector<std::string>& items);   // SQL: ARRAY['a','b']::text[]
std::string array_value(const std::vector<std::string>& items);  // text form: {"a","b"}

// The datasets, by name; nullptr for an unknown name.
std::unique_ptr<Dataset> make_dataset(std::string_view name);
std::unique_ptr<Dataset> make_transactions();
std::unique_ptr<Dataset> make_inventory();
std::unique_ptr<Dataset> make_candidates();
std::unique_ptr<Dataset> make_survey();
std::unique_ptr<Dataset> make_hired_employees();

}  // namespace sluice::gen
