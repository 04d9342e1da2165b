// Connectors inside `sluice run`: events in the embedded log's topics read back with kcat (a
// librdkafka client, as users run it), exactly once across kill -9 of the server, and the same
// connector writing to another sluice acting as an external Kafka cluster.
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "broker_harness.h"
#include "cdc/connector_host.h"
#include "harness.h"
#include "kafka/record_batch.h"
#include "log/producer_ids.h"
#include "log/topic_store.h"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;
using Records = std::vector<rapidjson::Document>;

class CdcTopics : public CaptureTest {
 protected:
  // The topic's records as kcat -J prints them (key, payload, headers, offset, partition).
  Records kcat(int port, const std::string& topic) {
    std::string cmd = fmt::format(
        "timeout 60 kcat -b 127.0.0.1:{} -C -t {} -e -o beginning -J -q 2>/dev/null", port, topic);
    Records out;
    FILE* f = popen(cmd.c_str(), "r");
    if (!f) return out;
    std::string line;
    char buf[1 << 16];
    while (fgets(buf, sizeof buf, f)) {
      line += buf;
      if (line.empty() || line.back() != '\n') continue;
      rapidjson::Document d;
      d.Parse(line.c_str(), line.size());
      if (!d.HasParseError() && d.IsObject()) out.push_back(std::move(d));
      line.clear();
    }
    pclose(f);
    return out;
  }

  Records wait_for(int port, const std::string& topic, size_t n, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    Records r;
    while (std::chrono::steady_clock::now() < deadline) {
      r = kcat(port, topic);
      if (r.size() >= n) return r;
      std::this_thread::sleep_for(200ms);
    }
    return r;
  }

  static rapidjson::Document parse(const rapidjson::Value& v) {
    rapidjson::Document d;
    if (v.IsString()) d.Parse(v.GetString(), v.GetStringLength());
    return d;
  }

  // Every id in 1..expected is created exactly once, and no change (LSN, id) repeats.
  void expect_exactly_once(const Records& recs, int expected) {
    std::multiset<int64_t> ids;
    std::set<std::pair<int64_t, int64_t>> positions;
    for (const auto& r : recs) {
      if (r["payload"].IsNull()) continue;
      auto v = parse(r["payload"]);
      ASSERT_TRUE(v.IsObject());
      if (std::string(v["op"].GetString()) != "c") continue;
      int64_t id = v["after"]["id"].GetInt64();
      ids.insert(id);
      EXPECT_TRUE(positions.insert({v["source"]["lsn"].GetInt64(), id}).second)
          << "duplicate change at LSN " << v["source"]["lsn"].GetInt64();
    }
    int missing = 0, dup = 0;
    for (int i = 1; i <= expected; ++i) {
      auto n = ids.count(i);
      missing += n == 0;
      dup += n > 1;
    }
    EXPECT_EQ(missing, 0) << "changes lost";
    EXPECT_EQ(dup, 0) << "changes duplicated";
    EXPECT_EQ(ids.size(), size_t(expected));
  }

  void stop(SluiceServer& s) {
    s.proc.signal(SIGTERM);
    EXPECT_EQ(s.proc.wait(30s), 0) << s.proc.stderr_text();
  }
};

TEST_F(CdcTopics, Seed001EventsInTheEmbeddedLog) {
  std::string cfg = seed001();
  create_slot("debezium");  // the seed sets no slot.name: Debezium's default
  SluiceServer s = start_server(dir + "/data", {"--connector", cfg});
  ASSERT_GT(s.port, 0);
  // The seed's default snapshot.mode=initial: changes made before the (empty) snapshot would be
  // in it, not streamed. Write once the connector streams.
  ASSERT_TRUE(wait_stderr(s.proc, "streaming from slot", 30s)) << s.proc.stderr_text();
  const char* id = "6c1f0c1e-1d1b-4c37-9b53-0a6f3f1c7a11";
  sql(fmt::format(
      "INSERT INTO transactions VALUES ('{}', 'jdoe', '2024-02-27 10:00:00', 512.34, 'USD', "
      "'Lagos', 'Nigeria', 'Acme', 'credit_card', '10.0.0.1', '', '0b8e')",
      id));
  sql("ALTER TABLE transactions REPLICA IDENTITY FULL");
  sql(fmt::format("UPDATE transactions SET amount = amount + 150 where transaction_id = '{}'", id));
  sql(fmt::format("DELETE FROM transactions WHERE transaction_id = '{}'", id));
  Records r = wait_for(s.port, "cdc.public.transactions", 4, 60s);
  ASSERT_EQ(r.size(), 4u) << s.proc.stderr_text();
  std::string key = fmt::format(
      R"({{"schema":{{"type":"struct","fields":[{{"type":"string","optional":false,"field":"transaction_id"}}],"optional":false,"name":"cdc.public.transactions.Key"}},"payload":{{"transaction_id":"{}"}}}})",
      id);
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i]["offset"].GetInt64(), int64_t(i));
    EXPECT_EQ(r[i]["partition"].GetInt(), 0);
    EXPECT_STREQ(r[i]["key"].GetString(), key.c_str()) << "the key is JsonConverter's JSON";
  }
  auto c = parse(r[0]["payload"]), u = parse(r[1]["payload"]), d = parse(r[2]["payload"]);
  EXPECT_STREQ(c["payload"]["op"].GetString(), "c");
  EXPECT_STREQ(c["payload"]["after"]["amount"].GetString(), "512.34");
  EXPECT_EQ(c["payload"]["after"]["timestamp"].GetInt64(), 1709028000000000LL);
  EXPECT_STREQ(u["payload"]["op"].GetString(), "u");
  EXPECT_STREQ(u["payload"]["before"]["amount"].GetString(), "512.34");
  EXPECT_STREQ(u["payload"]["after"]["amount"].GetString(), "662.34");
  EXPECT_STREQ(d["payload"]["op"].GetString(), "d");
  EXPECT_STREQ(d["payload"]["before"]["city"].GetString(), "Lagos");
  EXPECT_TRUE(d["payload"]["after"].IsNull());
  EXPECT_TRUE(r[3]["payload"].IsNull()) << "the tombstone after the delete";
  std::string schema = to_json(u["schema"]);
  EXPECT_NE(schema.find(R"({"type":"string","optional":true,"field":"amount"})"), std::string::npos)
      << schema;

  // The position, where Kafka Connect keeps Debezium's.
  Records offsets = kcat(s.port, "connect-offsets");
  ASSERT_FALSE(offsets.empty());
  EXPECT_STREQ(offsets.back()["key"].GetString(), R"(["postgres-connector",{"server":"cdc"}])");
  auto pos = parse(offsets.back()["payload"]);
  ASSERT_TRUE(pos.IsObject());
  EXPECT_TRUE(pos["lsn"].IsUint64());
  EXPECT_EQ(pos["sluice"]["partitions"]["cdc.public.transactions/0"].GetInt64(), 4);
  stop(s);
  // Stopped cleanly, the slot is confirmed past the delete.
  auto slot = conn->exec(
      "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = "
      "'debezium'");
  EXPECT_GE(std::stoll(slot.str(0, 0)), d["payload"]["source"]["lsn"].GetInt64());
}

TEST_F(CdcTopics, Seed003CustomersWithKeyChangeHeaders) {
  sql("CREATE SCHEMA inventory;"
      "CREATE TABLE inventory.customers (id SERIAL NOT NULL PRIMARY KEY, first_name VARCHAR(255) "
      "NOT NULL, last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE);"
      "ALTER SEQUENCE inventory.customers_id_seq RESTART WITH 1001;"
      "ALTER TABLE inventory.customers REPLICA IDENTITY FULL;");
  std::string cfg = dir + "/register-postgres.json";
  std::ofstream(cfg) << fmt::format(
      R"({{"name":"inventory-connector","config":{{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","tasks.max":"1","database.hostname":"127.0.0.1","database.port":"{}","database.user":"postgres","database.password":"postgres","database.dbname":"{}","topic.prefix":"dbserver1","schema.include.list":"inventory","slot.name":"{}","snapshot.mode":"no_data"}}}})",
      cluster().port(), db, slot_name());
  create_slot();
  SluiceServer s = start_server(dir + "/data", {"--connector", cfg, "--partitions", "3"});
  ASSERT_GT(s.port, 0);
  sql("SET search_path = inventory;"
      "INSERT INTO customers(id,first_name,last_name,email) VALUES (1005, 'Hassen', 'Taidirt', "
      "'hi@hassen.io')");
  sql("SET search_path = inventory; UPDATE customers SET email='htaidirt@gmail.com' WHERE id=1005");
  sql("SET search_path = inventory; UPDATE customers SET id=1006 WHERE id=1005");
  // create, update, then the key change: delete + tombstone (old key), create (new key).
  Records r = wait_for(s.port, "dbserver1.inventory.customers", 5, 60s);
  ASSERT_EQ(r.size(), 5u) << s.proc.stderr_text();
  const char* key_schema =
      R"({"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"}],"optional":false,"name":"dbserver1.inventory.customers.Key"})";
  std::string k1005 = fmt::format(R"({{"schema":{},"payload":{{"id":1005}}}})", key_schema);
  std::string k1006 = fmt::format(R"({{"schema":{},"payload":{{"id":1006}}}})", key_schema);
  std::map<std::string, std::vector<const rapidjson::Document*>> by_key;
  for (const auto& rec : r) by_key[rec["key"].GetString()].push_back(&rec);
  ASSERT_EQ(by_key[k1005].size(), 4u);
  ASSERT_EQ(by_key[k1006].size(), 1u);
  // Both keys are where murmur2 over the key bytes puts them, as the Java producer would.
  int p1005 = (*by_key[k1005][0])["partition"].GetInt();
  for (auto* rec : by_key[k1005]) EXPECT_EQ((*rec)["partition"].GetInt(), p1005);
  auto ins = parse((*by_key[k1005][0])["payload"]);
  EXPECT_EQ(to_json(ins["payload"]["after"]),
            R"({"id":1005,"first_name":"Hassen","last_name":"Taidirt","email":"hi@hassen.io"})");
  auto upd = parse((*by_key[k1005][1])["payload"]);
  EXPECT_STREQ(upd["payload"]["op"].GetString(), "u");
  EXPECT_STREQ(upd["payload"]["before"]["email"].GetString(), "hi@hassen.io");
  EXPECT_STREQ(upd["payload"]["after"]["email"].GetString(), "htaidirt@gmail.com");
  auto del = parse((*by_key[k1005][2])["payload"]);
  EXPECT_STREQ(del["payload"]["op"].GetString(), "d");
  EXPECT_TRUE((*by_key[k1005][3])["payload"].IsNull());
  // Debezium's key-change headers: the other key's JSON as the header value.
  const auto& dh = (*by_key[k1005][2])["headers"];
  ASSERT_TRUE(dh.IsArray()) << to_json(*by_key[k1005][2]);
  ASSERT_EQ(dh.Size(), 2u);
  EXPECT_STREQ(dh[0].GetString(), "__debezium.newkey");
  EXPECT_STREQ(dh[1].GetString(), R"({"id":1006})");
  const auto& ch = (*by_key[k1006][0])["headers"];
  ASSERT_TRUE(ch.IsArray());
  EXPECT_STREQ(ch[0].GetString(), "__debezium.oldkey");
  EXPECT_STREQ(ch[1].GetString(), R"({"id":1005})");
  auto cre = parse((*by_key[k1006][0])["payload"]);
  EXPECT_STREQ(cre["payload"]["op"].GetString(), "c");
  EXPECT_EQ(cre["payload"]["after"]["id"].GetInt(), 1006);
  stop(s);
}

TEST_F(CdcTopics, KillNineOfTheServerUnderLoadIsExactlyOnce) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY, v text)");
  auto cfg = connector_file(R"("value.converter.schemas.enable":"false")");
  create_slot();
  std::string data = dir + "/data";
  std::vector<std::string> args{"--connector", cfg, "--partitions", "3"};
  std::string logs;

  // First kills that leave records past the position: a large transaction is written out in
  // chunks before its commit arrives; kill as soon as its first chunk is in the log. The next
  // start must find them (tried a few times: the kill may still come too late).
  const int kLarge = 30000;
  int large_done = 0;
  auto found = [](const std::string& log) {
    return log.find("are not written twice") != std::string::npos;
  };
  for (int attempt = 0; attempt < 3 && !found(logs); ++attempt) {
    SluiceServer s = start_server(data, args);
    std::thread big([&] {
      pg::Connection w(cluster().conninfo(db));
      w.exec(fmt::format("INSERT INTO e SELECT g, 'v' FROM generate_series({}, {}) g",
                         large_done + 1, large_done + kLarge));
    });
    uint64_t before = topic_bytes(data, "test.public.e");
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (topic_bytes(data, "test.public.e") == before &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(1ms);
    s.proc.signal(SIGKILL);
    EXPECT_EQ(s.proc.wait(), 128 + SIGKILL);
    big.join();
    large_done += kLarge;
    // The next start recovers (and is stopped at once, cleanly).
    SluiceServer next = start_server(data, args);
    for (int i = 0; i < 200 && next.proc.stderr_text().find("writes to topics as producer") ==
                                   std::string::npos;
         ++i)
      std::this_thread::sleep_for(50ms);
    stop(next);
    logs += s.proc.stderr_text() + next.proc.stderr_text();
  }
  EXPECT_TRUE(found(logs)) << "no restart found records past its position:\n" << logs;

  // Then kills at arbitrary moments while changes keep coming.
  const int kRows = large_done + 20000;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    pg::Connection w(cluster().conninfo(db));
    // Blocks of 2000 ids: a larger transaction, multi-row ones (rows sharing one LSN) and
    // single-row ones.
    for (int b = large_done + 1; b <= kRows; b += 2000) {
      w.exec(fmt::format("INSERT INTO e SELECT g, 'v' FROM generate_series({}, {}) g", b, b + 999));
      for (int i = b + 1000; i < b + 1500; i += 50)
        w.exec(
            fmt::format("INSERT INTO e SELECT g, 'v' FROM generate_series({}, {}) g", i, i + 49));
      for (int i = b + 1500; i < b + 2000; ++i)
        w.exec(fmt::format("INSERT INTO e VALUES ({}, 'v')", i));
    }
    done = true;
  });
  for (int round = 0; round < 4; ++round) {
    SluiceServer s = start_server(data, args);
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + 300 * round));
    s.proc.signal(SIGKILL);
    EXPECT_EQ(s.proc.wait(), 128 + SIGKILL);
    logs += s.proc.stderr_text();
  }
  writer.join();
  ASSERT_TRUE(done);
  SluiceServer last = start_server(data, args);
  ASSERT_GT(last.port, 0);
  Records r = wait_for(last.port, "test.public.e", kRows, 180s);
  // A moment more: anything beyond kRows would be a duplicate.
  std::this_thread::sleep_for(1s);
  r = kcat(last.port, "test.public.e");
  stop(last);
  EXPECT_EQ(r.size(), size_t(kRows));
  expect_exactly_once(r, kRows);
}

TEST_F(CdcTopics, ExternalClusterThroughKafkaBootstrap) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY, v text)");
  auto cfg = connector_file(R"("value.converter.schemas.enable":"false")");
  create_slot();
  // A: a sluice with no connectors, standing in for a Kafka cluster. B: the connector.
  SluiceServer a = start_server(dir + "/a");
  ASSERT_GT(a.port, 0);
  std::string bootstrap = fmt::format("127.0.0.1:{}", a.port);
  std::vector<std::string> b_args{"--connector", cfg, "--kafka-bootstrap", bootstrap};
  SluiceServer b = start_server(dir + "/b", b_args);
  ASSERT_GT(b.port, 0);
  sql("INSERT INTO e SELECT g, 'v' FROM generate_series(1, 50) g");
  Records r = wait_for(a.port, "test.public.e", 50, 60s);
  ASSERT_EQ(r.size(), 50u) << b.proc.stderr_text();
  auto first = parse(r[0]["payload"]);
  EXPECT_STREQ(first["op"].GetString(), "c");
  EXPECT_NE(std::string(r[0]["key"].GetString()).find(R"("payload":{"id":1})"), std::string::npos);
  EXPECT_TRUE(kcat(b.port, "test.public.e").empty()) << "nothing in B's own log";

  // kill -9 B while a large transaction is on its way to A (records there past B's position),
  // more changes meanwhile, start again: nothing twice, nothing lost.
  uint64_t before = topic_bytes(dir + "/a", "test.public.e");
  std::thread big([&] {
    pg::Connection w(cluster().conninfo(db));
    w.exec("INSERT INTO e SELECT g, 'v' FROM generate_series(51, 20050) g");
  });
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (topic_bytes(dir + "/a", "test.public.e") == before &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  b.proc.signal(SIGKILL);
  b.proc.wait();
  big.join();
  for (int i = 20051; i <= 20100; ++i) sql(fmt::format("INSERT INTO e VALUES ({}, 'v')", i));
  SluiceServer b2 = start_server(dir + "/b", b_args);
  ASSERT_GT(b2.port, 0);
  r = wait_for(a.port, "test.public.e", 20100, 120s);
  std::this_thread::sleep_for(1s);
  r = kcat(a.port, "test.public.e");
  stop(b2);
  EXPECT_NE(b2.proc.stderr_text().find("are not written twice"), std::string::npos)
      << b2.proc.stderr_text();
  EXPECT_EQ(r.size(), 20100u);
  expect_exactly_once(r, 20100);
  Records offsets = kcat(a.port, "connect-offsets");
  ASSERT_FALSE(offsets.empty());
  EXPECT_STREQ(offsets.back()["key"].GetString(), R"(["test-connector",{"server":"test"}])");
  stop(a);
}

TEST_F(CdcTopics, ABadConnectorConfigStopsTheServerWithItsProperty) {
  std::string bad = dir + "/bad.json";
  std::ofstream(bad) << config_json(R"("decimal.handling.mode":"fancy")");
  Proc p = spawn_sluice({"run", "--data-dir", dir + "/data", "--kafka-listen", "127.0.0.1:0",
                         "--http-listen", "127.0.0.1:0", "--connector", bad});
  EXPECT_EQ(p.wait(30s), 2);
  EXPECT_NE(p.stderr_text().find("decimal.handling.mode"), std::string::npos) << p.stderr_text();
}

TEST_F(CdcTopics, HostAddsRemovesAndIsolatesAFailedConnector) {
  sql("CREATE TABLE e (id bigint PRIMARY KEY)");
  create_slot();
  log::TopicStoreOptions o;
  o.dir = dir + "/log";
  log::TopicStore topics(o);
  log::ProducerIds ids(dir + "/producer_ids");
  cdc::ConnectorHost host(&topics, &ids, "");
  std::string json = config_json(R"("value.converter.schemas.enable":"false")");
  EXPECT_EQ(host.add(json), "test-connector");
  EXPECT_THROW(host.add(json), std::invalid_argument) << "one connector per name";
  EXPECT_THROW(host.add(config_json(R"("decimal.handling.mode":"fancy")")), std::invalid_argument);
  EXPECT_THROW(host.add(dir + "/missing.json"), std::invalid_argument);

  // A second connector whose slot belongs to another plugin fails alone.
  sql(fmt::format("SELECT pg_create_logical_replication_slot('{}_td', 'test_decoding')",
                  slot_name()));
  std::string other =
      config_json(R"("value.converter.schemas.enable":"false")", slot_name() + "_td");
  other.replace(other.find("test-connector"), 14, "other");
  EXPECT_EQ(host.add(other), "other");

  auto count = [&] {
    auto t = topics.find("test.public.e");
    if (!t) return size_t(0);
    auto p = t->partition(0);
    size_t n = 0;
    for (int64_t off = 0; off < p->end_offset();) {
      std::string bytes = p->read(off, 1 << 20);
      std::string_view rest = bytes;
      while (rest.size() >= kafka::kBatchHeaderSize) {
        auto h = kafka::check_batch(rest.substr(0, kafka::kBatchHeaderSize)).header;
        n += size_t(h.record_count);
        off = h.base_offset + h.last_offset_delta + 1;
        rest.remove_prefix(h.total_size());
      }
    }
    return n;
  };
  auto wait_count = [&](size_t n) {
    for (int i = 0; i < 300 && count() < n; ++i) std::this_thread::sleep_for(100ms);
    return count();
  };
  sql("INSERT INTO e SELECT generate_series(1, 10)");
  EXPECT_EQ(wait_count(10), 10u);
  std::map<std::string, cdc::ConnectorStatus> st;
  for (int i = 0; i < 100; ++i) {
    for (auto& s : host.status()) st[s.name] = s;
    if (st["other"].state == cdc::ConnectorState::failed) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(st["other"].state, cdc::ConnectorState::failed);
  EXPECT_NE(st["other"].trace.find("test_decoding"), std::string::npos) << st["other"].trace;
  EXPECT_EQ(st["test-connector"].state, cdc::ConnectorState::running);
  EXPECT_EQ(st["test-connector"].records_written, 10u);
  EXPECT_STREQ(cdc::to_string(st["other"].state), "FAILED");

  // Removed and added again in the same process: a new epoch, sequences from 0.
  host.remove("test-connector");
  EXPECT_THROW(host.remove("test-connector"), std::out_of_range);
  sql("INSERT INTO e SELECT generate_series(11, 20)");
  std::string file = dir + "/c.json";
  std::ofstream(file) << json;
  EXPECT_EQ(host.add(file), "test-connector");
  EXPECT_EQ(wait_count(20), 20u);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(count(), 20u);
  host.stop_all();
  for (auto& s : host.status()) {
    if (s.name == "test-connector") {
      EXPECT_EQ(s.state, cdc::ConnectorState::stopped) << s.trace;
    }
  }
}

}  // namespace
}  // namespace sluice::test
