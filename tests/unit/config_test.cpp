#include <gtest/gtest.h>

#include "cdc/connector_config.h"

namespace sluice::cdc {
namespace {

TEST(ConnectorConfig, KafkaConnectJsonWithDebeziumDefaults) {
  auto c = ConnectorConfig::from_json(R"({"name":"postgres-connector","config":{
    "connector.class":"io.debezium.connector.postgresql.PostgresConnector","topic.prefix":"cdc",
    "database.user":"postgres","database.dbname":"financial_db","database.hostname":"postgres",
    "database.password":"postgres","plugin.name":"pgoutput","decimal.handling.mode":"string",
    "some.unknown.property":"ignored"}})");
  EXPECT_EQ(c.name, "postgres-connector");
  EXPECT_EQ(c.port, 5432);
  EXPECT_EQ(c.slot_name, "debezium");
  EXPECT_EQ(c.publication_name, "dbz_publication");
  EXPECT_EQ(c.convert.decimal, DecimalMode::string);
  EXPECT_EQ(c.convert.time, TimePrecisionMode::adaptive);
  EXPECT_TRUE(c.tombstones_on_delete);
  EXPECT_EQ(c.skipped_operations, std::set<char>{'t'});
  EXPECT_TRUE(c.key_schemas_enable);
  EXPECT_EQ(c.snapshot_mode, SnapshotMode::initial);
  EXPECT_FALSE(c.snapshot_mode_explicit);
}

TEST(ConnectorConfig, FlatConfigAndTypedValues) {
  auto c = ConnectorConfig::from_json(R"({"database.hostname":"h","database.port":6543,
    "database.user":"u","database.dbname":"d","topic.prefix":"p","tombstones.on.delete":false,
    "skipped.operations":"none","snapshot.mode":"never","table.include.list":"public\\.a.*"})");
  EXPECT_EQ(c.port, 6543);
  EXPECT_FALSE(c.tombstones_on_delete);
  EXPECT_TRUE(c.skipped_operations.empty());
  EXPECT_EQ(c.snapshot_mode, SnapshotMode::no_data);
  EXPECT_TRUE(c.table_included("public", "abc"));
  EXPECT_FALSE(c.table_included("public", "xabc")) << "include lists are anchored";
  EXPECT_FALSE(c.table_included("other", "abc"));
}

std::string property_of(const std::string& json) {
  try {
    ConnectorConfig::from_json(json);
  } catch (const ConfigError& e) {
    return e.property();
  }
  return "<accepted>";
}

TEST(ConnectorConfig, BadValuesNameTheProperty) {
  const std::string base =
      R"("database.hostname":"h","database.user":"u","database.dbname":"d","topic.prefix":"p")";
  EXPECT_EQ(property_of("{" + base + R"(,"plugin.name":"wal2json"})"), "plugin.name");
  EXPECT_EQ(property_of("{" + base + R"(,"decimal.handling.mode":"exact"})"),
            "decimal.handling.mode");
  EXPECT_EQ(property_of("{" + base + R"(,"database.port":"port"})"), "database.port");
  EXPECT_EQ(property_of("{" + base + R"(,"heartbeat.interval.ms":"-5"})"), "heartbeat.interval.ms");
  EXPECT_EQ(property_of("{" + base + R"(,"tombstones.on.delete":"maybe"})"),
            "tombstones.on.delete");
  EXPECT_EQ(property_of("{" + base + R"(,"skipped.operations":"x"})"), "skipped.operations");
  EXPECT_EQ(property_of("{" + base + R"(,"table.include.list":"(unclosed"})"),
            "table.include.list");
  EXPECT_EQ(property_of("{" + base + R"(,"snapshot.mode":"sometimes"})"), "snapshot.mode");
  EXPECT_EQ(property_of("{" + base + R"(,"connector.class":"com.example.Other"})"),
            "connector.class");
  EXPECT_EQ(property_of(R"({"database.hostname":"h","database.user":"u","topic.prefix":"p"})"),
            "database.dbname");
  EXPECT_EQ(property_of("{" + base + R"(,"slot.name":"Bad-Name"})"), "slot.name");
  EXPECT_THROW(ConnectorConfig::from_json("{not json"), ConfigError);
}

}  // namespace
}  // namespace sluice::cdc
