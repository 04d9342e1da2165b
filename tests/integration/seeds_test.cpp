// The seeds' own configs and statements: seed 003's inventory.customers events compared field by
// field with the JSON in the seed, and seed 001's connector config giving `amount` as a string.
#include <fmt/format.h>

#include <fstream>

#include "harness.h"

namespace sluice::test {
namespace {

// The update event printed in seed 003 (Debezium 2.1.4 with JsonConverter, schemas enabled).
const char* kSeed003Update =
    R"({"schema":{"type":"struct","fields":[{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"},{"type":"string","optional":false,"field":"first_name"},{"type":"string","optional":false,"field":"last_name"},{"type":"string","optional":false,"field":"email"}],"optional":true,"name":"dbserver1.inventory.customers.Value","field":"before"},{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"},{"type":"string","optional":false,"field":"first_name"},{"type":"string","optional":false,"field":"last_name"},{"type":"string","optional":false,"field":"email"}],"optional":true,"name":"dbserver1.inventory.customers.Value","field":"after"},{"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,last,false,incremental"},"default":"false","field":"snapshot"},{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},{"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},{"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":true,"field":"xmin"}],"optional":false,"name":"io.debezium.connector.postgresql.Source","field":"source"},{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},{"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,"name":"event.block","version":1,"field":"transaction"}],"optional":false,"name":"dbserver1.inventory.customers.Envelope","version":1},"payload":{"before":{"id":1005,"first_name":"Hassen","last_name":"Taidirt","email":"hi@hassen.io"},"after":{"id":1005,"first_name":"Hassen","last_name":"Taidirt","email":"htaidirt@gmail.com"},"source":{"version":"2.1.4.Final","connector":"postgresql","name":"dbserver1","ts_ms":1705611235819,"snapshot":"false","db":"postgres","sequence":"[\"34488384\",\"34488440\"]","schema":"inventory","table":"customers","txId":768,"lsn":34488440,"xmin":null},"op":"u","ts_ms":1705611236197,"transaction":null}})";
const char* kSeed003InsertPayload =
    R"({"before":null,"after":{"id":1005,"first_name":"Hassen","last_name":"Taidirt","email":"hi@hassen.io"},"source":{"version":"2.1.4.Final","connector":"postgresql","name":"dbserver1","ts_ms":1705611172576,"snapshot":"false","db":"postgres","sequence":"[null,\"34487408\"]","schema":"inventory","table":"customers","txId":767,"lsn":34487408,"xmin":null},"op":"c","ts_ms":1705611172913,"transaction":null})";

const rapidjson::Value* field(const rapidjson::Value& fields, const std::string& name) {
  for (const auto& f : fields.GetArray())
    if (name == f["field"].GetString()) return &f;
  return nullptr;
}

// Every field of the seed's schema is in ours with the same type, optionality, name and default;
// struct versions and the snapshot enum's list moved on in later Debezium releases.
void expect_schema_covers(const rapidjson::Value& seed, const rapidjson::Value& ours,
                          const std::string& path) {
  ASSERT_STREQ(seed["type"].GetString(), ours["type"].GetString()) << path;
  for (const char* k : {"optional", "name", "default"}) {
    if (!seed.HasMember(k)) {
      EXPECT_FALSE(ours.HasMember(k)) << path << " has an extra " << k;
      continue;
    }
    ASSERT_TRUE(ours.HasMember(k)) << path << " lacks " << k;
    EXPECT_EQ(to_json(seed[k]), to_json(ours[k])) << path << "." << k;
  }
  if (!seed.HasMember("fields")) return;
  for (const auto& f : seed["fields"].GetArray()) {
    std::string name = f["field"].GetString();
    const rapidjson::Value* o = field(ours["fields"], name);
    ASSERT_NE(o, nullptr) << path << "." << name << " missing";
    expect_schema_covers(f, *o, path + "." + name);
  }
}

void expect_payload_matches(const rapidjson::Value& seed, const rapidjson::Value& ours,
                            const std::string& dbname) {
  for (const char* k : {"before", "after", "op", "transaction"})
    EXPECT_EQ(to_json(seed[k]), to_json(ours[k])) << k;
  for (auto it = seed["source"].MemberBegin(); it != seed["source"].MemberEnd(); ++it) {
    std::string k = it->name.GetString();
    ASSERT_TRUE(ours["source"].HasMember(k.c_str())) << "source." << k;
    if (k == "version" || k == "ts_ms" || k == "lsn" || k == "txId" || k == "sequence") {
      EXPECT_EQ(ours["source"][k.c_str()].GetType(), it->value.GetType()) << "source." << k;
      continue;
    }
    if (k == "db") {
      EXPECT_EQ(ours["source"]["db"].GetString(), dbname);
      continue;
    }
    EXPECT_EQ(to_json(it->value), to_json(ours["source"][k.c_str()])) << "source." << k;
  }
  EXPECT_TRUE(ours["ts_ms"].IsInt64());
}

class Seeds : public CaptureTest {};

TEST_F(Seeds, Seed003CustomersInsertAndUpdateMatchTheSeedJson) {
  // Debezium's example inventory.customers, as in its inventory.sql.
  sql("CREATE SCHEMA inventory;"
      "CREATE TABLE inventory.customers (id SERIAL NOT NULL PRIMARY KEY, first_name VARCHAR(255) "
      "NOT NULL, last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE);"
      "ALTER SEQUENCE inventory.customers_id_seq RESTART WITH 1001;"
      "ALTER TABLE inventory.customers REPLICA IDENTITY FULL;"
      "INSERT INTO inventory.customers VALUES (default,'Sally','Thomas','sally.thomas@acme.com')");
  // register-postgres.json from the seed, pointed at this test's database.
  std::string cfg = dir + "/register-postgres.json";
  std::ofstream(cfg) << fmt::format(
      R"({{"name":"inventory-connector","config":{{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","tasks.max":"1","database.hostname":"127.0.0.1","database.port":"{}","database.user":"postgres","database.password":"postgres","database.dbname":"{}","topic.prefix":"dbserver1","schema.include.list":"inventory","slot.name":"{}","snapshot.mode":"no_data"}}}})",
      cluster().port(), db, slot_name());
  create_slot();
  // The seed's statements, with search_path as its `make pg` sets it.
  sql("SET search_path = inventory;"
      "INSERT INTO customers(id,first_name,last_name,email) VALUES (1005, 'Hassen', 'Taidirt', "
      "'hi@hassen.io')");
  sql("SET search_path = inventory; UPDATE customers SET email='htaidirt@gmail.com' WHERE id=1005");
  auto recs = capture(cfg, 2);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_STREQ(recs[0]["topic"].GetString(), "dbserver1.inventory.customers");

  rapidjson::Document seed_update;
  seed_update.Parse(kSeed003Update);
  ASSERT_FALSE(seed_update.HasParseError());
  rapidjson::Document seed_insert;
  seed_insert.Parse(kSeed003InsertPayload);
  ASSERT_FALSE(seed_insert.HasParseError());

  expect_schema_covers(seed_update["schema"], recs[1]["value"]["schema"], "value");
  expect_schema_covers(seed_update["schema"], recs[0]["value"]["schema"], "value");
  expect_payload_matches(seed_insert, recs[0]["value"]["payload"], db);
  expect_payload_matches(seed_update["payload"], recs[1]["value"]["payload"], db);
  // The key is the primary key struct, with the serial column's default as Debezium gives it.
  EXPECT_EQ(
      to_json(recs[1]["key"]),
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"}],"optional":false,"name":"dbserver1.inventory.customers.Key"},"payload":{"id":1005}})");
  // source.sequence is [previous commit LSN, this change's LSN] as strings.
  std::string seq = recs[1]["value"]["payload"]["source"]["sequence"].GetString();
  EXPECT_NE(
      seq.find(fmt::format("\"{}\"]", recs[1]["value"]["payload"]["source"]["lsn"].GetInt64())),
      std::string::npos)
      << seq;
}

TEST_F(Seeds, Seed001ConfigVerbatimGivesAmountAsString) {
  std::string cfg = seed001();
  // The seed sets no snapshot.mode: Debezium's default, initial. The row inserted before the
  // first start comes from the snapshot; the update after it from the stream.
  sql("INSERT INTO transactions VALUES ('6c1f0c1e-1d1b-4c37-9b53-0a6f3f1c7a11', 'jdoe', "
      "'2024-02-27 10:00:00', 512.34, 'USD', 'Lagos', 'Nigeria', 'Acme', 'credit_card', "
      "'10.0.0.1', '', '0b8e')");
  sql("ALTER TABLE transactions REPLICA IDENTITY FULL");
  std::string out = dir + "/out.jsonl";
  auto snap = capture(cfg, 1, out);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_STREQ(snap[0]["value"]["payload"]["op"].GetString(), "r");
  EXPECT_STREQ(snap[0]["value"]["payload"]["after"]["amount"].GetString(), "512.34");
  sql("UPDATE transactions SET amount = amount + 150 where transaction_id = "
      "'6c1f0c1e-1d1b-4c37-9b53-0a6f3f1c7a11'");
  auto recs = capture(cfg, 1, out);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_STREQ(recs[0]["topic"].GetString(), "cdc.public.transactions");
  const auto& p = recs[1]["value"]["payload"];
  EXPECT_STREQ(p["op"].GetString(), "u");
  EXPECT_STREQ(p["before"]["amount"].GetString(), "512.34");
  EXPECT_STREQ(p["after"]["amount"].GetString(), "662.34");
  EXPECT_EQ(p["after"]["timestamp"].GetInt64(), 1709028000000000LL);  // MicroTimestamp
  std::string schema = to_json(recs[1]["value"]["schema"]);
  EXPECT_NE(schema.find(R"({"type":"string","optional":true,"field":"amount"})"), std::string::npos)
      << schema;
}

}  // namespace
}  // namespace sluice::test
