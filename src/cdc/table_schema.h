// Everything needed to turn one relation's rows into Debezium records, computed once per
// pgoutput Relation message: column converters, the Connect key and envelope schemas (rendered
// to JSON once, since they are the bulk of every record when schemas are enabled), the topic.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cdc/connector_config.h"
#include "cdc/value_converter.h"
#include "pg/catalog.h"
#include "pg/pgoutput.h"

namespace sluice::cdc {

struct ColumnPlan {
  std::string name;
  std::string name_json;  // "\"name\":" ready to append
  int tuple_index = 0;    // position in pgoutput's tuple
  bool optional = true;
  std::string default_json;  // the schema's "default" as JSON, empty when there is none
  std::shared_ptr<const ValueConverter> converter;
};

struct TableSchema {
  uint32_t oid = 0;
  std::string schema;
  std::string table;
  char replica_identity = 'd';
  bool included = true;
  std::string topic;
  std::string topic_json;       // "{\"topic\":\"…\",\"partition\":0,"
  std::string data_collection;  // schema.table
  std::vector<ColumnPlan> value_columns;
  std::vector<ColumnPlan> key_columns;  // empty: the table has no key, records get a null key
  std::string key_schema_json;          // {"type":"struct",…,"name":"….Key"}
  std::string envelope_schema_json;     // {"type":"struct",…,"name":"….Envelope"}
  std::string source_table_json;        // "\"schema\":\"…\",\"table\":\"…\","
  size_t tuple_width = 0;               // columns in pgoutput tuples
};

// Makes a Debezium/Avro-safe name: letters, digits and '_' kept, everything else '_'.
std::string adjust_schema_name(const std::string& name);
// Kafka topic names allow letters, digits, '.', '_' and '-'.
std::string adjust_topic_name(const std::string& name);

std::shared_ptr<TableSchema> build_table_schema(const pg::RelationMessage& rel,
                                                const pg::CatalogTable& cat, pg::Catalog& catalog,
                                                const ConnectorConfig& config);

// The io.debezium.connector.postgresql.Source struct schema as a field named "source".
const std::string& source_schema_field_json();
// sluice's version, reported where Debezium reports its own.
const char* connector_version();

}  // namespace sluice::cdc
