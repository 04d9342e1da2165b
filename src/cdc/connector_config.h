// A Debezium PostgreSQL connector configuration, read from Kafka Connect JSON
// ({"name":…,"config":{…}}) or a flat property map, with Debezium's names and defaults.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include "cdc/convert_options.h"
#include "core/regex_list.h"

namespace sluice::cdc {

// A bad configuration value; property() names the offending property.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string property, const std::string& message)
      : std::runtime_error(message), property_(std::move(property)) {}
  const std::string& property() const { return property_; }

 private:
  std::string property_;
};

enum class PublicationAutocreate { all_tables, disabled, filtered, no_tables };
enum class SnapshotMode { initial, initial_only, no_data, when_needed, always };

struct ConnectorConfig {
  std::string name;
  std::map<std::string, std::string> properties;  // everything given, as strings

  std::string hostname;
  int port = 5432;
  std::string user;
  std::string password;
  std::string dbname;
  std::string sslmode;
  std::string topic_prefix;
  std::string slot_name = "debezium";
  std::string publication_name = "dbz_publication";
  PublicationAutocreate publication_autocreate = PublicationAutocreate::all_tables;
  bool slot_drop_on_stop = false;
  SnapshotMode snapshot_mode = SnapshotMode::initial;
  bool snapshot_mode_explicit = false;
  int snapshot_max_threads = 4;           // snapshot.max.threads (Debezium's default is 1)
  int64_t incremental_chunk_size = 1024;  // incremental.snapshot.chunk.size
  std::string signal_data_collection;     // signal.data.collection: "schema.table"

  RegexList schema_include, schema_exclude, table_include, table_exclude;
  RegexList column_include, column_exclude;
  RegexList message_prefix_include, message_prefix_exclude;

  ConvertOptions convert;
  bool tombstones_on_delete = true;
  std::set<char> skipped_operations{'t'};
  int64_t heartbeat_interval_ms = 0;
  std::string heartbeat_topic_prefix = "__debezium-heartbeat";
  bool provide_transaction_metadata = false;
  std::string transaction_topic = "transaction";
  std::string unavailable_value_placeholder = "__debezium_unavailable_value";
  int64_t status_update_interval_ms = 10000;

  bool key_schemas_enable = true;
  bool value_schemas_enable = true;
  bool replace_null_with_default = true;  // JsonConverter's replace.null.with.default

  // Throws ConfigError naming the property.
  static ConnectorConfig from_json(const std::string& json_text);
  static ConnectorConfig from_properties(std::string name,
                                         std::map<std::string, std::string> props);

  // libpq connection string for the source database.
  std::string conninfo() const;
  bool table_included(const std::string& schema, const std::string& table) const;
  bool column_included(const std::string& schema, const std::string& table,
                       const std::string& column) const;
  bool message_prefix_included(const std::string& prefix) const;
  std::string heartbeat_topic() const { return heartbeat_topic_prefix + "." + topic_prefix; }
};

}  // namespace sluice::cdc
