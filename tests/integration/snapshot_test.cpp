// Initial and incremental snapshots against a real PostgreSQL: seed 003's inventory database,
// consistency under concurrent writes (every row once, as a read or as a later change), kill -9
// in the middle of a snapshot, incremental snapshots with DBLog watermarks while streaming, each
// snapshot.mode, tables without a primary key, and snapshots into the embedded log's topics.
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "broker_harness.h"
#include "harness.h"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Under ASan+UBSan these tests' own JSON parsing of every record is several times slower: the
// large tables (and the output sizes that trigger kills) are a quarter of their size there.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kScale = 4;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int64_t kScale = 4;
#else
constexpr int64_t kScale = 1;
#endif
#else
constexpr int64_t kScale = 1;
#endif

// The payload of a key or value written by JsonConverter, with or without schemas.
const rapidjson::Value& unwrap(const rapidjson::Value& v) {
  if (v.IsObject() && v.HasMember("schema") && v.HasMember("payload")) return v["payload"];
  return v;
}

// A member, or a null value when obj is not an object or lacks it.
const rapidjson::Value& at(const rapidjson::Value& obj, const char* name) {
  static const rapidjson::Value null_value;
  if (!obj.IsObject()) return null_value;
  auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? null_value : it->value;
}

// An integer member, or `otherwise`.
int64_t int_at(const rapidjson::Value& obj, const char* name, int64_t otherwise = -1) {
  const auto& v = at(obj, name);
  return v.IsInt64() ? v.GetInt64() : otherwise;
}

// A string member, or "<absent>" / "<null>" / the member's JSON when it is not a string.
std::string member_str(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name)) return "<absent>";
  const auto& v = obj[name];
  if (v.IsNull()) return "<null>";
  if (v.IsString()) return v.GetString();
  return to_json(v);
}

// The first line of `text` holding `needle`, without its newline ("" if none).
std::string line_with(const std::string& text, const std::string& needle) {
  auto at = text.find(needle);
  if (at == std::string::npos) return "";
  auto begin = text.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(begin, text.find('\n', at) - begin);
}

uint64_t file_size(const std::string& path) {
  std::error_code ec;
  auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : n;
}

// Reads the complete lines appended to an output file since the previous poll, each parsed as
// JSON. A cut file (smaller than what was read) is read again from its start.
class Follower {
 public:
  explicit Follower(std::string path) : path_(std::move(path)) {}

  template <typename Fn>
  void poll(Fn&& fn) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return;
    in.seekg(0, std::ios::end);
    auto size = static_cast<uint64_t>(in.tellg());
    if (size < offset_) offset_ = 0;
    while (offset_ < size) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(size - offset_, 16u << 20));
      std::string buf(want, '\0');
      in.seekg(static_cast<std::streamoff>(offset_));
      in.read(buf.data(), static_cast<std::streamsize>(want));
      buf.resize(static_cast<size_t>(in.gcount()));
      size_t pos = 0;
      for (size_t nl; (nl = buf.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        rapidjson::Document d;
        d.Parse(buf.data() + pos, nl - pos);
        ++lines_;
        if (d.HasParseError() || !d.IsObject()) {
          if (bad_++ == 0) first_bad_ = buf.substr(pos, std::min<size_t>(nl - pos, 200));
          continue;
        }
        fn(static_cast<const rapidjson::Value&>(d));
      }
      if (pos == 0) {
        if (want == size - offset_) break;  // a partial last line: wait for the rest
        ADD_FAILURE() << "an output line longer than 16 MiB in " << path_;
        break;
      }
      offset_ += pos;
    }
  }
  uint64_t lines() const { return lines_; }
  uint64_t bad() const { return bad_; }
  const std::string& first_bad() const { return first_bad_; }

 private:
  std::string path_;
  uint64_t offset_ = 0, lines_ = 0, bad_ = 0;
  std::string first_bad_;
};

// One record, flattened; only for outputs of a few thousand records.
struct Ev {
  std::string topic;
  std::string op;        // "" for a tombstone
  std::string snapshot;  // source.snapshot
  std::string key;       // JSON of the key payload ("null" for a null key)
  std::string after;     // JSON of after ("null")
  int64_t id = 0;        // the "id" of the key, or of after when the key has none
  std::string txid, lsn;
};

Ev make_ev(std::string topic, const rapidjson::Value* key, const rapidjson::Value* value) {
  Ev e;
  e.topic = std::move(topic);
  e.key = key ? to_json(unwrap(*key)) : "null";
  if (key) e.id = int_at(unwrap(*key), "id", 0);
  if (!value || value->IsNull()) return e;
  const auto& p = unwrap(*value);
  e.op = member_str(p, "op");
  if (p.HasMember("source")) {
    e.snapshot = member_str(p["source"], "snapshot");
    e.txid = member_str(p["source"], "txId");
    e.lsn = member_str(p["source"], "lsn");
  }
  if (p.HasMember("after")) {
    e.after = to_json(p["after"]);
    if (e.id == 0) e.id = int_at(p["after"], "id", 0);
  }
  return e;
}

// Every record of an output file.
std::vector<Ev> events(const std::string& path) {
  std::vector<Ev> out;
  Follower f(path);
  f.poll([&](const rapidjson::Value& line) {
    const rapidjson::Value* key = line.HasMember("key") ? &line["key"] : nullptr;
    if (key && key->IsNull()) key = nullptr;
    out.push_back(make_ev(member_str(line, "topic"), key,
                          line.HasMember("value") ? &line["value"] : nullptr));
  });
  EXPECT_EQ(f.bad(), 0u) << "bad JSON line in " << path << ": " << f.first_bad();
  return out;
}

std::string describe(const std::vector<Ev>& evs, size_t max = 40) {
  std::string s;
  for (size_t i = 0; i < evs.size() && i < max; ++i)
    s += fmt::format("  {} {} op={} snapshot={} key={} after={}\n", i, evs[i].topic, evs[i].op,
                     evs[i].snapshot, evs[i].key, evs[i].after.substr(0, 120));
  if (evs.size() > max) s += fmt::format("  ... {} records in all\n", evs.size());
  return s;
}

// source.snapshot markers, as small codes for large outputs.
enum Marker : uint8_t { kTrue, kFirst, kFirstIn, kLastIn, kLast, kOther };
Marker marker_code(const std::string& s) {
  if (s == "true") return kTrue;
  if (s == "first") return kFirst;
  if (s == "first_in_data_collection") return kFirstIn;
  if (s == "last_in_data_collection") return kLastIn;
  if (s == "last") return kLast;
  return kOther;
}
const char* marker_name(int m) {
  static const char* names[] = {"true",
                                "first",
                                "first_in_data_collection",
                                "last_in_data_collection",
                                "last",
                                "(not a snapshot marker)"};
  return names[m];
}

// Checks the markers of one initial snapshot's records in output order, given as (table,
// marker): "first" on the very first record, "first_in_data_collection" on the first record of
// each later table, "last_in_data_collection" on the last of each table, "last" on the very last,
// "true" elsewhere. A record that is both a table's first and last is marked as its last, except
// the snapshot's very first record, which stays "first" unless it is also the very last (as in
// Debezium). Returns the mismatches ("" if none).
std::string check_markers(const std::vector<std::pair<uint16_t, uint8_t>>& recs) {
  size_t n = recs.size();
  std::vector<uint8_t> want(n, kTrue);
  std::map<uint16_t, size_t> first, last;
  for (size_t i = 0; i < n; ++i) {
    first.emplace(recs[i].first, i);
    last[recs[i].first] = i;
  }
  // Debezium's precedence (RelationalSnapshotChangeEventSource.setSnapshotMarker): last, first,
  // last_in_data_collection, first_in_data_collection.
  for (auto& [t, i] : first) want[i] = kFirstIn;
  for (auto& [t, i] : last) want[i] = kLastIn;
  if (n > 0) want[0] = kFirst;
  if (n > 0) want[n - 1] = kLast;
  std::string out;
  int shown = 0;
  size_t wrong = 0;
  for (size_t i = 0; i < n; ++i) {
    if (recs[i].second == want[i]) continue;
    ++wrong;
    if (shown++ < 8)
      out += fmt::format("  record {} of {} (table #{}): snapshot={}, expected {}\n", i, n,
                         recs[i].first, marker_name(recs[i].second), marker_name(want[i]));
  }
  if (wrong) out = fmt::format("{} wrong snapshot markers:\n{}", wrong, out);
  return out;
}

std::string check_markers(const std::vector<Ev>& reads) {
  std::map<std::string, uint16_t> tables;
  std::vector<std::pair<uint16_t, uint8_t>> recs;
  for (const auto& e : reads) {
    auto t = tables.emplace(e.topic, uint16_t(tables.size())).first->second;
    recs.emplace_back(t, marker_code(e.snapshot));
  }
  return check_markers(recs);
}

// A table (id bigint PRIMARY KEY, v text, n int) folded from the records of its topic: reads,
// creates and updates set the row, deletes remove it.
struct Folded {
  struct Row {
    std::string v;
    int64_t n = 0;
  };
  std::unordered_map<int64_t, Row> rows;
  std::unordered_map<int64_t, uint32_t> reads, creates;
  uint64_t records = 0, read_records = 0, streamed = 0, tombstones = 0;
  bool read_after_stream = false;  // an initial-snapshot read after a streamed record
  std::vector<std::pair<uint16_t, uint8_t>> markers;  // of initial-snapshot reads
  uint64_t problems = 0;
  std::string problem_text;  // the first few
  void problem(const std::string& s) {
    if (problems++ < 8) problem_text += "  " + s + "\n";
  }
};

// Folds the records of `topic` in an output file. incremental: the reads are incremental
// snapshot reads (snapshot "incremental", txId and lsn null) rather than an initial snapshot's.
Folded fold_file(const std::string& path, const std::string& topic, bool incremental) {
  Folded f;
  Follower fl(path);
  uint64_t index = 0;
  fl.poll([&](const rapidjson::Value& line) {
    ++index;
    if (member_str(line, "topic") != topic) return;
    ++f.records;
    const auto& value = at(line, "value");
    if (value.IsNull()) {
      ++f.tombstones;
      return;
    }
    const auto& p = unwrap(value);
    std::string op = member_str(p, "op");
    std::string snap = member_str(at(p, "source"), "snapshot");
    int64_t id = op == "d" ? int_at(unwrap(at(line, "key")), "id") : int_at(at(p, "after"), "id");
    if (id < 0) {
      f.problem(fmt::format("line {}: op {} without an id", index, op));
      return;
    }
    if (op == "r") {
      ++f.read_records;
      ++f.reads[id];
      if (incremental) {
        if (snap != "incremental")
          f.problem(fmt::format("line {}: incremental read with snapshot={}", index, snap));
        std::string txid = member_str(at(p, "source"), "txId");
        std::string lsn = member_str(at(p, "source"), "lsn");
        if (txid != "<null>" || lsn != "<null>")
          f.problem(fmt::format("line {}: incremental read with txId={} lsn={} (null expected)",
                                index, txid, lsn));
      } else {
        if (f.streamed > 0) f.read_after_stream = true;
        f.markers.emplace_back(0, marker_code(snap));
      }
    } else {
      ++f.streamed;
      if (snap != "false")
        f.problem(fmt::format("line {}: streamed op {} with snapshot={}", index, op, snap));
      if (op == "c") ++f.creates[id];
    }
    if (op == "r" || op == "c" || op == "u") {
      const auto& a = at(p, "after");
      f.rows[id] = {member_str(a, "v"), int_at(a, "n", -999999)};
    } else if (op == "d") {
      f.rows.erase(id);
    } else {
      f.problem(fmt::format("line {}: unexpected op {}", index, op));
    }
  });
  if (fl.bad()) f.problem(fmt::format("{} bad JSON lines, first: {}", fl.bad(), fl.first_bad()));
  return f;
}

// The rows of `table` (id, v, n) compared with the folded records.
void expect_matches_table(pg::Connection& conn, const std::string& table, const Folded& f) {
  auto r = conn.exec(fmt::format("SELECT id, v, n FROM {}", table));
  uint64_t missing = 0, differ = 0;
  std::string text;
  for (int i = 0; i < r.rows(); ++i) {
    int64_t id = std::stoll(r.str(i, 0));
    auto it = f.rows.find(id);
    if (it == f.rows.end()) {
      if (missing++ < 5) text += fmt::format("  id {} is in the table, not in the records\n", id);
      continue;
    }
    if (it->second.v != r.get(i, 1) || it->second.n != std::stoll(r.str(i, 2))) {
      if (differ++ < 5)
        text += fmt::format("  id {}: table ({}, {}), records ({}, {})\n", id, r.get(i, 1),
                            r.get(i, 2), it->second.v, it->second.n);
    }
  }
  uint64_t extra = f.rows.size() + missing - uint64_t(r.rows());
  EXPECT_EQ(missing, 0u) << text;
  EXPECT_EQ(differ, 0u) << text;
  EXPECT_EQ(extra, 0u) << "rows in the records that are not (any more) in the table";
  EXPECT_EQ(f.rows.size(), size_t(r.rows()));
}

// Inserts, updates and deletes on a table (id bigint PRIMARY KEY, v text, n int) of ids
// 1..max_id in small transactions over a connection of its own, until stopped. New rows get ids
// from first_new up (an id is never used twice); updates and deletes spare id max_id.
class Writer {
 public:
  Writer(std::string conninfo, std::string table, int64_t max_id, int64_t first_new, bool deletes)
      : conninfo_(std::move(conninfo)),
        table_(std::move(table)),
        max_id_(max_id),
        next_(first_new),
        deletes_(deletes) {}
  ~Writer() { stop(); }
  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int64_t transactions() const { return txs_; }
  const std::string& error() const { return error_; }

 private:
  void run() {
    try {
      pg::Connection w(conninfo_);
      std::mt19937_64 rng(7);
      auto pick = [&] { return int64_t(rng() % uint64_t(max_id_ - 1)) + 1; };
      for (int64_t tx = 0; !stop_; ++tx) {
        std::string s = "BEGIN;";
        for (int i = 0; i < 3; ++i)
          s += fmt::format("UPDATE {} SET n = n + 1, v = md5(random()::text) WHERE id = {};",
                           table_, pick());
        s += fmt::format("INSERT INTO {} VALUES ({}, 'new', 0);", table_, next_++);
        if (tx % 5 == 2) s += fmt::format("UPDATE {} SET n = -n WHERE id = {};", table_, next_ - 2);
        if (deletes_ && tx % 3 == 0)
          s += fmt::format("DELETE FROM {} WHERE id = {};", table_, pick());
        s += "COMMIT";
        w.exec(s);
        ++txs_;
      }
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  std::string conninfo_, table_;
  int64_t max_id_, next_;
  bool deletes_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> txs_{0};
  std::string error_;
  std::thread thread_;
};

class Snapshot : public CaptureTest {
 protected:
  // A connector config with the given snapshot.mode; key and value schemas disabled unless
  // `extra` says otherwise.
  std::string config(const std::string& mode, const std::string& extra = "",
                     const std::string& name = "snap") {
    std::string path = dir + "/" + name + ".json";
    std::ofstream(path) << fmt::format(
        R"({{"name":"snap-connector","config":{{)"
        R"("connector.class":"io.debezium.connector.postgresql.PostgresConnector",)"
        R"("database.hostname":"127.0.0.1","database.port":"{}","database.user":"postgres",)"
        R"("database.password":"postgres","database.dbname":"{}","topic.prefix":"test",)"
        R"("slot.name":"{}","snapshot.mode":"{}",)"
        R"("key.converter.schemas.enable":"false","value.converter.schemas.enable":"false")"
        R"({}{}}}}})",
        cluster().port(), db, slot_name(), mode, extra.empty() ? "" : ",", extra);
    return path;
  }

  Proc start(const std::string& cfg, const std::string& out) {
    Proc p = spawn_sluice({"capture", cfg, "--output", out});
    EXPECT_GT(p.pid, 0);
    return p;
  }

  // SIGTERM, then exit code 0.
  void stop(Proc& p) {
    p.signal(SIGTERM);
    int rc = p.wait(30s);
    if (rc == -1) p.signal(SIGKILL);
    EXPECT_EQ(rc, 0) << p.stderr_text();
  }

  size_t lines(const std::string& path) {
    std::string t = read_text(path);
    return size_t(std::count(t.begin(), t.end(), '\n'));
  }

  bool wait_lines(const std::string& path, size_t n, std::chrono::milliseconds limit = 60s) {
    return wait_until([&] { return lines(path) >= n; }, limit);
  }

  bool wait_slot_active(std::chrono::milliseconds limit = 30s) {
    return wait_until(
        [&] {
          auto r = conn->exec(fmt::format(
              "SELECT active FROM pg_replication_slots WHERE slot_name = '{}'", slot_name()));
          return r.rows() == 1 && r.get(0, 0) == "t";
        },
        limit, 100ms);
  }

  // Drops this test's slot once the walsender of a stopped capture has let it go.
  void drop_slot() {
    for (int attempt = 0;; ++attempt) {
      try {
        sql(fmt::format("SELECT pg_drop_replication_slot('{}')", slot_name()));
        return;
      } catch (const pg::Error& e) {
        if (e.sqlstate() != "55006" || attempt >= 100) throw;
        std::this_thread::sleep_for(100ms);
      }
    }
  }

  // Follows `out` until a record of topic test.public.sentinel with the given id appears.
  bool wait_sentinel(Follower& f, int64_t id, std::chrono::milliseconds limit) {
    bool seen = false;
    std::string topic = "test.public.sentinel";
    return wait_until(
        [&] {
          f.poll([&](const rapidjson::Value& line) {
            if (member_str(line, "topic") != topic) return;
            if (int_at(at(unwrap(at(line, "value")), "after"), "id") == id) seen = true;
          });
          return seen;
        },
        limit, 100ms);
  }

  std::string schema_json(const std::string& table) {
    return fmt::format("CREATE TABLE {} (id bigint PRIMARY KEY, v text NOT NULL, n int NOT NULL)",
                       table);
  }
};

// ---------------------------------------------------------------------------------------------
// 1. Seed 003: Debezium's example inventory database, its connector config as registered.

const char* kInventorySql = R"(
CREATE SCHEMA inventory;
SET search_path TO inventory;
CREATE TABLE products (id SERIAL NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL,
  description VARCHAR(512), weight FLOAT);
ALTER SEQUENCE products_id_seq RESTART WITH 101;
ALTER TABLE products REPLICA IDENTITY FULL;
INSERT INTO products VALUES (default,'scooter','Small 2-wheel scooter',3.14),
  (default,'car battery','12V car battery',8.1),
  (default,'12-pack drill bits','12-pack of drill bits with sizes ranging from #40 to #3',0.8),
  (default,'hammer','12oz carpenter''s hammer',0.75),
  (default,'hammer','14oz carpenter''s hammer',0.875),
  (default,'hammer','16oz carpenter''s hammer',1.0),
  (default,'rocks','box of assorted rocks',5.3),
  (default,'jacket','water resistent black wind breaker',0.1),
  (default,'spare tire','24 inch spare tire',22.2);
CREATE TABLE products_on_hand (product_id INTEGER NOT NULL PRIMARY KEY,
  quantity INTEGER NOT NULL, FOREIGN KEY (product_id) REFERENCES products(id));
ALTER TABLE products_on_hand REPLICA IDENTITY FULL;
INSERT INTO products_on_hand VALUES (101,3),(102,8),(103,18),(104,4),(105,5),(106,0),(107,44),
  (108,2),(109,5);
CREATE TABLE customers (id SERIAL NOT NULL PRIMARY KEY, first_name VARCHAR(255) NOT NULL,
  last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE);
ALTER SEQUENCE customers_id_seq RESTART WITH 1001;
ALTER TABLE customers REPLICA IDENTITY FULL;
INSERT INTO customers VALUES (default,'Sally','Thomas','sally.thomas@acme.com'),
  (default,'George','Bailey','gbailey@foobar.com'), (default,'Edward','Walker','ed@walker.com'),
  (default,'Anne','Kretchmar','annek@noanswer.org');
CREATE TABLE orders (id SERIAL NOT NULL PRIMARY KEY, order_date DATE NOT NULL,
  purchaser INTEGER NOT NULL, quantity INTEGER NOT NULL, product_id INTEGER NOT NULL,
  FOREIGN KEY (purchaser) REFERENCES customers(id),
  FOREIGN KEY (product_id) REFERENCES products(id));
ALTER SEQUENCE orders_id_seq RESTART WITH 10001;
ALTER TABLE orders REPLICA IDENTITY FULL;
INSERT INTO orders VALUES (default, '2016-01-16', 1001, 1, 102),
  (default, '2016-01-17', 1002, 2, 105), (default, '2016-02-19', 1002, 2, 106),
  (default, '2016-02-21', 1003, 1, 107);
RESET search_path;
CREATE TABLE public.outside (id int PRIMARY KEY);
INSERT INTO public.outside VALUES (1), (2);
)";

TEST_F(Snapshot, Seed003InventoryInitialSnapshotThenStream) {
  sql(kInventorySql);
  // register-postgres.json from the seed (no snapshot.mode: Debezium's default, initial),
  // pointed at this test's database and slot.
  std::string cfg = dir + "/register-postgres.json";
  std::ofstream(cfg) << fmt::format(
      R"({{"name":"inventory-connector","config":{{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","tasks.max":"1","database.hostname":"127.0.0.1","database.port":"{}","database.user":"postgres","database.password":"postgres","database.dbname":"{}","topic.prefix":"dbserver1","schema.include.list":"inventory","slot.name":"{}"}}}})",
      cluster().port(), db, slot_name());
  const size_t kRows = 4 + 9 + 9 + 4;
  std::string out = dir + "/out.jsonl";
  Proc p =
      spawn_sluice({"capture", cfg, "--output", out, "--max-events", std::to_string(kRows + 2)});
  ASSERT_TRUE(wait_stderr(p, "snapshot completed", 60s)) << p.stderr_text();
  // The seed's README statements, once the snapshot is done.
  sql("SET search_path = inventory;"
      "INSERT INTO customers(id,first_name,last_name,email) VALUES (1005, 'Hassen', 'Taidirt', "
      "'hi@hassen.io')");
  sql("SET search_path = inventory; UPDATE customers SET email='htaidirt@gmail.com' WHERE id=1005");
  int rc = p.wait(60s);
  if (rc == -1) p.signal(SIGKILL);
  ASSERT_EQ(rc, 0) << p.stderr_text();

  auto evs = events(out);
  ASSERT_EQ(evs.size(), kRows + 2) << describe(evs);
  std::vector<Ev> reads(evs.begin(), evs.begin() + kRows);
  std::map<std::string, std::multiset<std::string>> after;  // topic -> after JSON of reads
  for (const auto& e : reads) {
    EXPECT_EQ(e.op, "r") << describe(evs);
    after[e.topic].insert(e.after);
  }
  EXPECT_EQ(check_markers(reads), "") << describe(evs);
  std::set<std::string> topics;
  for (auto& [t, rows] : after) topics.insert(t);
  EXPECT_EQ(topics, (std::set<std::string>{
                        "dbserver1.inventory.customers", "dbserver1.inventory.orders",
                        "dbserver1.inventory.products", "dbserver1.inventory.products_on_hand"}))
      << "schema.include.list=inventory: public.outside is not captured";
  EXPECT_EQ(
      after["dbserver1.inventory.customers"],
      (std::multiset<std::string>{
          R"({"id":1001,"first_name":"Sally","last_name":"Thomas","email":"sally.thomas@acme.com"})",
          R"({"id":1002,"first_name":"George","last_name":"Bailey","email":"gbailey@foobar.com"})",
          R"({"id":1003,"first_name":"Edward","last_name":"Walker","email":"ed@walker.com"})",
          R"({"id":1004,"first_name":"Anne","last_name":"Kretchmar","email":"annek@noanswer.org"})"}));
  // DATE is io.debezium.time.Date: days since the epoch (2016-01-16 is day 16816).
  EXPECT_EQ(
      after["dbserver1.inventory.orders"],
      (std::multiset<std::string>{
          R"({"id":10001,"order_date":16816,"purchaser":1001,"quantity":1,"product_id":102})",
          R"({"id":10002,"order_date":16817,"purchaser":1002,"quantity":2,"product_id":105})",
          R"({"id":10003,"order_date":16850,"purchaser":1002,"quantity":2,"product_id":106})",
          R"({"id":10004,"order_date":16852,"purchaser":1003,"quantity":1,"product_id":107})"}));
  EXPECT_EQ(after["dbserver1.inventory.products_on_hand"],
            (std::multiset<std::string>{
                R"({"product_id":101,"quantity":3})", R"({"product_id":102,"quantity":8})",
                R"({"product_id":103,"quantity":18})", R"({"product_id":104,"quantity":4})",
                R"({"product_id":105,"quantity":5})", R"({"product_id":106,"quantity":0})",
                R"({"product_id":107,"quantity":44})", R"({"product_id":108,"quantity":2})",
                R"({"product_id":109,"quantity":5})"}));
  std::set<int64_t> product_ids;
  for (const auto& e : reads) {
    if (e.topic != "dbserver1.inventory.products") continue;
    product_ids.insert(e.id);
    if (e.id == 101) {
      EXPECT_EQ(
          e.after,
          R"({"id":101,"name":"scooter","description":"Small 2-wheel scooter","weight":3.14})");
    }
    if (e.id == 105) {
      EXPECT_EQ(
          e.after,
          R"({"id":105,"name":"hammer","description":"14oz carpenter's hammer","weight":0.875})");
    }
  }
  EXPECT_EQ(product_ids, (std::set<int64_t>{101, 102, 103, 104, 105, 106, 107, 108, 109}));
  // Keys with schemas, as the seed's converter writes them.
  for (const auto& e : reads) {
    if (e.topic == "dbserver1.inventory.customers") {
      EXPECT_EQ(e.key, fmt::format(R"({{"id":{}}})", e.id));
    }
  }
  auto raw = read_records(out);
  ASSERT_FALSE(raw.empty());
  EXPECT_NE(to_json(at(raw[0], "key")).find(R"("name":"dbserver1.inventory.)"), std::string::npos);
  const auto& first = at(at(raw[0], "value"), "payload");
  EXPECT_EQ(member_str(first, "op"), "r");
  EXPECT_EQ(member_str(first, "before"), "<null>");
  EXPECT_EQ(member_str(at(first, "source"), "schema"), "inventory");
  EXPECT_TRUE(at(at(first, "source"), "lsn").IsInt64())
      << "an initial snapshot's reads have an LSN";

  // Then the stream, after every read.
  const Ev& c = evs[kRows];
  const Ev& u = evs[kRows + 1];
  EXPECT_EQ(c.topic, "dbserver1.inventory.customers");
  EXPECT_EQ(c.op, "c");
  EXPECT_EQ(c.snapshot, "false");
  EXPECT_EQ(c.after,
            R"({"id":1005,"first_name":"Hassen","last_name":"Taidirt","email":"hi@hassen.io"})");
  EXPECT_EQ(u.op, "u");
  EXPECT_EQ(u.snapshot, "false");
  EXPECT_EQ(
      u.after,
      R"({"id":1005,"first_name":"Hassen","last_name":"Taidirt","email":"htaidirt@gmail.com"})");
  EXPECT_NE(p.stderr_text().find("rows/s"), std::string::npos) << p.stderr_text();
}

// ---------------------------------------------------------------------------------------------
// 2. Writes at a high rate during the snapshot: every row once, as a read or as a later change.

TEST_F(Snapshot, ConcurrentWritesDuringSnapshotAreNeitherLostNorDoubled) {
  const int64_t kRows = 200000 / kScale;
  sql(schema_json("big"));
  sql("CREATE TABLE sentinel (id int PRIMARY KEY)");
  // Wide enough rows (about 50 MB) to be read in several ctid ranges by parallel readers.
  sql(fmt::format(
      "INSERT INTO big SELECT g, rpad('v' || g, 200, 'x'), g % 1000 FROM generate_series(1, {}) g",
      kRows));
  sql("VACUUM ANALYZE big");
  std::string cfg = config("initial");
  std::string out = dir + "/out.jsonl";
  Writer writer(cluster().conninfo(db), "big", kRows, 1000001, true);
  writer.start();
  ASSERT_TRUE(wait_until([&] { return writer.transactions() > 20; }, 30s)) << writer.error();
  int64_t at_start = writer.transactions();
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_stderr(p, "snapshot completed", 120s)) << p.stderr_text();
  int64_t at_end = writer.transactions();
  std::this_thread::sleep_for(500ms);  // and some streaming under load
  writer.stop();
  ASSERT_EQ(writer.error(), "");
  EXPECT_GT(at_end, at_start) << "no write during the snapshot";
  sql("INSERT INTO sentinel VALUES (1)");
  Follower f(out);
  EXPECT_TRUE(wait_sentinel(f, 1, 120s)) << p.stderr_text();
  stop(p);

  Folded fd = fold_file(out, "test.public.big", false);
  EXPECT_EQ(fd.problems, 0u) << fd.problem_text;
  EXPECT_FALSE(fd.read_after_stream) << "a snapshot record after a streamed one";
  EXPECT_GT(fd.streamed, 0u);
  EXPECT_EQ(check_markers(fd.markers), "");
  uint64_t twice = 0, both = 0;
  for (auto& [id, n] : fd.reads) {
    twice += n > 1;
    both += fd.creates.count(id);
  }
  for (auto& [id, n] : fd.creates) twice += n > 1;
  EXPECT_EQ(twice, 0u) << "rows read or created twice";
  EXPECT_EQ(both, 0u) << "rows both in the snapshot and created by a streamed change";
  // The rows that existed when the snapshot started (ids up to kRows, minus deletes before it)
  // are all reads; rows inserted during it are creates.
  uint64_t old_created = 0;
  for (auto& [id, n] : fd.creates) old_created += id <= kRows;
  EXPECT_EQ(old_created, 0u);
  EXPECT_GT(fd.reads.size(), size_t(kRows * 9 / 10));
  expect_matches_table(*conn, "big", fd);
  EXPECT_NE(p.stderr_text().find("rows/s"), std::string::npos) << p.stderr_text();
  std::printf("[   info   ] %" PRId64
              " writer transactions during the snapshot; %zu reads, %" PRIu64 " streamed records\n",
              at_end - at_start, fd.reads.size(), fd.streamed);
  std::printf("[   info   ] %s\n[   info   ] %s\n", line_with(p.stderr_text(), "reading").c_str(),
              line_with(p.stderr_text(), "snapshot completed").c_str());
}

// ---------------------------------------------------------------------------------------------
// 3. kill -9 in the middle of a snapshot: the next start takes it again from the beginning, and
// the file holds exactly one complete snapshot followed by the stream.

TEST_F(Snapshot, KillNineMidSnapshotRestartsItAndCutsThePartialOutput) {
  const int64_t kRows = 1000000 / kScale;
  sql("CREATE TABLE k (id int PRIMARY KEY, v int NOT NULL)");
  sql("CREATE TABLE sentinel (id int PRIMARY KEY)");
  sql(fmt::format("INSERT INTO k SELECT g, g FROM generate_series(1, {}) g", kRows));
  sql("VACUUM ANALYZE k");
  std::string cfg = config("initial");
  std::string out = dir + "/out.jsonl";
  {
    Proc p = start(cfg, out);
    // Killed once a good part is written (the output is written in large chunks).
    ASSERT_TRUE(
        wait_until([&] { return file_size(out) >= (64u << 20) / kScale || exited(p); }, 60s, 1ms));
    p.signal(SIGKILL);
    EXPECT_EQ(p.wait(30s), 128 + SIGKILL) << p.stderr_text();
    ASSERT_EQ(p.stderr_text().find("snapshot completed"), std::string::npos)
        << "the snapshot finished before the kill: the test needs a larger table";
  }
  size_t partial = lines(out);
  EXPECT_LT(partial, size_t(kRows)) << "the kill came after the whole snapshot was written";
  std::printf("[   info   ] killed with %zu records (%" PRIu64 " bytes) written\n", partial,
              file_size(out));

  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_stderr(p, "snapshot completed", 180s)) << p.stderr_text();
  std::printf("[   info   ] %s\n[   info   ] %s\n", line_with(p.stderr_text(), "reading").c_str(),
              line_with(p.stderr_text(), "snapshot completed").c_str());
  sql(fmt::format("INSERT INTO k SELECT g, -g FROM generate_series({}, {}) g", kRows + 1,
                  kRows + 10));
  sql("INSERT INTO sentinel VALUES (1)");
  Follower f(out);
  EXPECT_TRUE(wait_sentinel(f, 1, 120s)) << p.stderr_text();
  stop(p);

  std::vector<uint8_t> seen(size_t(kRows) + 11, 0);
  uint64_t reads = 0, bad = 0, index = 0, last_read = 0, first_at = 0, firsts = 0, lasts = 0;
  uint64_t creates = 0, read_after_stream = 0, other = 0;
  bool streaming = false;
  Follower all(out);
  all.poll([&](const rapidjson::Value& line) {
    ++index;
    if (member_str(line, "topic") != "test.public.k") return;
    const auto& p = unwrap(at(line, "value"));
    const auto& source = at(p, "source");
    std::string op = member_str(p, "op");
    int64_t id = int_at(at(p, "after"), "id");
    if (op == "r") {
      ++reads;
      read_after_stream += streaming;
      if (id < 1 || id > kRows || seen[size_t(id)]++) ++bad;
      if (int_at(at(p, "after"), "v", -2) != id) ++bad;
      std::string m = member_str(source, "snapshot");
      if (m == "first") {
        ++firsts;
        first_at = index;
      }
      if (m == "last") ++lasts;
      last_read = index;
      if (m != "first" && m != "last" && m != "true") ++other;
    } else if (op == "c") {
      streaming = true;
      ++creates;
      if (id <= kRows || id > kRows + 10 || seen[size_t(id)]++ ||
          member_str(source, "snapshot") != "false")
        ++bad;
    } else {
      ++other;
    }
  });
  EXPECT_EQ(all.bad(), 0u) << all.first_bad();
  EXPECT_EQ(reads, uint64_t(kRows)) << "exactly one complete snapshot";
  EXPECT_EQ(bad, 0u) << "reads of unknown ids, twice, or with wrong values";
  EXPECT_EQ(firsts, 1u);
  EXPECT_EQ(first_at, 1u) << "the partial output of the killed run was not cut";
  EXPECT_EQ(lasts, 1u);
  EXPECT_EQ(other, 0u) << "unexpected markers or ops";
  EXPECT_EQ(read_after_stream, 0u);
  EXPECT_EQ(creates, 10u) << "the stream continues after the snapshot";
  EXPECT_EQ(last_read, uint64_t(kRows));
}

// ---------------------------------------------------------------------------------------------
// 4. Incremental snapshots (DBLog watermarks) while streaming.

TEST_F(Snapshot, IncrementalSnapshotUnderConcurrentUpdatesFoldsToTheTable) {
  const int64_t kRows = 1000000 / kScale;
  sql(schema_json("inc"));
  sql("CREATE TABLE sentinel (id int PRIMARY KEY)");
  sql("CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, "
      "data VARCHAR(2048) NULL)");
  sql(fmt::format("INSERT INTO inc SELECT g, 'v' || g, g % 1000 FROM generate_series(1, {}) g",
                  kRows));
  sql("VACUUM ANALYZE inc");
  std::string cfg = config("no_data", R"("signal.data.collection":"public.debezium_signal",)"
                                      R"("incremental.snapshot.chunk.size":"10000")");
  std::string out = dir + "/out.jsonl";
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_slot_active()) << p.stderr_text();
  Writer writer(cluster().conninfo(db), "inc", kRows, 2000001, true);
  writer.start();
  ASSERT_TRUE(wait_until([&] { return writer.transactions() > 20; }, 30s)) << writer.error();
  int64_t at_start = writer.transactions();
  sql("INSERT INTO debezium_signal VALUES ('ad-hoc-1', 'execute-snapshot', "
      "'{\"data-collections\": [\"public.inc\"], \"type\": \"incremental\"}')");
  // Chunks are read in key order and the writer never touches the last id: its read is the end.
  Follower f(out);
  bool done = false;
  uint64_t reads_seen = 0;
  bool finished = wait_until(
      [&] {
        f.poll([&](const rapidjson::Value& line) {
          if (member_str(line, "topic") != "test.public.inc") return;
          const auto& v = unwrap(at(line, "value"));
          if (member_str(v, "op") != "r") return;
          ++reads_seen;
          if (int_at(at(v, "after"), "id") == kRows) done = true;
        });
        return done || exited(p);
      },
      180s, 100ms);
  int64_t at_end = writer.transactions();
  writer.stop();
  ASSERT_EQ(writer.error(), "");
  ASSERT_TRUE(finished && done) << reads_seen << " reads so far\n" << p.stderr_text();
  EXPECT_GT(at_end, at_start) << "no write during the incremental snapshot";
  sql("INSERT INTO sentinel VALUES (1)");
  EXPECT_TRUE(wait_sentinel(f, 1, 120s)) << p.stderr_text();
  stop(p);

  Folded fd = fold_file(out, "test.public.inc", true);
  EXPECT_EQ(fd.problems, 0u) << fd.problem_text;
  uint64_t twice = 0, old_reads = 0;
  for (auto& [id, n] : fd.reads) {
    twice += n > 1;
    old_reads += id <= kRows;
  }
  EXPECT_EQ(twice, 0u) << "rows read twice by one incremental snapshot";
  // Rows changed while their chunk was in its window are left to the stream; most are reads.
  EXPECT_GT(old_reads, uint64_t(kRows * 9 / 10));
  EXPECT_GT(fd.streamed, 0u);
  expect_matches_table(*conn, "inc", fd);
  std::printf("[   info   ] %" PRId64
              " writer transactions during the incremental snapshot; %" PRIu64 " reads, %" PRIu64
              " streamed records\n",
              at_end - at_start, fd.read_records, fd.streamed);
}

TEST_F(Snapshot, IncrementalSnapshotKilledMidwayCompletesAfterRestart) {
  const int64_t kRows = 300000 / kScale;
  sql(schema_json("inc"));
  sql("CREATE TABLE sentinel (id int PRIMARY KEY)");
  sql("CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, "
      "data VARCHAR(2048) NULL)");
  sql(fmt::format("INSERT INTO inc SELECT g, 'v' || g, g % 1000 FROM generate_series(1, {}) g",
                  kRows));
  std::string cfg = config("no_data", R"("signal.data.collection":"public.debezium_signal",)"
                                      R"("incremental.snapshot.chunk.size":"2000")");
  std::string out = dir + "/out.jsonl";
  Writer writer(cluster().conninfo(db), "inc", kRows, 2000001, true);
  // Reads of the table seen in the output, and whether the last key's read is among them.
  auto follow = [&](Follower& f, uint64_t& reads, bool& last) {
    f.poll([&](const rapidjson::Value& line) {
      if (member_str(line, "topic") != "test.public.inc") return;
      const auto& v = unwrap(at(line, "value"));
      if (member_str(v, "op") != "r") return;
      ++reads;
      if (int_at(at(v, "after"), "id") == kRows) last = true;
    });
  };
  {
    Proc p = start(cfg, out);
    ASSERT_TRUE(wait_slot_active()) << p.stderr_text();
    writer.start();
    sql("INSERT INTO debezium_signal VALUES ('ad-hoc-1', 'execute-snapshot', "
        "'{\"data-collections\": [\"public.inc\"], \"type\": \"incremental\"}')");
    Follower f(out);
    uint64_t reads = 0;
    bool last = false;
    ASSERT_TRUE(wait_until(
        [&] {
          follow(f, reads, last);
          return reads >= uint64_t(kRows / 4) || exited(p);
        },
        120s, 5ms))
        << p.stderr_text();
    p.signal(SIGKILL);
    EXPECT_EQ(p.wait(30s), 128 + SIGKILL);
    ASSERT_FALSE(last) << "the incremental snapshot finished before the kill";
    std::printf("[   info   ] killed after %" PRIu64 " incremental reads\n", reads);
  }
  Proc p = start(cfg, out);
  Follower f(out);
  uint64_t reads = 0;
  bool last = false;
  bool finished = wait_until(
      [&] {
        follow(f, reads, last);
        return last || exited(p);
      },
      180s, 100ms);
  writer.stop();
  ASSERT_EQ(writer.error(), "");
  ASSERT_TRUE(finished && last) << reads << " reads in the file\n" << p.stderr_text();
  sql("INSERT INTO sentinel VALUES (1)");
  EXPECT_TRUE(wait_sentinel(f, 1, 120s)) << p.stderr_text();
  stop(p);
  Folded fd = fold_file(out, "test.public.inc", true);
  EXPECT_EQ(fd.problems, 0u) << fd.problem_text;
  expect_matches_table(*conn, "inc", fd);
}

TEST_F(Snapshot, StopSnapshotSignalCancelsAnIncrementalSnapshot) {
  const int64_t kRows = 300000 / kScale;
  sql(schema_json("inc"));
  sql("CREATE TABLE sentinel (id int PRIMARY KEY)");
  sql("CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, "
      "data VARCHAR(2048) NULL)");
  sql(fmt::format("INSERT INTO inc SELECT g, 'v' || g, 0 FROM generate_series(1, {}) g", kRows));
  std::string cfg = config("no_data", R"("signal.data.collection":"public.debezium_signal",)"
                                      R"("incremental.snapshot.chunk.size":"500")");
  std::string out = dir + "/out.jsonl";
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_slot_active()) << p.stderr_text();
  const char* data = R"({"data-collections": ["public.inc"], "type": "incremental"})";
  sql(fmt::format("INSERT INTO debezium_signal VALUES ('s1', 'execute-snapshot', '{}')", data));
  Follower f(out);
  uint64_t reads = 0;
  auto count = [&] {
    f.poll([&](const rapidjson::Value& line) {
      if (member_str(line, "topic") != "test.public.inc") return;
      if (member_str(unwrap(at(line, "value")), "op") == "r") ++reads;
    });
    return reads;
  };
  ASSERT_TRUE(wait_until([&] { return count() > 0; }, 60s, 5ms)) << p.stderr_text();
  sql(fmt::format("INSERT INTO debezium_signal VALUES ('s2', 'stop-snapshot', '{}')", data));
  std::this_thread::sleep_for(2s);
  sql("INSERT INTO sentinel VALUES (1)");
  EXPECT_TRUE(wait_sentinel(f, 1, 60s)) << p.stderr_text();
  uint64_t after_stop = count();
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count(), after_stop) << "reads go on after stop-snapshot";
  EXPECT_LT(after_stop, uint64_t(kRows)) << "the snapshot was not cancelled";
  stop(p);
  std::printf("[   info   ] %" PRIu64 " of %" PRId64
              " rows read before stop-snapshot took effect\n",
              after_stop, kRows);
}

// ---------------------------------------------------------------------------------------------
// 5. snapshot.mode, each value.

TEST_F(Snapshot, ModeInitialSnapshotsOnlyOnTheFirstStart) {
  sql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')");
  std::string cfg = config("initial");
  std::string out = dir + "/out.jsonl";
  {
    Proc p = start(cfg, out);
    ASSERT_TRUE(wait_stderr(p, "snapshot completed", 60s)) << p.stderr_text();
    sql("INSERT INTO t VALUES (4, 'd')");
    EXPECT_TRUE(wait_lines(out, 4)) << p.stderr_text();
    stop(p);
  }
  sql("INSERT INTO t VALUES (5, 'e')");  // while stopped: streamed on the next start
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_lines(out, 5)) << p.stderr_text();
  sql("INSERT INTO t VALUES (6, 'f')");
  EXPECT_TRUE(wait_lines(out, 6)) << p.stderr_text();
  std::this_thread::sleep_for(300ms);
  stop(p);
  EXPECT_EQ(p.stderr_text().find("snapshot completed"), std::string::npos) << p.stderr_text();
  auto evs = events(out);
  ASSERT_EQ(evs.size(), 6u) << describe(evs);
  std::set<int64_t> read_ids;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(evs[i].op, "r");
    read_ids.insert(evs[i].id);
  }
  EXPECT_EQ(read_ids, (std::set<int64_t>{1, 2, 3}));
  EXPECT_EQ(check_markers(std::vector<Ev>(evs.begin(), evs.begin() + 3)), "") << describe(evs);
  for (size_t i = 3; i < 6; ++i) {
    EXPECT_EQ(evs[i].op, "c") << describe(evs);
    EXPECT_EQ(evs[i].snapshot, "false");
    EXPECT_EQ(evs[i].id, int64_t(i + 1));
  }
}

TEST_F(Snapshot, ModeInitialOnlyExitsAfterTheSnapshot) {
  sql("CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE u (id int PRIMARY KEY);"
      "INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c'); INSERT INTO u VALUES (10)");
  std::string cfg = config("initial_only");
  std::string out = dir + "/out.jsonl";
  Proc p = start(cfg, out);
  int rc = p.wait(60s);
  if (rc == -1) p.signal(SIGKILL);
  ASSERT_EQ(rc, 0) << p.stderr_text();
  EXPECT_NE(p.stderr_text().find("snapshot completed"), std::string::npos) << p.stderr_text();
  auto evs = events(out);
  ASSERT_EQ(evs.size(), 4u) << describe(evs);
  std::set<std::pair<std::string, int64_t>> got;
  for (const auto& e : evs) {
    EXPECT_EQ(e.op, "r");
    got.emplace(e.topic, e.id);
  }
  EXPECT_EQ(got, (std::set<std::pair<std::string, int64_t>>{{"test.public.t", 1},
                                                            {"test.public.t", 2},
                                                            {"test.public.t", 3},
                                                            {"test.public.u", 10}}));
  EXPECT_EQ(check_markers(evs), "") << describe(evs);
}

TEST_F(Snapshot, ModeNoDataStreamsOnly) {
  sql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1,'a'),(2,'b')");
  for (const char* mode : {"no_data", "never"}) {
    SCOPED_TRACE(mode);
    std::string cfg = config(mode, "", mode);
    std::string out = dir + "/" + mode + ".jsonl";
    Proc p = start(cfg, out);
    ASSERT_TRUE(wait_slot_active()) << p.stderr_text();
    sql("INSERT INTO t VALUES (100, 'x')");
    EXPECT_TRUE(wait_lines(out, 1)) << p.stderr_text();
    std::this_thread::sleep_for(300ms);
    stop(p);
    auto evs = events(out);
    ASSERT_EQ(evs.size(), 1u) << describe(evs);
    EXPECT_EQ(evs[0].op, "c");
    EXPECT_EQ(evs[0].snapshot, "false");
    EXPECT_EQ(evs[0].id, 100);
    sql("DELETE FROM t WHERE id = 100");
    drop_slot();
  }
}

TEST_F(Snapshot, ModeWhenNeededSnapshotsAgainWhenTheSlotIsGone) {
  sql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')");
  std::string cfg = config("when_needed");
  std::string out = dir + "/out.jsonl";
  {
    Proc p = start(cfg, out);
    ASSERT_TRUE(wait_stderr(p, "snapshot completed", 60s)) << p.stderr_text();
    sql("INSERT INTO t VALUES (4, 'd')");
    EXPECT_TRUE(wait_lines(out, 4)) << p.stderr_text();
    stop(p);
  }
  drop_slot();
  sql("INSERT INTO t VALUES (5, 'e')");  // gone with the slot: only a new snapshot has it
  {
    // snapshot.mode=initial with a saved position and no slot: an error, not a silent gap.
    Proc p = start(config("initial", "", "initial"), out);
    EXPECT_EQ(p.wait(30s), 1) << p.stderr_text();
    EXPECT_NE(p.stderr_text().find("is gone"), std::string::npos) << p.stderr_text();
  }
  EXPECT_EQ(lines(out), 4u);
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_stderr(p, "snapshot completed", 60s)) << p.stderr_text();
  sql("INSERT INTO t VALUES (6, 'f')");
  EXPECT_TRUE(wait_lines(out, 4 + 5 + 1)) << p.stderr_text();
  std::this_thread::sleep_for(300ms);
  stop(p);
  auto evs = events(out);
  ASSERT_EQ(evs.size(), 10u) << describe(evs);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(evs[i].op, "r") << describe(evs);
  EXPECT_EQ(evs[3].op, "c") << "the first run's records stay";
  std::vector<Ev> second(evs.begin() + 4, evs.begin() + 9);
  std::set<int64_t> ids;
  for (const auto& e : second) {
    EXPECT_EQ(e.op, "r") << describe(evs);
    ids.insert(e.id);
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(check_markers(second), "") << describe(evs);
  EXPECT_EQ(evs[9].op, "c");
  EXPECT_EQ(evs[9].id, 6);
}

TEST_F(Snapshot, ModeAlwaysSnapshotsAtEveryStartThenResumesTheStream) {
  sql("CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1,'a'),(2,'b'),(3,'c')");
  std::string cfg = config("always");
  std::string out = dir + "/out.jsonl";
  {
    Proc p = start(cfg, out);
    ASSERT_TRUE(wait_stderr(p, "snapshot completed", 60s)) << p.stderr_text();
    sql("INSERT INTO t VALUES (4, 'd')");
    EXPECT_TRUE(wait_lines(out, 4)) << p.stderr_text();
    stop(p);
  }
  sql("INSERT INTO t VALUES (5, 'e')");  // while stopped
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_stderr(p, "snapshot completed", 60s)) << p.stderr_text();
  EXPECT_TRUE(wait_lines(out, 4 + 5 + 1)) << p.stderr_text();
  sql("INSERT INTO t VALUES (6, 'f')");
  EXPECT_TRUE(wait_lines(out, 4 + 5 + 2)) << p.stderr_text();
  std::this_thread::sleep_for(300ms);
  stop(p);
  auto evs = events(out);
  ASSERT_EQ(evs.size(), 11u) << describe(evs);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(evs[i].op, "r") << describe(evs);
  EXPECT_EQ(evs[3].op, "c");
  std::vector<Ev> second(evs.begin() + 4, evs.begin() + 9);
  std::set<int64_t> ids;
  for (const auto& e : second) {
    EXPECT_EQ(e.op, "r") << describe(evs);
    ids.insert(e.id);
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(check_markers(second), "") << describe(evs);
  // Streaming resumes from the saved position: the insert made while stopped comes too.
  EXPECT_EQ(evs[9].op, "c") << describe(evs);
  EXPECT_EQ(evs[9].id, 5);
  EXPECT_EQ(evs[10].op, "c");
  EXPECT_EQ(evs[10].id, 6);
}

// ---------------------------------------------------------------------------------------------
// 6. A table without a primary key.

TEST_F(Snapshot, ConnectionLostMidSnapshotFailsClearlyAndARestartSnapshotsOnce) {
  const int64_t kRows = 1000000 / kScale;
  sql("CREATE TABLE k (id int PRIMARY KEY, v int NOT NULL)");
  sql(fmt::format("INSERT INTO k SELECT g, g FROM generate_series(1, {}) g", kRows));
  sql("VACUUM ANALYZE k");
  std::string cfg = config("initial_only");
  std::string out = dir + "/out.jsonl";
  {
    Proc p = start(cfg, out);
    ASSERT_TRUE(
        wait_until([&] { return file_size(out) >= (16u << 20) / kScale || exited(p); }, 60s, 1ms));
    // The readers' connections go away mid-COPY (a server restart or a network cut).
    conn->exec(fmt::format(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND "
        "query LIKE 'COPY%' AND pid <> pg_backend_pid()",
        db));
    EXPECT_EQ(p.wait(60s), 1) << p.stderr_text();
    ASSERT_EQ(p.stderr_text().find("snapshot completed"), std::string::npos)
        << "the snapshot finished before the cut: the test needs a larger table";
    EXPECT_NE(p.stderr_text().find("the snapshot failed"), std::string::npos) << p.stderr_text();
    EXPECT_NE(p.stderr_text().find("Restart the connector"), std::string::npos);
    std::printf("[   info   ] %s\n", line_with(p.stderr_text(), "the snapshot failed").c_str());
  }
  Proc p = start(cfg, out);
  EXPECT_EQ(p.wait(180s), 0) << p.stderr_text();
  std::vector<uint8_t> seen(size_t(kRows) + 1, 0);
  uint64_t reads = 0, bad = 0, index = 0, first_at = 0;
  Follower all(out);
  all.poll([&](const rapidjson::Value& line) {
    ++index;
    const auto& v = unwrap(at(line, "value"));
    int64_t id = int_at(at(v, "after"), "id");
    if (member_str(v, "op") != "r" || id < 1 || id > kRows || seen[size_t(id)]++) ++bad;
    ++reads;
    if (member_str(at(v, "source"), "snapshot") == "first") first_at = index;
  });
  EXPECT_EQ(reads, uint64_t(kRows)) << "exactly one complete snapshot";
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(first_at, 1u) << "the failed attempt's output was not cut";
}

TEST_F(Snapshot, BadSignalsAreLoggedAndTheStreamGoesOn) {
  sql("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE debezium_signal (id VARCHAR(42) "
      "PRIMARY KEY, type VARCHAR(32) NOT NULL, data VARCHAR(2048) NULL)");
  std::string cfg = config("no_data", R"("signal.data.collection":"public.debezium_signal")");
  std::string out = dir + "/out.jsonl";
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_slot_active()) << p.stderr_text();
  sql("INSERT INTO debezium_signal VALUES ('s1', 'execute-snapshot', '{not json'), "
      "('s2', 'execute-snapshot', '{\"data-collections\":[\"public.nosuch\"]}'), "
      "('s3', 'execute-snapshot', '{\"data-collections\":[\"public.t\"],\"type\":\"blocking\"}'), "
      "('s4', 'frobnicate', NULL)");
  for (const char* why :
       {"signal s1: execute-snapshot data is not a JSON object", "signal s2: no captured table",
        "signal s3: snapshot type 'blocking' is not supported", "signal s4: type 'frobnicate'"})
    EXPECT_TRUE(wait_stderr(p, why, 30s)) << why << "\n" << p.stderr_text();
  ASSERT_FALSE(exited(p)) << p.stderr_text();
  sql("INSERT INTO t VALUES (1)");
  Follower f(out);
  bool streamed = false;
  EXPECT_TRUE(wait_until(
      [&] {
        f.poll([&](const rapidjson::Value& line) {
          streamed = streamed || member_str(line, "topic") == "test.public.t";
        });
        return streamed;
      },
      30s))
      << p.stderr_text();
  stop(p);
  for (const auto& e : events(out)) EXPECT_NE(e.op, "r") << "a refused signal read rows";
}

TEST_F(Snapshot, TableWithoutPrimaryKeyHasNullKeysAndNoIncrementalSnapshot) {
  sql("CREATE TABLE nopk (a int, b text); INSERT INTO nopk VALUES (1,'x'),(2,'y'),(3,'z');"
      "CREATE TABLE debezium_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT NULL, "
      "data VARCHAR(2048) NULL)");
  std::string cfg = config("initial", R"("signal.data.collection":"public.debezium_signal")");
  std::string out = dir + "/out.jsonl";
  Proc p = start(cfg, out);
  ASSERT_TRUE(wait_stderr(p, "snapshot completed", 60s)) << p.stderr_text();
  sql("INSERT INTO debezium_signal VALUES ('ad-hoc-1', 'execute-snapshot', "
      "'{\"data-collections\": [\"public.nopk\"], \"type\": \"incremental\"}')");
  EXPECT_TRUE(wait_stderr(p, "primary key", 30s)) << p.stderr_text();
  std::printf("[   info   ] %s\n", line_with(p.stderr_text(), "primary key").c_str());
  ASSERT_FALSE(exited(p)) << "the refused request stops the connector: " << p.stderr_text();
  sql("INSERT INTO nopk VALUES (4, 'w')");
  Follower f(out);
  bool streamed = false;
  EXPECT_TRUE(wait_until(
      [&] {
        f.poll([&](const rapidjson::Value& line) {
          if (member_str(line, "topic") == "test.public.nopk" &&
              member_str(unwrap(at(line, "value")), "op") == "c")
            streamed = true;
        });
        return streamed;
      },
      30s))
      << p.stderr_text();
  stop(p);
  auto evs = events(out);
  std::vector<Ev> nopk;
  for (const auto& e : evs)
    if (e.topic == "test.public.nopk") nopk.push_back(e);
  ASSERT_EQ(nopk.size(), 4u) << describe(evs);
  std::multiset<std::string> afters;
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(nopk[i].op, "r");
    EXPECT_EQ(nopk[i].key, "null");
    afters.insert(nopk[i].after);
  }
  EXPECT_EQ(afters, (std::multiset<std::string>{R"({"a":1,"b":"x"})", R"({"a":2,"b":"y"})",
                                                R"({"a":3,"b":"z"})"}));
  EXPECT_EQ(nopk[0].snapshot, "first") << describe(evs);
  EXPECT_EQ(nopk[3].op, "c");
  EXPECT_EQ(nopk[3].key, "null");
  for (const auto& e : evs) EXPECT_NE(e.snapshot, "incremental") << describe(evs);
}

// ---------------------------------------------------------------------------------------------
// 7. Into the embedded log's topics with `sluice run --connector`.

// The high watermark of partition 0 of a topic.
int64_t end_offset(int port, const std::string& topic) {
  std::string out =
      shell(fmt::format("timeout 30 kcat -b 127.0.0.1:{} -Q -t {}:0:-1 2>/dev/null", port, topic));
  auto at = out.rfind(" offset ");
  if (at == std::string::npos) return 0;
  return std::atoll(out.c_str() + at + 8);
}

// Calls fn(key, value) for each record of the topic (partition 0..), read from the beginning with
// kcat; key or value is null for a null key or a tombstone.
template <typename Fn>
size_t kcat_scan(int port, const std::string& topic, Fn&& fn) {
  std::string cmd = fmt::format(
      "timeout 120 kcat -b 127.0.0.1:{} -C -t {} -e -o beginning -J -q 2>/dev/null", port, topic);
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) return 0;
  size_t n = 0;
  std::string line;
  char buf[1 << 16];
  while (fgets(buf, sizeof buf, f)) {
    line += buf;
    if (line.back() != '\n') continue;
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    line.clear();
    if (d.HasParseError() || !d.IsObject()) continue;
    rapidjson::Document k, v;
    const auto& key = at(d, "key");
    const auto& payload = at(d, "payload");
    if (key.IsString()) k.Parse(key.GetString(), key.GetStringLength());
    if (payload.IsString()) v.Parse(payload.GetString(), payload.GetStringLength());
    fn(key.IsString() ? static_cast<const rapidjson::Value*>(&k) : nullptr,
       payload.IsString() ? static_cast<const rapidjson::Value*>(&v) : nullptr);
    ++n;
  }
  pclose(f);
  return n;
}

std::vector<Ev> topic_events(int port, const std::string& topic) {
  std::vector<Ev> out;
  kcat_scan(port, topic, [&](const rapidjson::Value* k, const rapidjson::Value* v) {
    out.push_back(make_ev(topic, k, v));
  });
  return out;
}

class SnapshotTopics : public Snapshot {
 protected:
  void stop_server(SluiceServer& s) {
    s.proc.signal(SIGTERM);
    int rc = s.proc.wait(30s);
    if (rc == -1) s.proc.signal(SIGKILL);
    EXPECT_EQ(rc, 0) << s.proc.stderr_text();
  }
  bool wait_end(int port, const std::string& topic, int64_t n, std::chrono::milliseconds limit) {
    return wait_until([&] { return end_offset(port, topic) >= n; }, limit, 100ms);
  }
};

TEST_F(SnapshotTopics, InitialSnapshotThenStreamIntoTheTopic) {
  sql("CREATE TABLE t (id int PRIMARY KEY, v text);"
      "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 5) g;"
      "CREATE TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1), (2)");
  std::string cfg = config("initial");
  SluiceServer s = start_server(dir + "/data", {"--connector", cfg});
  ASSERT_GT(s.port, 0);
  ASSERT_TRUE(wait_end(s.port, "test.public.t", 5, 60s)) << s.proc.stderr_text();
  ASSERT_TRUE(wait_end(s.port, "test.public.u", 2, 60s)) << s.proc.stderr_text();
  sql("INSERT INTO t VALUES (6, 'v6')");
  ASSERT_TRUE(wait_end(s.port, "test.public.t", 6, 60s)) << s.proc.stderr_text();
  auto t = topic_events(s.port, "test.public.t");
  auto u = topic_events(s.port, "test.public.u");
  stop_server(s);
  ASSERT_EQ(t.size(), 6u) << describe(t);
  ASSERT_EQ(u.size(), 2u) << describe(u);
  std::set<int64_t> ids;
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(t[i].op, "r") << describe(t);
    EXPECT_EQ(t[i].key, fmt::format(R"({{"id":{}}})", t[i].id));
    EXPECT_EQ(t[i].after, fmt::format(R"({{"id":{},"v":"v{}"}})", t[i].id, t[i].id));
    ids.insert(t[i].id);
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(t[5].op, "c");
  EXPECT_EQ(t[5].snapshot, "false");
  EXPECT_EQ(t[5].id, 6);
  // The markers across both topics: exactly one first and one last in all, each table's first
  // and last record marked (the two topics' relative order is not known).
  int firsts = 0, lasts = 0;
  for (const auto* topic : {&t, &u}) {
    std::vector<Ev> reads;
    for (const auto& e : *topic)
      if (e.op == "r") reads.push_back(e);
    ASSERT_FALSE(reads.empty());
    const std::string& f = reads.front().snapshot;
    const std::string& l = reads.back().snapshot;
    EXPECT_TRUE(f == "first" || f == "first_in_data_collection") << describe(*topic);
    EXPECT_TRUE(l == "last" || l == "last_in_data_collection") << describe(*topic);
    for (size_t i = 1; i + 1 < reads.size(); ++i) EXPECT_EQ(reads[i].snapshot, "true");
    firsts += f == "first";
    lasts += l == "last";
  }
  EXPECT_EQ(firsts, 1);
  EXPECT_EQ(lasts, 1);
}

TEST_F(SnapshotTopics, KillNineMidSnapshotLeavesTheAttemptAndACompleteSnapshotFollows) {
  const int64_t kRows = 300000 / kScale;
  sql("CREATE TABLE k (id int PRIMARY KEY, v int NOT NULL)");
  sql(fmt::format("INSERT INTO k SELECT g, g FROM generate_series(1, {}) g", kRows));
  sql("VACUUM ANALYZE k");
  std::string cfg = config("initial", R"("snapshot.max.threads":"1")");
  std::string data = dir + "/data";
  {
    SluiceServer s = start_server(data, {"--connector", cfg});
    ASSERT_GT(s.port, 0);
    // Past the first whole batches: a kill in the middle of the first write leaves a torn tail
    // that recovery cuts, and nothing of the attempt would stay.
    ASSERT_TRUE(wait_until(
        [&] { return topic_bytes(data, "test.public.k") > (4u << 20) || exited(s.proc); }, 60s,
        1ms));
    s.proc.signal(SIGKILL);
    EXPECT_EQ(s.proc.wait(30s), 128 + SIGKILL);
    ASSERT_EQ(s.proc.stderr_text().find("snapshot completed"), std::string::npos)
        << "the snapshot finished before the kill: the test needs a larger table";
  }
  SluiceServer s = start_server(data, {"--connector", cfg});
  ASSERT_GT(s.port, 0);
  ASSERT_TRUE(wait_stderr(s.proc, "snapshot completed", 120s)) << s.proc.stderr_text();
  sql(fmt::format("INSERT INTO k VALUES ({}, 0)", kRows + 1));
  // The topic holds the killed attempt's records, a whole snapshot and the create.
  ASSERT_TRUE(wait_until(
      [&] {
        if (end_offset(s.port, "test.public.k") < kRows + 1) return false;
        std::string last = shell(fmt::format(
            "timeout 30 kcat -b 127.0.0.1:{} -C -t test.public.k -o -1 -e -q 2>/dev/null", s.port));
        return last.find(fmt::format(R"("id":{})", kRows + 1)) != std::string::npos;
      },
      120s, 200ms))
      << s.proc.stderr_text();
  std::vector<uint8_t> seen(size_t(kRows) + 2, 0);
  uint64_t total = 0, before_final = 0, final_reads = 0, bad = 0, firsts = 0, lasts = 0;
  uint64_t creates = 0, final_start = 0, last_at = 0;
  // The records' markers (99: a streamed change) and ids, in topic order.
  std::vector<uint8_t> markers;
  std::vector<int64_t> ids;
  kcat_scan(s.port, "test.public.k", [&](const rapidjson::Value*, const rapidjson::Value* v) {
    ++total;
    if (!v || v->IsNull()) {
      markers.push_back(kOther);
      ids.push_back(-1);
      return;
    }
    const auto& p = unwrap(*v);
    std::string op = member_str(p, "op");
    ids.push_back(int_at(at(p, "after"), "id"));
    markers.push_back(op == "r" ? uint8_t(marker_code(member_str(at(p, "source"), "snapshot")))
                                : uint8_t(99));
  });
  stop_server(s);
  for (size_t i = 0; i < markers.size(); ++i) {
    if (markers[i] == kFirst) {
      ++firsts;
      final_start = i;
    }
  }
  EXPECT_EQ(firsts, 2u) << "the killed attempt's first record and the new snapshot's";
  EXPECT_EQ(markers.empty() ? 0 : markers[0], kFirst) << "the killed attempt's records stay";
  for (size_t i = 0; i < markers.size(); ++i) {
    if (i < final_start) {
      ++before_final;
      if (markers[i] == 99 || markers[i] == kOther || markers[i] == kLast) ++bad;
      continue;
    }
    if (markers[i] == 99) {
      ++creates;
      if (ids[i] != kRows + 1) ++bad;
      continue;
    }
    ++final_reads;
    if (markers[i] == kLast) {
      ++lasts;
      last_at = i;
    }
    if (ids[i] < 1 || ids[i] > kRows || seen[size_t(ids[i])]++) ++bad;
  }
  EXPECT_GT(before_final, 0u);
  EXPECT_EQ(final_reads, uint64_t(kRows)) << "one complete snapshot after the attempt";
  EXPECT_EQ(lasts, 1u);
  EXPECT_EQ(last_at, final_start + uint64_t(kRows) - 1);
  EXPECT_EQ(creates, 1u);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(total, before_final + uint64_t(kRows) + 1);
  std::printf("[   info   ] %" PRIu64 " records of the killed attempt, then %" PRIu64
              " reads and %" PRIu64 " create\n",
              before_final, final_reads, creates);
}

}  // namespace
}  // namespace sluice::test
