// Change events end to end: real PostgreSQL, the sluice binary, records read back from its file.
#include <fmt/format.h>

#include <thread>

#include "harness.h"

namespace sluice::test {
namespace {

using Records = std::vector<rapidjson::Document>;

const rapidjson::Value& payload(const rapidjson::Document& r) { return r["value"]["payload"]; }

class Events : public CaptureTest {};

TEST_F(Events, InsertUpdateDeleteWithTombstones) {
  sql("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int)");
  auto cfg = connector_file();
  create_slot();
  sql("INSERT INTO items VALUES (1, 'apple', 5)");
  sql("UPDATE items SET qty = 6 WHERE id = 1");
  sql("DELETE FROM items WHERE id = 1");
  Records r = capture(cfg, 4);
  ASSERT_EQ(r.size(), 4u);
  for (auto& rec : r) EXPECT_STREQ(rec["topic"].GetString(), "test.public.items");
  EXPECT_STREQ(payload(r[0])["op"].GetString(), "c");
  EXPECT_TRUE(payload(r[0])["before"].IsNull());
  EXPECT_EQ(to_json(payload(r[0])["after"]), R"({"id":1,"name":"apple","qty":5})");
  EXPECT_EQ(to_json(r[0]["key"]["payload"]), R"({"id":1})");
  EXPECT_STREQ(payload(r[1])["op"].GetString(), "u");
  EXPECT_TRUE(payload(r[1])["before"].IsNull()) << "REPLICA IDENTITY DEFAULT has no before row";
  EXPECT_EQ(payload(r[1])["after"]["qty"].GetInt(), 6);
  EXPECT_STREQ(payload(r[2])["op"].GetString(), "d");
  EXPECT_EQ(to_json(payload(r[2])["before"]), R"({"id":1,"name":null,"qty":null})");
  EXPECT_TRUE(payload(r[2])["after"].IsNull());
  EXPECT_TRUE(r[3]["value"].IsNull()) << "a tombstone follows each delete";
  EXPECT_EQ(to_json(r[3]["key"]["payload"]), R"({"id":1})");
  // The source block.
  const auto& src = payload(r[0])["source"];
  EXPECT_STREQ(src["connector"].GetString(), "postgresql");
  EXPECT_STREQ(src["name"].GetString(), "test");
  EXPECT_STREQ(src["db"].GetString(), db.c_str());
  EXPECT_STREQ(src["schema"].GetString(), "public");
  EXPECT_STREQ(src["table"].GetString(), "items");
  EXPECT_STREQ(src["snapshot"].GetString(), "false");
  EXPECT_TRUE(src["txId"].IsInt64());
  EXPECT_TRUE(src["lsn"].IsInt64());
  EXPECT_TRUE(src["xmin"].IsNull());
  EXPECT_EQ(src["ts_us"].GetInt64() / 1000, src["ts_ms"].GetInt64());
  EXPECT_EQ(src["ts_ns"].GetInt64() / 1000, src["ts_us"].GetInt64());
  EXPECT_LT(payload(r[1])["source"]["lsn"].GetInt64(), payload(r[2])["source"]["lsn"].GetInt64());
  std::string seq = payload(r[1])["source"]["sequence"].GetString();
  EXPECT_EQ(seq.front(), '[');
  EXPECT_NE(seq.find(std::to_string(payload(r[1])["source"]["lsn"].GetInt64())), std::string::npos);
  EXPECT_GE(payload(r[0])["ts_ms"].GetInt64(), src["ts_ms"].GetInt64());
  EXPECT_TRUE(payload(r[0])["transaction"].IsNull());
  EXPECT_TRUE(r[0]["headers"].IsObject());
}

TEST_F(Events, ReplicaIdentityFullGivesBeforeRow) {
  sql("CREATE TABLE acct (id int PRIMARY KEY, amount numeric(10,2), note text)");
  sql("ALTER TABLE acct REPLICA IDENTITY FULL");
  auto cfg = connector_file(R"("decimal.handling.mode":"string")");
  create_slot();
  sql("INSERT INTO acct VALUES (7, 10.50, 'x')");
  sql("UPDATE acct SET amount = amount + 150 WHERE id = 7");
  sql("DELETE FROM acct WHERE id = 7");
  Records r = capture(cfg, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(to_json(payload(r[1])["before"]), R"({"id":7,"amount":"10.50","note":"x"})");
  EXPECT_EQ(to_json(payload(r[1])["after"]), R"({"id":7,"amount":"160.50","note":"x"})");
  EXPECT_EQ(to_json(payload(r[2])["before"]), R"({"id":7,"amount":"160.50","note":"x"})");
}

TEST_F(Events, PrimaryKeyChangeIsDeleteTombstoneCreate) {
  sql("CREATE TABLE k (id int PRIMARY KEY, v text)");
  auto cfg = connector_file();
  create_slot();
  sql("INSERT INTO k VALUES (1, 'a')");
  sql("UPDATE k SET id = 2 WHERE id = 1");
  Records r = capture(cfg, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_STREQ(payload(r[1])["op"].GetString(), "d");
  EXPECT_EQ(to_json(r[1]["key"]["payload"]), R"({"id":1})");
  EXPECT_STREQ(r[1]["headers"]["__debezium.newkey"].GetString(), R"({"id":2})");
  EXPECT_TRUE(r[2]["value"].IsNull());
  EXPECT_STREQ(payload(r[3])["op"].GetString(), "c");
  EXPECT_EQ(to_json(r[3]["key"]["payload"]), R"({"id":2})");
  EXPECT_STREQ(r[3]["headers"]["__debezium.oldkey"].GetString(), R"({"id":1})");
}

TEST_F(Events, TruncateAndLogicalMessages) {
  sql("CREATE TABLE t (id int PRIMARY KEY)");
  auto cfg = connector_file(R"("skipped.operations":"none")");
  create_slot();
  sql("INSERT INTO t VALUES (1)");
  sql("TRUNCATE t");
  sql("SELECT pg_logical_emit_message(true, 'audit', 'hello')");
  sql("SELECT pg_logical_emit_message(false, 'ping', 'pong')");
  Records r = capture(cfg, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_STREQ(payload(r[1])["op"].GetString(), "t");
  EXPECT_TRUE(r[1]["key"].IsNull());
  EXPECT_STREQ(payload(r[1])["source"]["table"].GetString(), "t");
  EXPECT_STREQ(r[2]["topic"].GetString(), "test.message");
  EXPECT_STREQ(payload(r[2])["op"].GetString(), "m");
  EXPECT_STREQ(r[2]["key"]["payload"]["prefix"].GetString(), "audit");
  EXPECT_STREQ(payload(r[2])["message"]["content"].GetString(), "aGVsbG8=");
  EXPECT_TRUE(payload(r[2])["source"]["txId"].IsInt64());
  EXPECT_STREQ(payload(r[2])["source"]["table"].GetString(), "");
  EXPECT_STREQ(payload(r[3])["message"]["prefix"].GetString(), "ping");
  EXPECT_TRUE(payload(r[3])["source"]["txId"].IsNull()) << "non-transactional message";
}

TEST_F(Events, TruncateSkippedByDefault) {
  sql("CREATE TABLE t (id int PRIMARY KEY)");
  auto cfg = connector_file();
  create_slot();
  sql("TRUNCATE t");
  sql("INSERT INTO t VALUES (5)");
  Records r = capture(cfg, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_STREQ(payload(r[0])["op"].GetString(), "c");
}

TEST_F(Events, TableWithoutPrimaryKeyHasNullKey) {
  sql("CREATE TABLE nokey (a int, b text)");
  sql("ALTER TABLE nokey REPLICA IDENTITY FULL");
  auto cfg = connector_file();
  create_slot();
  sql("INSERT INTO nokey VALUES (1, 'x')");
  sql("DELETE FROM nokey");
  Records r = capture(cfg, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0]["key"].IsNull());
  EXPECT_STREQ(payload(r[1])["op"].GetString(), "d");
  EXPECT_EQ(to_json(payload(r[1])["before"]), R"({"a":1,"b":"x"})");
}

TEST_F(Events, ToastedValuesUnchangedBecomePlaceholder) {
  sql("CREATE TABLE doc (id int PRIMARY KEY, body text, n int)");
  sql("ALTER TABLE doc ALTER COLUMN body SET STORAGE EXTERNAL");
  sql("CREATE TABLE docfull (id int PRIMARY KEY, body text, n int)");
  sql("ALTER TABLE docfull ALTER COLUMN body SET STORAGE EXTERNAL");
  sql("ALTER TABLE docfull REPLICA IDENTITY FULL");
  auto cfg = connector_file();
  create_slot();
  sql("INSERT INTO doc SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, 500) i");
  sql("INSERT INTO docfull SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, 500) i");
  sql("UPDATE doc SET n = 1");
  sql("UPDATE docfull SET n = 1");
  Records r = capture(cfg, 4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_STREQ(payload(r[2])["after"]["body"].GetString(), "__debezium_unavailable_value");
  std::string full = payload(r[3])["after"]["body"].GetString();
  EXPECT_EQ(full.size(), 500u * 32) << "REPLICA IDENTITY FULL carries the old value";
  EXPECT_EQ(full, payload(r[1])["after"]["body"].GetString());
}

TEST_F(Events, AlterTableMidStreamChangesSchema) {
  sql("CREATE TABLE evo (id int PRIMARY KEY, a text)");
  auto cfg = connector_file();
  create_slot();
  sql("INSERT INTO evo VALUES (1, 'one')");
  sql("ALTER TABLE evo ADD COLUMN b int NOT NULL DEFAULT 42");
  sql("INSERT INTO evo VALUES (2, 'two', 7)");
  sql("ALTER TABLE evo DROP COLUMN a");
  sql("INSERT INTO evo VALUES (3, 8)");
  Records r = capture(cfg, 3);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(to_json(payload(r[0])["after"]), R"({"id":1,"a":"one"})");
  EXPECT_EQ(to_json(payload(r[1])["after"]), R"({"id":2,"a":"two","b":7})");
  EXPECT_EQ(to_json(payload(r[2])["after"]), R"({"id":3,"b":8})");
  // The schema of the later events names the new column, with its default.
  std::string schema = to_json(r[1]["value"]["schema"]);
  EXPECT_NE(schema.find(R"({"type":"int32","optional":false,"default":42,"field":"b"})"),
            std::string::npos)
      << schema;
}

TEST_F(Events, TransactionMetadata) {
  sql("CREATE TABLE a (id int PRIMARY KEY)");
  sql("CREATE TABLE b (id int PRIMARY KEY)");
  auto cfg = connector_file(R"("provide.transaction.metadata":"true")");
  create_slot();
  sql("BEGIN; INSERT INTO a VALUES (1); INSERT INTO b VALUES (1); INSERT INTO a VALUES (2); "
      "COMMIT");
  Records r = capture(cfg, 5);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_STREQ(r[0]["topic"].GetString(), "test.transaction");
  EXPECT_STREQ(payload(r[0])["status"].GetString(), "BEGIN");
  std::string id = payload(r[0])["id"].GetString();
  EXPECT_EQ(id, payload(r[1])["transaction"]["id"].GetString());
  EXPECT_EQ(id.substr(0, id.find(':')), std::to_string(payload(r[1])["source"]["txId"].GetInt64()));
  EXPECT_EQ(payload(r[3])["transaction"]["total_order"].GetInt(), 3);
  EXPECT_EQ(payload(r[3])["transaction"]["data_collection_order"].GetInt(), 2);
  EXPECT_STREQ(payload(r[4])["status"].GetString(), "END");
  EXPECT_EQ(payload(r[4])["event_count"].GetInt(), 3);
  EXPECT_EQ(
      to_json(payload(r[4])["data_collections"]),
      R"([{"data_collection":"public.a","event_count":2},{"data_collection":"public.b","event_count":1}])");
}

TEST_F(Events, FiltersAndSchemasDisabled) {
  sql("CREATE SCHEMA app; CREATE TABLE app.keep (id int PRIMARY KEY, secret text, v int);"
      "CREATE TABLE app.skip (id int PRIMARY KEY)");
  auto cfg = connector_file(
      R"("table.include.list":"app\\.keep","column.exclude.list":"app\\.keep\\.secret",)"
      R"("key.converter.schemas.enable":"false","value.converter.schemas.enable":"false")");
  create_slot();
  sql("INSERT INTO app.skip VALUES (1)");
  sql("INSERT INTO app.keep VALUES (1, 'pw', 3)");
  Records r = capture(cfg, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_STREQ(r[0]["topic"].GetString(), "test.app.keep");
  EXPECT_EQ(to_json(r[0]["key"]), R"({"id":1})");
  EXPECT_FALSE(r[0]["value"].HasMember("schema"));
  EXPECT_EQ(to_json(r[0]["value"]["after"]), R"({"id":1,"v":3})");
}

TEST_F(Events, FilteredPublicationIsCreatedFromTheIncludeList) {
  sql("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY)");
  std::string cfg =
      connector_file(R"("publication.name":"pub_f","publication.autocreate.mode":"filtered",)"
                     R"("table.include.list":"public\\.a")");
  std::string out = dir + "/out.jsonl";
  // The connector creates the publication and the slot on its first start.
  Proc p = spawn_sluice({"capture", cfg, "--output", out, "--max-events", "1"});
  bool active = false;
  for (int i = 0; i < 100 && !active; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    active = conn->exec("SELECT count(*) FROM pg_replication_slots WHERE active").get(0, 0) == "1";
  }
  ASSERT_TRUE(active) << p.stderr_text();
  auto tables = conn->exec("SELECT tablename FROM pg_publication_tables WHERE pubname = 'pub_f'");
  ASSERT_EQ(tables.rows(), 1);
  EXPECT_EQ(tables.get(0, 0), "a");
  sql("INSERT INTO b VALUES (1)");
  sql("INSERT INTO a VALUES (2)");
  EXPECT_EQ(p.wait(std::chrono::seconds(30)), 0) << p.stderr_text();
  auto r = read_records(out);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_STREQ(r[0]["topic"].GetString(), "test.public.a");
}

TEST_F(Events, SlotDropOnStop) {
  sql("CREATE TABLE t (id int PRIMARY KEY)");
  auto cfg = connector_file(R"("slot.drop.on.stop":"true")");
  create_slot();
  sql("INSERT INTO t VALUES (1)");
  Records r = capture(cfg, 1);
  ASSERT_EQ(r.size(), 1u);
  auto slots = conn->exec("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" +
                          slot_name() + "'");
  EXPECT_EQ(slots.get(0, 0), "0");
}

}  // namespace
}  // namespace sluice::test
