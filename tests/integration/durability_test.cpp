// Position and failures: exactly once across kill -9 and clean stops, PostgreSQL restarts,
// and the clear errors for server set-ups that cannot work.
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "harness.h"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class Durability : public CaptureTest {
 protected:
  // Every inserted id must appear exactly once among the create events.
  void expect_exactly_once(const std::string& out, int expected) {
    auto recs = read_records(out);
    std::multiset<int64_t> ids;
    std::set<std::pair<int64_t, int64_t>> positions;  // (lsn, id): each change once
    for (auto& r : recs) {
      if (r["value"].IsNull()) continue;
      const auto& p = r["value"].HasMember("payload") ? r["value"]["payload"] : r["value"];
      if (std::string(p["op"].GetString()) != "c") continue;
      int64_t id = p["after"]["id"].GetInt64();
      ids.insert(id);
      EXPECT_TRUE(positions.insert({p["source"]["lsn"].GetInt64(), id}).second)
          << "duplicate change at LSN " << p["source"]["lsn"].GetInt64();
    }
    int missing = 0, dup = 0;
    for (int i = 1; i <= expected; ++i) {
      auto n = ids.count(i);
      if (n == 0) ++missing;
      if (n > 1) ++dup;
    }
    EXPECT_EQ(missing, 0) << "changes lost";
    EXPECT_EQ(dup, 0) << "changes duplicated";
    EXPECT_EQ(ids.size(), size_t(expected));
  }
  std::string wait_for_lines(const std::string& out, size_t n, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string t = read_text(out);
      if (size_t(std::count(t.begin(), t.end(), '\n')) >= n) return t;
      std::this_thread::sleep_for(50ms);
    }
    return read_text(out);
  }
};

TEST_F(Durability, StopMidTransactionAndResumeWithoutLossOrDuplicates) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY, v text)");
  auto cfg = connector_file(R"("value.converter.schemas.enable":"false")");
  create_slot();
  sql("INSERT INTO e SELECT i, 'row' || i FROM generate_series(1, 1000) i");  // one transaction
  sql("INSERT INTO e SELECT i, 'row' || i FROM generate_series(1001, 1500) i");
  std::string out = dir + "/out.jsonl";
  for (uint64_t n : {300, 500, 350, 350}) capture(cfg, n, out);  // stops inside transactions
  expect_exactly_once(out, 1500);
}

TEST_F(Durability, KillNineUnderLoadThenRestartIsExactlyOnce) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY, v text)");
  auto cfg = connector_file(R"("value.converter.schemas.enable":"false")");
  create_slot();
  std::string out = dir + "/out.jsonl";
  const int kRows = 20000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    pg::Connection w(cluster().conninfo(db));
    for (int i = 1; i <= kRows; i += 100) {
      // Mix single-row transactions with multi-row ones (rows sharing one LSN).
      w.exec(fmt::format("INSERT INTO e SELECT g, 'v' FROM generate_series({}, {}) g", i, i + 49));
      for (int j = i + 50; j < i + 100; ++j)
        w.exec(fmt::format("INSERT INTO e VALUES ({}, 'v')", j));
    }
    done = true;
  });
  for (int round = 0; round < 4; ++round) {
    Proc p = spawn_sluice({"capture", cfg, "--output", out});
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + 300 * round));
    p.signal(SIGKILL);
    EXPECT_EQ(p.wait(), 128 + SIGKILL);
  }
  writer.join();
  ASSERT_TRUE(done);
  // A last run drains the rest (records written after the last saved position were cut and
  // sent again, so the file is the judge of what is there).
  Proc last = spawn_sluice({"capture", cfg, "--output", out});
  size_t have = 0;
  for (int i = 0; i < 600 && have < size_t(kRows); ++i) {
    std::this_thread::sleep_for(100ms);
    std::string t = read_text(out);
    have = size_t(std::count(t.begin(), t.end(), '\n'));
  }
  last.signal(SIGTERM);
  EXPECT_EQ(last.wait(20s), 0) << last.stderr_text();
  expect_exactly_once(out, kRows);
}

TEST_F(Durability, PostgresRestartMidStreamResumes) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY)");
  auto cfg = connector_file(R"("value.converter.schemas.enable":"false")");
  create_slot();
  std::string out = dir + "/out.jsonl";
  sql("INSERT INTO e SELECT generate_series(1, 100)");
  Proc p = spawn_sluice({"capture", cfg, "--output", out, "--max-events", "200"});
  wait_for_lines(out, 100, 30s);
  conn.reset();
  cluster().stop();
  std::this_thread::sleep_for(1s);
  cluster().start();
  conn = std::make_unique<pg::Connection>(cluster().conninfo(db));
  sql("INSERT INTO e SELECT generate_series(101, 200)");
  int rc = p.wait(90s);
  if (rc == -1) p.signal(SIGKILL);
  EXPECT_EQ(rc, 0) << p.stderr_text();
  EXPECT_NE(p.stderr_text().find("retrying"), std::string::npos);
  expect_exactly_once(out, 200);
}

TEST_F(Durability, ConnectionTerminatedMidStreamReconnects) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY)");
  auto cfg = connector_file(R"("value.converter.schemas.enable":"false")");
  create_slot();
  std::string out = dir + "/out.jsonl";
  sql("INSERT INTO e SELECT generate_series(1, 50)");
  Proc p = spawn_sluice({"capture", cfg, "--output", out, "--max-events", "100"});
  wait_for_lines(out, 50, 30s);
  sql(
      fmt::format("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE "
                  "slot_name = '{}'",
                  slot_name()));
  sql("INSERT INTO e SELECT generate_series(51, 100)");
  int rc = p.wait(60s);
  if (rc == -1) p.signal(SIGKILL);
  EXPECT_EQ(rc, 0) << p.stderr_text();
  expect_exactly_once(out, 100);
}

TEST_F(Durability, UnreachableAtStartIsRetried) {
  // Nothing listens on this port until the test points the config at the real one.
  sql("CREATE TABLE e (id bigint PRIMARY KEY)");
  create_slot();
  std::string cfg = dir + "/c.json";
  std::string good = config_json(R"("value.converter.schemas.enable":"false")");
  std::string bad = good;
  auto at = bad.find(std::to_string(cluster().port()));
  bad.replace(at, std::to_string(cluster().port()).size(), "1");
  std::ofstream(cfg) << bad;
  Proc p = spawn_sluice({"capture", cfg, "--output", dir + "/out.jsonl", "--max-events", "1"});
  std::this_thread::sleep_for(1500ms);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(20s), 0) << "SIGTERM stops it cleanly while it retries";
  EXPECT_NE(p.stderr_text().find("retrying"), std::string::npos) << p.stderr_text();
}

TEST_F(Durability, SigtermStopsCleanlyAndConfirmsPosition) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY)");
  auto cfg = connector_file();
  create_slot();
  sql("INSERT INTO e VALUES (1)");
  std::string out = dir + "/out.jsonl";
  Proc p = spawn_sluice({"capture", cfg, "--output", out});
  wait_for_lines(out, 1, 30s);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(20s), 0) << p.stderr_text();
  // The slot is confirmed past the captured change, and let go (the walsender leaves a moment
  // after the client).
  auto recs = read_records(out);
  ASSERT_EQ(recs.size(), 1u);
  int64_t change_lsn = recs[0]["value"]["payload"]["source"]["lsn"].GetInt64();
  std::string confirmed, active;
  for (int i = 0; i < 50; ++i) {
    auto r = conn->exec(fmt::format(
        "SELECT confirmed_flush_lsn - '0/0'::pg_lsn > {}, active FROM pg_replication_slots "
        "WHERE slot_name = '{}'",
        change_lsn, slot_name()));
    confirmed = r.str(0, 0);
    active = r.str(0, 1);
    if (active == "f") break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(confirmed, "t");
  EXPECT_EQ(active, "f");
}

TEST_F(Durability, HeartbeatsMoveTheSlotWhileTablesAreIdle) {
  sql("CREATE TABLE watched (id int PRIMARY KEY); CREATE TABLE other (id int PRIMARY KEY)");
  conn->exec("CREATE PUBLICATION dbz_publication FOR TABLE watched");
  auto cfg = connector_file(R"("heartbeat.interval.ms":"200")");
  conn->exec(
      fmt::format("SELECT pg_create_logical_replication_slot('{}', 'pgoutput')", slot_name()));
  std::string out = dir + "/out.jsonl";
  Proc p = spawn_sluice({"capture", cfg, "--output", out});
  auto before = conn->exec(fmt::format(
      "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '{}'", slot_name()));
  std::string start = before.str(0, 0);
  // Plenty of WAL from a table outside the publication.
  for (int i = 0; i < 20; ++i) sql(fmt::format("INSERT INTO other VALUES ({})", i));
  auto target = conn->exec("SELECT pg_current_wal_lsn()").str(0, 0);
  bool moved = false;
  for (int i = 0; i < 100 && !moved; ++i) {
    std::this_thread::sleep_for(100ms);
    auto r = conn->exec(fmt::format(
        "SELECT confirmed_flush_lsn >= '{}'::pg_lsn FROM pg_replication_slots WHERE slot_name = "
        "'{}'",
        target, slot_name()));
    moved = r.get(0, 0) == "t";
  }
  // And heartbeat records appear every interval.
  for (int i = 0; i < 50 && read_text(out).find("__debezium-heartbeat") == std::string::npos; ++i)
    std::this_thread::sleep_for(100ms);
  p.signal(SIGTERM);
  p.wait(20s);
  EXPECT_TRUE(moved) << "confirmed_flush_lsn stayed behind " << target << " (was " << start << ")";
  auto recs = read_records(out);
  ASSERT_FALSE(recs.empty());
  EXPECT_STREQ(recs[0]["topic"].GetString(), "__debezium-heartbeat.test");
  EXPECT_STREQ(recs[0]["key"]["payload"]["serverName"].GetString(), "test");
  EXPECT_TRUE(recs[0]["value"]["payload"]["ts_ms"].IsInt64());
}

TEST_F(Durability, WalLevelPrivilegeAndBusySlotGiveClearErrors) {
  sql("CREATE TABLE e (id int PRIMARY KEY)");
  // A user without REPLICATION.
  sql(fmt::format("CREATE ROLE plain_{} LOGIN", db));
  std::string cfg = dir + "/noperm.json";
  std::string json = config_json();
  auto at = json.find(R"("database.user":"postgres")");
  json.replace(at, std::string(R"("database.user":"postgres")").size(),
               fmt::format(R"("database.user":"plain_{}")", db));
  std::ofstream(cfg) << json;
  Proc p = spawn_sluice({"capture", cfg, "--output", dir + "/o1.jsonl"});
  EXPECT_EQ(p.wait(30s), 1);
  EXPECT_NE(p.stderr_text().find("WITH REPLICATION"), std::string::npos) << p.stderr_text();
  sql(fmt::format("DROP ROLE plain_{}", db));

  // A slot held by another reader.
  auto good = connector_file();
  create_slot();
  Proc holder = spawn_sluice({"capture", good, "--output", dir + "/o2.jsonl"});
  bool active = false;
  for (int i = 0; i < 100 && !active; ++i) {
    std::this_thread::sleep_for(100ms);
    active =
        conn->exec(fmt::format("SELECT active FROM pg_replication_slots WHERE slot_name = '{}'",
                               slot_name()))
            .get(0, 0) == "t";
  }
  ASSERT_TRUE(active);
  Proc second = spawn_sluice({"capture", good, "--output", dir + "/o3.jsonl"});
  EXPECT_EQ(second.wait(30s), 1);
  EXPECT_NE(second.stderr_text().find("in use"), std::string::npos) << second.stderr_text();
  holder.signal(SIGTERM);
  EXPECT_EQ(holder.wait(20s), 0);

  // Bad configuration values name the property.
  std::string bad = dir + "/bad.json";
  std::ofstream(bad) << config_json(R"("decimal.handling.mode":"fancy")");
  Proc b = spawn_sluice({"capture", bad});
  EXPECT_EQ(b.wait(10s), 2);
  EXPECT_NE(b.stderr_text().find("decimal.handling.mode"), std::string::npos);
  std::ofstream(bad, std::ios::trunc) << config_json(R"("plugin.name":"decoderbufs")");
  Proc b2 = spawn_sluice({"capture", bad});
  EXPECT_EQ(b2.wait(10s), 2);
  EXPECT_NE(b2.stderr_text().find("plugin.name"), std::string::npos);
  std::ofstream(bad, std::ios::trunc) << config_json(R"("snapshot.max.threads":"0")");
  Proc b3 = spawn_sluice({"capture", bad});
  EXPECT_EQ(b3.wait(10s), 2);
  EXPECT_NE(b3.stderr_text().find("snapshot.max.threads"), std::string::npos);
}

TEST_F(Durability, MessageJustBeforeACommitLosesNothing) {
  // A non-transactional message's LSN is the end of its WAL record: the commit that follows
  // starts exactly there. Neither a running capture nor a restart between them may drop it.
  sql("CREATE TABLE e (id bigint PRIMARY KEY)");
  auto cfg = connector_file(R"("value.converter.schemas.enable":"false")");
  create_slot();
  for (int i = 1; i <= 3; ++i)
    sql(
        fmt::format("BEGIN; INSERT INTO e VALUES ({}); SELECT pg_logical_emit_message(false, "
                    "'p', 'x'); COMMIT",
                    i));
  std::string out = dir + "/out.jsonl";
  capture(cfg, 1, out);  // stops right after the first message
  capture(cfg, 5, out);
  auto recs = read_records(out);
  ASSERT_EQ(recs.size(), 6u);
  int messages = 0, creates = 0;
  for (auto& r : recs) {
    std::string op = r["value"]["op"].GetString();
    messages += op == "m";
    creates += op == "c";
  }
  EXPECT_EQ(messages, 3);
  EXPECT_EQ(creates, 3);
  expect_exactly_once(out, 3);
}

TEST_F(Durability, AVanishedSlotIsAnErrorNotASilentGap) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY)");
  auto cfg = connector_file();
  create_slot();
  sql("INSERT INTO e VALUES (1)");
  std::string out = dir + "/out.jsonl";
  capture(cfg, 1, out);
  // The walsender of the finished capture may hold the slot for a moment after it exits.
  for (int attempt = 0;; ++attempt) {
    try {
      sql(fmt::format("SELECT pg_drop_replication_slot('{}')", slot_name()));
      break;
    } catch (const pg::Error& e) {
      if (e.sqlstate() != "55006" || attempt >= 100) throw;
      std::this_thread::sleep_for(100ms);
    }
  }
  Proc p = spawn_sluice({"capture", cfg, "--output", out});
  EXPECT_EQ(p.wait(30s), 1);
  EXPECT_NE(p.stderr_text().find("is gone"), std::string::npos) << p.stderr_text();
}

}  // namespace
}  // namespace sluice::test

namespace sluice::test {
namespace {

TEST(ServerSetup, WalLevelNotLogicalSaysHowToFixIt) {
  std::string root = scratch_dir("sluice-walrep");
  pg::LocalCluster c(root + "/pg");
  c.up();
  c.psql("ALTER SYSTEM SET wal_level = replica");
  c.stop();
  c.start();
  std::string cfg = root + "/c.json";
  std::ofstream(cfg) << fmt::format(
      R"({{"database.hostname":"127.0.0.1","database.port":"{}","database.user":"postgres",)"
      R"("database.dbname":"postgres","topic.prefix":"x","snapshot.mode":"no_data"}})",
      c.port());
  Proc p = spawn_sluice({"capture", cfg});
  int rc = p.wait(std::chrono::seconds(30));
  std::string err = p.stderr_text();
  c.down();
  std::filesystem::remove_all(root);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.find("wal_level"), std::string::npos) << err;
  EXPECT_NE(err.find("ALTER SYSTEM SET wal_level = logical"), std::string::npos) << err;
}

}  // namespace
}  // namespace sluice::test
