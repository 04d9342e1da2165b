#include "cdc/table_schema.h"

#include <fmt/format.h>

#include <unordered_map>

#include "core/json_writer.h"

namespace sluice::cdc {

namespace {

std::string quoted(const std::string& s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

// Builds {"type":"struct","fields":[…],"optional":…,"name":…[,"version":…][,"field":…]}.
std::string struct_schema(const std::vector<ColumnPlan>& cols,
                          const std::unordered_map<std::string, std::string>& defaults,
                          bool optional, const std::string& name, const char* field) {
  std::string s = "{\"type\":\"struct\",\"fields\":[";
  bool first = true;
  for (const auto& c : cols) {
    if (!first) s += ',';
    first = false;
    auto d = defaults.find(c.name);
    c.converter->append_field_schema(s, c.name, c.optional,
                                     d == defaults.end() ? nullptr : &d->second);
  }
  s += "],\"optional\":";
  s += optional ? "true" : "false";
  s += ",\"name\":" + quoted(name);
  if (field) s += std::string(",\"field\":") + quoted(field);
  s += '}';
  return s;
}

}  // namespace

const char* connector_version() { return "3.1.0.sluice-0.1.0"; }

const std::string& source_schema_field_json() {
  static const std::string s =
      "{\"type\":\"struct\",\"fields\":["
      "{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"
      "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"
      "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
      "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"
      "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
      "\"parameters\":{\"allowed\":\"true,first,first_in_data_collection,last_in_data_collection,"
      "last,false,incremental\"},\"default\":\"false\",\"field\":\"snapshot\"},"
      "{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
      "{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"},"
      "{\"type\":\"string\",\"optional\":false,\"field\":\"schema\"},"
      "{\"type\":\"string\",\"optional\":false,\"field\":\"table\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"txId\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"xmin\"}],"
      "\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Source\",\"version\":1,"
      "\"field\":\"source\"}";
  return s;
}

std::string adjust_schema_name(const std::string& name) {
  std::string out = name;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
    if (!ok || (i == 0 && std::isdigit(static_cast<unsigned char>(c)))) out[i] = '_';
  }
  return out;
}

std::string adjust_topic_name(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
  return out;
}

std::shared_ptr<TableSchema> build_table_schema(const pg::RelationMessage& rel,
                                                const pg::CatalogTable& cat, pg::Catalog& catalog,
                                                const ConnectorConfig& config) {
  auto t = std::make_shared<TableSchema>();
  t->oid = rel.oid;
  t->schema = rel.schema;
  t->table = rel.table;
  t->replica_identity = rel.replica_identity;
  t->included = config.table_included(rel.schema, rel.table);
  t->data_collection = rel.schema + "." + rel.table;
  t->topic = adjust_topic_name(config.topic_prefix + "." + rel.schema + "." + rel.table);
  t->topic_json = "{\"topic\":" + quoted(t->topic) + ",\"partition\":0,";
  t->source_table_json =
      "\"schema\":" + quoted(rel.schema) + ",\"table\":" + quoted(rel.table) + ",";
  t->tuple_width = rel.columns.size();

  std::unordered_map<std::string, const pg::CatalogColumn*> by_name;
  for (const auto& c : cat.columns) by_name[c.name] = &c;
  std::unordered_map<std::string, std::string> defaults;

  std::vector<ColumnPlan> all;
  for (size_t i = 0; i < rel.columns.size(); ++i) {
    const auto& rc = rel.columns[i];
    int32_t typmod = rc.typmod;
    auto type = catalog.type(rc.type_oid, typmod);
    ColumnPlan p;
    p.name = rc.name;
    p.name_json = quoted(rc.name) + ":";
    p.tuple_index = int(i);
    auto conv = std::make_shared<ValueConverter>(*type, typmod, config.convert);
    auto it = by_name.find(rc.name);
    p.optional = it == by_name.end() || !it->second->not_null;
    if (it != by_name.end() && it->second->default_expr) {
      if (auto d = conv->default_value(*it->second->default_expr)) {
        defaults[rc.name] = *d;
        p.default_json = *d;
      }
    }
    p.converter = std::move(conv);
    all.push_back(std::move(p));
  }
  for (const auto& p : all) {
    if (!p.converter->supported()) continue;
    if (!config.column_included(rel.schema, rel.table, p.name)) continue;
    t->value_columns.push_back(p);
  }
  for (const auto& k : cat.key_columns)
    for (const auto& p : all)
      if (p.name == k) t->key_columns.push_back(p);
  if (t->key_columns.size() != cat.key_columns.size()) t->key_columns.clear();

  std::string base = adjust_schema_name(config.topic_prefix + "." + rel.schema + "." + rel.table);
  if (!t->key_columns.empty()) {
    std::vector<ColumnPlan> keys = t->key_columns;
    for (auto& k : keys) k.optional = false;
    t->key_schema_json = struct_schema(keys, defaults, false, base + ".Key", nullptr);
  }
  std::string value_before =
      struct_schema(t->value_columns, defaults, true, base + ".Value", "before");
  std::string value_after =
      struct_schema(t->value_columns, defaults, true, base + ".Value", "after");
  t->envelope_schema_json =
      "{\"type\":\"struct\",\"fields\":[" + value_before + "," + value_after + "," +
      source_schema_field_json() +
      ",{\"type\":\"struct\",\"fields\":["
      "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
      "{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"},"
      "{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],"
      "\"optional\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"},"
      "{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
      "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"}],"
      "\"optional\":false,\"name\":" +
      quoted(base + ".Envelope") + ",\"version\":2}";
  return t;
}

}  // namespace sluice::cdc
