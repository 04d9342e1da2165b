// Kafka Connect's REST API on `sluice run`, spoken to with curl as users do: paths, status
// codes, bodies and errors; configs, target states and offsets surviving restarts (clean and
// kill -9); several connectors at once; a connector failing at run time while the server stays
// up. The events are read back with kcat.
#include <fmt/format.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "broker_harness.h"
#include "harness.h"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

struct HttpResult {
  int status = 0;
  std::string headers;
  std::string body;
  rapidjson::Document json() const {
    rapidjson::Document d;
    d.Parse(body.c_str(), body.size());
    return d;
  }
};

class ConnectApi : public CaptureTest {
 protected:
  void TearDown() override {
    server.reset();
    CaptureTest::TearDown();
  }

  void start() {
    server = std::make_unique<SluiceServer>(start_server(dir + "/data"));
    ASSERT_GT(server->http_port, 0);
  }
  void restart(bool kill9) {
    ::kill(server->proc.pid, kill9 ? SIGKILL : SIGTERM);
    server->proc.wait(30s);
    server.reset();
    start();
  }

  // curl METHOD path [body]; the body goes through a file, as `-d @file` sends it.
  HttpResult http(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    std::string body_file = dir + "/req.json", out = dir + "/resp.body",
                hdr = dir + "/resp.headers";
    std::string data;
    if (!body.empty()) {
      std::ofstream(body_file) << body;
      data = fmt::format("-H 'Content-Type: application/json' --data-binary @{}", body_file);
    }
    std::string code =
        shell(fmt::format("curl -s -X {} {} -o {} -D {} -w '%{{http_code}}' "
                          "'http://127.0.0.1:{}{}'",
                          method, data, out, hdr, server->http_port, path));
    HttpResult r;
    r.status = std::atoi(code.c_str());
    r.headers = read_text(hdr);
    r.body = read_text(out);
    return r;
  }

  std::string state(const std::string& name) {
    auto d = http("GET", "/connectors/" + name + "/status").json();
    if (!d.IsObject() || !d.HasMember("connector")) return "";
    return d["connector"]["state"].GetString();
  }
  // RUNNING comes as soon as the task starts; changes are captured once its slot exists, so a
  // test waits for the slot to be read before it changes rows.
  void wait_streaming(const std::string& slot) {
    wait_until(
        [&] {
          return conn->exec(fmt::format("SELECT 1 FROM pg_replication_slots WHERE slot_name = "
                                        "'{}' AND active",
                                        slot))
                     .rows() > 0;
        },
        30s);
  }
  std::string task_state(const std::string& name) {
    auto d = http("GET", "/connectors/" + name + "/status").json();
    if (!d.IsObject() || !d.HasMember("tasks") || d["tasks"].Empty()) return "";
    return d["tasks"][0]["state"].GetString();
  }

  // Records of a topic (kcat -J), waiting until there are at least n.
  size_t count_records(const std::string& topic, size_t n, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    size_t got = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string out = shell(fmt::format(
          "timeout 30 kcat -b 127.0.0.1:{} -C -t {} -e -o beginning -q -f '%o\\n' 2>/dev/null",
          server->port, topic));
      got = size_t(std::count(out.begin(), out.end(), '\n'));
      if (got >= n) return got;
      std::this_thread::sleep_for(200ms);
    }
    return got;
  }
  std::string topic_text(const std::string& topic) {
    return shell(fmt::format(
        "timeout 30 kcat -b 127.0.0.1:{} -C -t {} -e -o beginning -q -f '%s\\n' 2>/dev/null",
        server->port, topic));
  }

  std::string connector_body(const std::string& name, const std::string& prefix,
                             const std::string& slot, const std::string& extra = "") {
    return fmt::format(
        R"({{"name":"{}","config":{{"connector.class":"io.debezium.connector.postgresql.PostgresConnector",)"
        R"("database.hostname":"127.0.0.1","database.port":"{}","database.user":"postgres",)"
        R"("database.password":"postgres","database.dbname":"{}","topic.prefix":"{}",)"
        R"("slot.name":"{}","publication.name":"pub_{}"{}{}}}}})",
        name, cluster().port(), db, prefix, slot, slot, extra.empty() ? "" : ",", extra);
  }

  // The "config" object of a {"name":…,"config":{…}} body: PUT …/config's flat map.
  static std::string flat_config(const std::string& body) {
    std::string flat = body.substr(body.find("\"config\":") + 9);
    flat.pop_back();  // the outer object's closing brace
    return flat;
  }

  std::unique_ptr<SluiceServer> server;
};

TEST_F(ConnectApi, RootPluginsAndUnknownPaths) {
  start();
  auto root = http("GET", "/");
  EXPECT_EQ(root.status, 200);
  auto d = root.json();
  ASSERT_TRUE(d.IsObject()) << root.body;
  EXPECT_TRUE(d.HasMember("version") && d.HasMember("commit") && d.HasMember("kafka_cluster_id"));

  auto plugins = http("GET", "/connector-plugins");
  EXPECT_EQ(plugins.status, 200);
  auto p = plugins.json();
  ASSERT_TRUE(p.IsArray() && p.Size() == 1) << plugins.body;
  EXPECT_STREQ(p[0]["class"].GetString(), "io.debezium.connector.postgresql.PostgresConnector");
  EXPECT_STREQ(p[0]["type"].GetString(), "source");

  EXPECT_EQ(http("GET", "/connectors").body, "[]");
  auto missing = http("GET", "/connectors/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"error_code":404,"message":"Connector nope not found"})");
  for (const char* path : {"/connectors/nope/status", "/connectors/nope/config",
                           "/connectors/nope/tasks", "/connectors/nope/offsets"})
    EXPECT_EQ(http("GET", path).status, 404) << path;
  EXPECT_EQ(http("DELETE", "/connectors/nope").status, 404);
  EXPECT_EQ(http("PUT", "/connectors/nope/pause").status, 404);
  auto unknown = http("GET", "/no/such/path");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.json()["error_code"].GetInt(), 404);
  EXPECT_EQ(http("DELETE", "/connector-plugins").status, 405);
}

// Seed 001's command: curl -H 'Content-Type: application/json' localhost:8083/connectors
// --data '{…}', with the seed's config (its host and port pointed at this test's database).
TEST_F(ConnectApi, Seed001CurlCreatesTheConnectorAndEventsFlow) {
  seed001();
  start();
  std::string cmd = fmt::format(
      "curl -s -i -H 'Content-Type: application/json' localhost:{}/connectors --data '{{\n"
      "    \"name\": \"postgres-connector\",\n"
      "    \"config\": {{\n"
      "    \"connector.class\": \"io.debezium.connector.postgresql.PostgresConnector\",\n"
      "    \"topic.prefix\": \"cdc\",\n"
      "    \"database.user\": \"postgres\",\n"
      "    \"database.dbname\": \"{}\",\n"
      "    \"database.hostname\": \"127.0.0.1\",\n"
      "    \"database.port\": \"{}\",\n"
      "    \"database.password\": \"postgres\",\n"
      "    \"plugin.name\": \"pgoutput\",\n"
      "    \"decimal.handling.mode\": \"string\"\n"
      "    }}\n"
      "    }}'",
      server->http_port, db, cluster().port());
  std::string out = shell(cmd);
  EXPECT_NE(out.find("HTTP/1.1 201"), std::string::npos) << out;
  EXPECT_NE(out.find("Location: /connectors/postgres-connector"), std::string::npos) << out;
  auto body = out.substr(out.find("\r\n\r\n") + 4);
  rapidjson::Document info;
  info.Parse(body.c_str());
  ASSERT_TRUE(info.IsObject()) << body;
  EXPECT_STREQ(info["name"].GetString(), "postgres-connector");
  EXPECT_STREQ(info["type"].GetString(), "source");
  EXPECT_STREQ(info["config"]["decimal.handling.mode"].GetString(), "string");
  EXPECT_STREQ(info["config"]["name"].GetString(), "postgres-connector");
  EXPECT_STREQ(info["tasks"][0]["connector"].GetString(), "postgres-connector");
  EXPECT_EQ(info["tasks"][0]["task"].GetInt(), 0);

  wait_until([&] { return task_state("postgres-connector") == "RUNNING"; }, 20s);
  wait_streaming("debezium");
  EXPECT_EQ(http("GET", "/connectors").body, R"(["postgres-connector"])");
  sql("INSERT INTO transactions (transaction_id, amount) VALUES ('t-1', 10.50)");
  sql("UPDATE transactions SET amount = amount + 150 WHERE transaction_id = 't-1'");
  EXPECT_GE(count_records("cdc.public.transactions", 2, 30s), 2u);
  EXPECT_NE(topic_text("cdc.public.transactions").find(R"("amount":"160.50")"), std::string::npos);

  auto st = http("GET", "/connectors/postgres-connector/status").json();
  EXPECT_STREQ(st["connector"]["state"].GetString(), "RUNNING");
  EXPECT_STREQ(st["tasks"][0]["state"].GetString(), "RUNNING");
  EXPECT_FALSE(st["tasks"][0].HasMember("trace"));
  EXPECT_TRUE(st["connector"]["worker_id"].IsString());

  auto expanded = http("GET", "/connectors?expand=status&expand=info").json();
  ASSERT_TRUE(expanded.IsObject());
  EXPECT_STREQ(expanded["postgres-connector"]["status"]["connector"]["state"].GetString(),
               "RUNNING");
  EXPECT_STREQ(expanded["postgres-connector"]["info"]["config"]["topic.prefix"].GetString(), "cdc");
  auto only_status = http("GET", "/connectors?expand=status").json();
  EXPECT_FALSE(only_status["postgres-connector"].HasMember("info"));

  auto cfg = http("GET", "/connectors/postgres-connector/config").json();
  EXPECT_STREQ(cfg["database.dbname"].GetString(), db.c_str());
  auto tasks = http("GET", "/connectors/postgres-connector/tasks").json();
  ASSERT_TRUE(tasks.IsArray() && tasks.Size() == 1);
  EXPECT_STREQ(tasks[0]["id"]["connector"].GetString(), "postgres-connector");
  auto topics = http("GET", "/connectors/postgres-connector/topics").json();
  ASSERT_TRUE(topics["postgres-connector"]["topics"].IsArray());
  EXPECT_STREQ(topics["postgres-connector"]["topics"][0].GetString(), "cdc.public.transactions");
  auto offsets = http("GET", "/connectors/postgres-connector/offsets").json();
  ASSERT_EQ(offsets["offsets"].Size(), 1u);
  EXPECT_STREQ(offsets["offsets"][0]["partition"]["server"].GetString(), "cdc");
  EXPECT_GT(offsets["offsets"][0]["offset"]["lsn"].GetUint64(), 0u);
  EXPECT_FALSE(offsets["offsets"][0]["offset"].HasMember("sluice"));

  auto dup = http("POST", "/connectors", std::string(body));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(dup.body,
            R"({"error_code":409,"message":"Connector postgres-connector already exists"})");
}

// Seed 003: curl -i -X POST -H "Accept:application/json" -H "Content-Type:application/json"
// localhost:8083/connectors/ -d @register-postgres.json
TEST_F(ConnectApi, Seed003RegisterPostgresJsonPostedFromAFile) {
  sql("CREATE SCHEMA inventory; CREATE TABLE inventory.customers (id SERIAL PRIMARY KEY, "
      "first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL, email VARCHAR(255) "
      "NOT NULL UNIQUE); INSERT INTO inventory.customers VALUES (1001,'Sally','Thomas',"
      "'sally.thomas@acme.com')");
  start();
  std::string file = dir + "/register-postgres.json";
  std::ofstream(file) << fmt::format(
      R"({{
    "name": "inventory-connector",
    "config": {{
        "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
        "tasks.max": "1",
        "database.hostname": "127.0.0.1",
        "database.port": "{}",
        "database.user": "postgres",
        "database.password": "postgres",
        "database.dbname" : "{}",
        "topic.prefix": "dbserver1",
        "schema.include.list": "inventory"
    }}
}})",
      cluster().port(), db);
  std::string out = shell(fmt::format(
      "curl -s -i -X POST -H \"Accept:application/json\" -H \"Content-Type:application/json\" "
      "localhost:{}/connectors/ -d @{}",
      server->http_port, file));
  EXPECT_NE(out.find("HTTP/1.1 201"), std::string::npos) << out;
  // The default snapshot.mode (initial) sends the existing row first.
  EXPECT_GE(count_records("dbserver1.inventory.customers", 1, 30s), 1u);
  EXPECT_NE(topic_text("dbserver1.inventory.customers").find("sally.thomas@acme.com"),
            std::string::npos);
}

TEST_F(ConnectApi, InvalidConfigsAreRejectedBeforeAnythingIsCreated) {
  start();
  struct Case {
    std::string body;
    std::string must_name;
  };
  std::vector<Case> cases = {
      {R"({"name":"a","config":{"connector.class":"com.example.NoSuchConnector"}})",
       "com.example.NoSuchConnector"},
      {R"({"name":"a","config":{"topic.prefix":"x"}})", "contains no connector type"},
      {R"({"name":"a","config":{"connector.class":"PostgresConnector","topic.prefix":"x",)"
       R"("database.user":"postgres","database.dbname":"x"}})",
       "database.hostname"},
      {connector_body("a", "x", "slot_a", R"("decimal.handling.mode":"fancy")"),
       "decimal.handling.mode"},
      {connector_body("a", "x", "slot_a", R"("snapshot.mode":"sometimes")"), "snapshot.mode"},
      {connector_body("a", "x", "slot_a", R"("database.port":"notaport")"), "database.port"},
  };
  for (const auto& c : cases) {
    auto r = http("POST", "/connectors", c.body);
    EXPECT_EQ(r.status, 400) << c.body << " → " << r.body;
    auto d = r.json();
    ASSERT_TRUE(d.IsObject()) << r.body;
    EXPECT_EQ(d["error_code"].GetInt(), 400);
    EXPECT_NE(std::string(d["message"].GetString()).find(c.must_name), std::string::npos) << r.body;
  }
  // A database that does not answer.
  std::string unreachable = fmt::format(
      R"({{"name":"a","config":{{"connector.class":"io.debezium.connector.postgresql.PostgresConnector",)"
      R"("database.hostname":"127.0.0.1","database.port":"1","database.user":"postgres",)"
      R"("database.dbname":"x","topic.prefix":"x"}}}})");
  auto r = http("POST", "/connectors", unreachable);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("database.hostname"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Unable to connect"), std::string::npos) << r.body;
  // Not JSON, no config object.
  EXPECT_EQ(http("POST", "/connectors", "{not json").status, 400);
  EXPECT_EQ(http("POST", "/connectors", R"({"name":"a"})").status, 400);

  // Nothing was created: no connector, no slot, no topic.
  EXPECT_EQ(http("GET", "/connectors").body, "[]");
  EXPECT_EQ(conn->exec("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'slot_a'").rows(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir + "/data/topics/x.public.t"));

  // The validate endpoint lists the errors per property.
  auto v = http("PUT", "/connector-plugins/PostgresConnector/config/validate",
                R"({"connector.class":"io.debezium.connector.postgresql.PostgresConnector",)"
                R"("topic.prefix":"x","database.user":"postgres","database.dbname":"x"})");
  EXPECT_EQ(v.status, 200);
  auto vd = v.json();
  ASSERT_TRUE(vd.IsObject()) << v.body;
  EXPECT_EQ(vd["error_count"].GetInt(), 1);
  bool found = false;
  for (const auto& c : vd["configs"].GetArray())
    if (std::string(c["value"]["name"].GetString()) == "database.hostname")
      found = c["value"]["errors"].Size() == 1;
  EXPECT_TRUE(found) << v.body;
  auto good = http("PUT", "/connector-plugins/PostgresConnector/config/validate",
                   flat_config(connector_body("a", "x", "slot_a")));
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(good.json()["error_count"].GetInt(), 0) << good.body;
  EXPECT_EQ(http("PUT", "/connector-plugins/com.example.Nope/config/validate", "{}").status, 404);
}

TEST_F(ConnectApi, PutAndPatchConfig) {
  sql("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
  start();
  std::string flat = flat_config(connector_body("c1", "p1", slot_name()));
  auto created = http("PUT", "/connectors/c1/config", flat);
  EXPECT_EQ(created.status, 201) << created.body;
  auto same = http("PUT", "/connectors/c1/config", flat);
  EXPECT_EQ(same.status, 200) << same.body;
  std::string mismatch = flat;
  mismatch.insert(1, R"("name":"other",)");
  auto bad = http("PUT", "/connectors/c1/config", mismatch);
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("doesn't match"), std::string::npos) << bad.body;

  auto patched = http("PATCH", "/connectors/c1/config",
                      R"({"tombstones.on.delete":"false","publication.name":null})");
  EXPECT_EQ(patched.status, 200) << patched.body;
  auto cfg = http("GET", "/connectors/c1/config").json();
  EXPECT_STREQ(cfg["tombstones.on.delete"].GetString(), "false");
  EXPECT_FALSE(cfg.HasMember("publication.name"));
  wait_until([&] { return task_state("c1") == "RUNNING"; }, 20s);
  wait_streaming(slot_name());
  sql("INSERT INTO t VALUES (1, 'a'); DELETE FROM t WHERE id = 1");
  // A create and a delete, and no tombstone after the patch.
  EXPECT_GE(count_records("p1.public.t", 2, 30s), 2u);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(count_records("p1.public.t", 3, 1s), 2u);
}

TEST_F(ConnectApi, PauseResumeStopRestartOffsetsAndDelete) {
  sql("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
  start();
  ASSERT_EQ(http("POST", "/connectors", connector_body("c1", "p1", slot_name())).status, 201);
  wait_until([&] { return task_state("c1") == "RUNNING"; }, 20s);
  wait_streaming(slot_name());
  sql("INSERT INTO t VALUES (1, 'a')");
  EXPECT_EQ(count_records("p1.public.t", 1, 30s), 1u);

  auto pause = http("PUT", "/connectors/c1/pause");
  EXPECT_EQ(pause.status, 202);
  EXPECT_EQ(pause.body, "");
  EXPECT_EQ(state("c1"), "PAUSED");
  EXPECT_EQ(task_state("c1"), "PAUSED");
  sql("INSERT INTO t VALUES (2, 'b')");
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(count_records("p1.public.t", 2, 1s), 1u) << "a paused connector wrote";
  EXPECT_EQ(http("PUT", "/connectors/c1/resume").status, 202);
  EXPECT_EQ(count_records("p1.public.t", 2, 30s), 2u);
  EXPECT_EQ(state("c1"), "RUNNING");

  EXPECT_EQ(http("POST", "/connectors/c1/restart").status, 204);
  auto r = http("POST", "/connectors/c1/restart?includeTasks=true&onlyFailed=true");
  EXPECT_EQ(r.status, 202);
  EXPECT_STREQ(r.json()["connector"]["state"].GetString(), "RUNNING");
  wait_until([&] { return task_state("c1") == "RUNNING"; }, 20s);
  sql("INSERT INTO t VALUES (3, 'c')");
  EXPECT_EQ(count_records("p1.public.t", 3, 30s), 3u) << "restart lost or repeated a change";

  // Offsets: only a stopped connector's can change.
  auto before = http("GET", "/connectors/c1/offsets").json();
  ASSERT_EQ(before["offsets"].Size(), 1u);
  uint64_t lsn = before["offsets"][0]["offset"]["lsn"].GetUint64();
  auto refused = http("DELETE", "/connectors/c1/offsets");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("STOPPED"), std::string::npos);
  EXPECT_EQ(http("PUT", "/connectors/c1/stop").status, 204);
  EXPECT_EQ(state("c1"), "STOPPED");
  auto st = http("GET", "/connectors/c1/status").json();
  EXPECT_EQ(st["tasks"].Size(), 0u);
  EXPECT_EQ(http("GET", "/connectors/c1/tasks").body, "[]");
  auto patch = http("PATCH", "/connectors/c1/offsets",
                    fmt::format(R"({{"offsets":[{{"partition":{{"server":"p1"}},)"
                                R"("offset":{{"lsn":{},"lsn_commit":{}}}}}]}})",
                                lsn, lsn));
  EXPECT_EQ(patch.status, 200) << patch.body;
  EXPECT_NE(patch.body.find("altered successfully"), std::string::npos);
  auto bad_patch = http("PATCH", "/connectors/c1/offsets",
                        R"({"offsets":[{"partition":{"server":"wrong"},"offset":{"lsn":1}}]})");
  EXPECT_EQ(bad_patch.status, 400);
  auto reset = http("DELETE", "/connectors/c1/offsets");
  EXPECT_EQ(reset.status, 200);
  EXPECT_NE(reset.body.find("reset successfully"), std::string::npos);
  EXPECT_EQ(http("GET", "/connectors/c1/offsets").body, R"({"offsets":[]})");

  EXPECT_EQ(http("DELETE", "/connectors/c1").status, 204);
  EXPECT_EQ(http("GET", "/connectors/c1").status, 404);
  EXPECT_EQ(http("GET", "/connectors").body, "[]");
}

// Two connectors, one paused; the server stopped cleanly, then killed: configs, target states
// and offsets come back, and each change is in its topic exactly once.
TEST_F(ConnectApi, ConfigsStatesAndOffsetsSurviveRestartsAndKillNine) {
  sql("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
  start();
  ASSERT_EQ(http("POST", "/connectors", connector_body("c1", "p1", slot_name() + "_1")).status,
            201);
  ASSERT_EQ(http("POST", "/connectors", connector_body("c2", "p2", slot_name() + "_2")).status,
            201);
  wait_until([&] { return task_state("c1") == "RUNNING" && task_state("c2") == "RUNNING"; }, 20s);
  wait_streaming(slot_name() + "_1");
  wait_streaming(slot_name() + "_2");
  sql("INSERT INTO t VALUES (1, 'a')");
  EXPECT_EQ(count_records("p1.public.t", 1, 30s), 1u);
  EXPECT_EQ(count_records("p2.public.t", 1, 30s), 1u);
  EXPECT_EQ(http("PUT", "/connectors/c2/pause").status, 202);
  auto offsets_before = http("GET", "/connectors/c1/offsets").body;

  restart(false);
  EXPECT_EQ(http("GET", "/connectors").body, R"(["c1","c2"])");
  EXPECT_EQ(state("c2"), "PAUSED");
  wait_until([&] { return task_state("c1") == "RUNNING"; }, 20s);
  EXPECT_EQ(http("GET", "/connectors/c1/offsets").body, offsets_before);
  sql("INSERT INTO t VALUES (2, 'b')");
  EXPECT_EQ(count_records("p1.public.t", 2, 30s), 2u);

  restart(true);
  EXPECT_EQ(state("c2"), "PAUSED");
  wait_until([&] { return task_state("c1") == "RUNNING"; }, 20s);
  EXPECT_EQ(http("PUT", "/connectors/c2/resume").status, 202);
  sql("INSERT INTO t VALUES (3, 'c')");
  EXPECT_EQ(count_records("p1.public.t", 3, 30s), 3u);
  EXPECT_EQ(count_records("p2.public.t", 3, 30s), 3u);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count_records("p1.public.t", 4, 1s), 3u) << "a change was written twice";
  EXPECT_EQ(count_records("p2.public.t", 4, 1s), 3u) << "a change was written twice";
  // The statuses are in connect-status, keyed as Kafka Connect keys them.
  std::string status_topic = shell(fmt::format(
      "timeout 30 kcat -b 127.0.0.1:{} -C -t connect-status -e -o beginning -q -f '%k %s\\n'",
      server->port));
  EXPECT_NE(status_topic.find("status-connector-c2 {\"state\":\"PAUSED\""), std::string::npos)
      << status_topic;
  std::string configs_topic = shell(fmt::format(
      "timeout 30 kcat -b 127.0.0.1:{} -C -t connect-configs -e -o beginning -q -f '%k\\n'",
      server->port));
  EXPECT_NE(configs_topic.find("connector-c1"), std::string::npos) << configs_topic;
  EXPECT_NE(configs_topic.find("target-state-c2"), std::string::npos) << configs_topic;
}

// A connector that fails at run time (its publication does not exist and may not be created)
// is FAILED with a trace; the server and the other connector carry on; a restart of only the
// failed ones brings it back once the cause is fixed.
TEST_F(ConnectApi, ARunTimeFailureShowsFailedWithATraceAndTheServerStaysUp) {
  sql("CREATE TABLE t (id INT PRIMARY KEY, v TEXT)");
  start();
  ASSERT_EQ(http("POST", "/connectors", connector_body("ok", "p1", slot_name() + "_1")).status,
            201);
  auto r = http("POST", "/connectors",
                connector_body("broken", "p2", slot_name() + "_2",
                               R"("publication.autocreate.mode":"disabled")"));
  ASSERT_EQ(r.status, 201) << r.body;
  wait_until([&] { return task_state("broken") == "FAILED"; }, 30s);
  auto st = http("GET", "/connectors/broken/status").json();
  ASSERT_EQ(st["tasks"].Size(), 1u);
  EXPECT_STREQ(st["tasks"][0]["state"].GetString(), "FAILED");
  ASSERT_TRUE(st["tasks"][0].HasMember("trace"));
  EXPECT_NE(std::string(st["tasks"][0]["trace"].GetString()).find("publication"), std::string::npos)
      << st["tasks"][0]["trace"].GetString();
  EXPECT_EQ(task_state("ok"), "RUNNING");
  wait_streaming(slot_name() + "_1");
  sql("INSERT INTO t VALUES (1, 'a')");
  EXPECT_EQ(count_records("p1.public.t", 1, 30s), 1u);

  sql(fmt::format("CREATE PUBLICATION pub_{}_2 FOR ALL TABLES", slot_name()));
  auto restarted = http("POST", "/connectors/broken/restart?includeTasks=true&onlyFailed=true");
  EXPECT_EQ(restarted.status, 202);
  wait_until([&] { return task_state("broken") == "RUNNING"; }, 30s);
  EXPECT_EQ(task_state("broken"), "RUNNING");
}

TEST_F(ConnectApi, MalformedHttpClosesOnlyThatConnection) {
  start();
  // Raw bytes over bash's /dev/tcp: a request line that is not HTTP, then a body too large.
  auto raw = [&](const std::string& bytes) {
    std::ofstream(dir + "/raw.txt") << bytes;
    return shell(
        fmt::format("bash -c 'exec 3<>/dev/tcp/127.0.0.1/{}; cat {}/raw.txt >&3; "
                    "timeout 5 cat <&3'",
                    server->http_port, dir));
  };
  std::string out = raw("GARBAGE\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 400"), std::string::npos) << out;
  out = raw("POST /connectors HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n");
  EXPECT_NE(out.find("HTTP/1.1 413"), std::string::npos) << out;
  EXPECT_EQ(http("GET", "/connectors").status, 200);
}

}  // namespace
}  // namespace sluice::test
