#include "cdc/connector_config.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

#include "pg/connection.h"

namespace sluice::cdc {

namespace {

constexpr const char* kConnectorClass = "io.debezium.connector.postgresql.PostgresConnector";

std::string value_as_string(const rapidjson::Value& v) {
  if (v.IsString()) return {v.GetString(), v.GetStringLength()};
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsNull()) return "";
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return sb.GetString();
}

class Props {
 public:
  explicit Props(const std::map<std::string, std::string>& m) : m_(m) {}
  const std::string* find(const std::string& key) const {
    auto it = m_.find(key);
    return it == m_.end() ? nullptr : &it->second;
  }
  std::string str(const std::string& key, const std::string& def) const {
    auto* v = find(key);
    return v ? *v : def;
  }
  std::string required(const std::string& key) const {
    auto* v = find(key);
    if (!v || v->empty())
      throw ConfigError(key, fmt::format("Missing required configuration \"{}\" which has no "
                                         "default value.",
                                         key));
    return *v;
  }
  int64_t integer(const std::string& key, int64_t def, int64_t min, int64_t max) const {
    auto* v = find(key);
    if (!v) return def;
    int64_t out = 0;
    auto r = std::from_chars(v->data(), v->data() + v->size(), out);
    if (r.ec != std::errc() || r.ptr != v->data() + v->size() || out < min || out > max)
      throw ConfigError(key, fmt::format("Invalid value {} for configuration {}: must be an "
                                         "integer between {} and {}",
                                         *v, key, min, max));
    return out;
  }
  bool boolean(const std::string& key, bool def) const {
    auto* v = find(key);
    if (!v) return def;
    if (*v == "true" || *v == "TRUE" || *v == "True") return true;
    if (*v == "false" || *v == "FALSE" || *v == "False") return false;
    throw ConfigError(key, fmt::format("Invalid value {} for configuration {}: expected true or "
                                       "false",
                                       *v, key));
  }
  template <typename E>
  E choice(const std::string& key, E def,
           std::initializer_list<std::pair<const char*, E>> opts) const {
    auto* v = find(key);
    if (!v) return def;
    std::string lower;
    for (char c : *v) lower += char(std::tolower(static_cast<unsigned char>(c)));
    std::string allowed;
    for (auto& [name, e] : opts) {
      if (lower == name) return e;
      allowed += allowed.empty() ? "" : ", ";
      allowed += name;
    }
    throw ConfigError(key, fmt::format("Invalid value {} for configuration {}: must be one of {}",
                                       *v, key, allowed));
  }
  RegexList regex(const std::string& key) const {
    auto* v = find(key);
    if (!v) return {};
    try {
      return RegexList::parse(*v);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(key, fmt::format("Invalid value for configuration {}: {}", key, e.what()));
    }
  }

 private:
  const std::map<std::string, std::string>& m_;
};

}  // namespace

ConnectorConfig ConnectorConfig::from_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError())
    throw ConfigError(
        "", fmt::format("connector config is not valid JSON: {} at offset {}",
                        rapidjson::GetParseError_En(doc.GetParseError()), doc.GetErrorOffset()));
  if (!doc.IsObject()) throw ConfigError("", "connector config must be a JSON object");
  std::string name;
  const rapidjson::Value* config = &doc;
  if (doc.HasMember("config")) {
    if (!doc["config"].IsObject()) throw ConfigError("config", "\"config\" must be a JSON object");
    config = &doc["config"];
    if (doc.HasMember("name")) name = value_as_string(doc["name"]);
  }
  std::map<std::string, std::string> props;
  for (auto it = config->MemberBegin(); it != config->MemberEnd(); ++it)
    props[std::string(it->name.GetString(), it->name.GetStringLength())] =
        value_as_string(it->value);
  if (name.empty() && props.count("name")) name = props["name"];
  return from_properties(std::move(name), std::move(props));
}

ConnectorConfig ConnectorConfig::from_properties(std::string name,
                                                 std::map<std::string, std::string> props) {
  ConnectorConfig c;
  c.properties = std::move(props);
  Props p(c.properties);
  c.name = name.empty() ? p.str("name", "") : name;

  std::string cls = p.str("connector.class", kConnectorClass);
  if (cls != kConnectorClass && cls != "PostgresConnector")
    throw ConfigError("connector.class",
                      fmt::format("Invalid value {} for configuration connector.class: sluice runs "
                                  "{}",
                                  cls, kConnectorClass));
  c.hostname = p.required("database.hostname");
  c.port = int(p.integer("database.port", 5432, 1, 65535));
  c.user = p.required("database.user");
  c.password = p.str("database.password", "");
  c.dbname = p.required("database.dbname");
  c.sslmode = p.str("database.sslmode", "");
  c.topic_prefix = p.str("topic.prefix", p.str("database.server.name", ""));
  if (c.topic_prefix.empty()) c.topic_prefix = p.required("topic.prefix");
  for (char ch : c.topic_prefix)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-'))
      throw ConfigError("topic.prefix",
                        fmt::format("Invalid value {} for configuration topic.prefix: only "
                                    "letters, digits, '.', '_' and '-' are allowed",
                                    c.topic_prefix));

  std::string plugin = p.str("plugin.name", "pgoutput");
  if (plugin != "pgoutput")
    throw ConfigError("plugin.name",
                      fmt::format("Invalid value {} for configuration plugin.name: sluice decodes "
                                  "only pgoutput (decoderbufs and wal2json are not supported)",
                                  plugin));
  c.slot_name = p.str("slot.name", c.slot_name);
  for (char ch : c.slot_name)
    if (!(std::islower(static_cast<unsigned char>(ch)) ||
          std::isdigit(static_cast<unsigned char>(ch)) || ch == '_'))
      throw ConfigError("slot.name", fmt::format("Invalid value {} for configuration slot.name: "
                                                 "slot names use lower-case letters, digits and "
                                                 "'_' only",
                                                 c.slot_name));
  if (c.slot_name.empty() || c.slot_name.size() > 63)
    throw ConfigError("slot.name", "Invalid value for configuration slot.name: 1 to 63 characters");
  c.publication_name = p.str("publication.name", c.publication_name);
  c.publication_autocreate = p.choice<PublicationAutocreate>(
      "publication.autocreate.mode", PublicationAutocreate::all_tables,
      {{"all_tables", PublicationAutocreate::all_tables},
       {"disabled", PublicationAutocreate::disabled},
       {"filtered", PublicationAutocreate::filtered},
       {"no_tables", PublicationAutocreate::no_tables}});
  c.slot_drop_on_stop = p.boolean("slot.drop.on.stop", false);
  c.snapshot_mode_explicit = p.find("snapshot.mode") != nullptr;
  c.snapshot_mode = p.choice<SnapshotMode>("snapshot.mode", SnapshotMode::initial,
                                           {{"initial", SnapshotMode::initial},
                                            {"initial_only", SnapshotMode::initial_only},
                                            {"no_data", SnapshotMode::no_data},
                                            {"never", SnapshotMode::no_data},
                                            {"when_needed", SnapshotMode::when_needed},
                                            {"always", SnapshotMode::always}});
  c.snapshot_max_threads = int(p.integer("snapshot.max.threads", 4, 1, 64));
  c.incremental_chunk_size = p.integer("incremental.snapshot.chunk.size", 1024, 1, 1000000);
  c.signal_data_collection = p.str("signal.data.collection", "");
  if (!c.signal_data_collection.empty() && c.signal_data_collection.find('.') == std::string::npos)
    throw ConfigError("signal.data.collection",
                      fmt::format("Invalid value {} for configuration signal.data.collection: "
                                  "expected schema.table",
                                  c.signal_data_collection));

  c.schema_include = p.regex("schema.include.list");
  c.schema_exclude = p.regex("schema.exclude.list");
  c.table_include = p.regex("table.include.list");
  c.table_exclude = p.regex("table.exclude.list");
  c.column_include = p.regex("column.include.list");
  c.column_exclude = p.regex("column.exclude.list");
  c.message_prefix_include = p.regex("message.prefix.include.list");
  c.message_prefix_exclude = p.regex("message.prefix.exclude.list");
  if (!c.schema_include.empty() && !c.schema_exclude.empty())
    throw ConfigError("schema.exclude.list",
                      "schema.include.list and schema.exclude.list cannot both be set");
  if (!c.table_include.empty() && !c.table_exclude.empty())
    throw ConfigError("table.exclude.list",
                      "table.include.list and table.exclude.list cannot both be set");
  if (!c.column_include.empty() && !c.column_exclude.empty())
    throw ConfigError("column.exclude.list",
                      "column.include.list and column.exclude.list cannot both be set");

  c.convert.decimal = p.choice<DecimalMode>("decimal.handling.mode", DecimalMode::precise,
                                            {{"precise", DecimalMode::precise},
                                             {"string", DecimalMode::string},
                                             {"double", DecimalMode::double_}});
  c.convert.time = p.choice<TimePrecisionMode>(
      "time.precision.mode", TimePrecisionMode::adaptive,
      {{"adaptive", TimePrecisionMode::adaptive},
       {"adaptive_time_microseconds", TimePrecisionMode::adaptive_time_microseconds},
       {"connect", TimePrecisionMode::connect}});
  c.convert.binary = p.choice<BinaryMode>("binary.handling.mode", BinaryMode::bytes,
                                          {{"bytes", BinaryMode::bytes},
                                           {"base64", BinaryMode::base64},
                                           {"base64-url-safe", BinaryMode::base64_url_safe},
                                           {"hex", BinaryMode::hex}});
  c.convert.interval = p.choice<IntervalMode>(
      "interval.handling.mode", IntervalMode::numeric,
      {{"numeric", IntervalMode::numeric}, {"string", IntervalMode::string}});
  c.convert.hstore = p.choice<HstoreMode>("hstore.handling.mode", HstoreMode::json,
                                          {{"json", HstoreMode::json}, {"map", HstoreMode::map}});
  c.convert.money_fraction_digits = int(p.integer("money.fraction.digits", 2, 0, 100));
  c.tombstones_on_delete = p.boolean("tombstones.on.delete", true);

  std::string skipped = p.str("skipped.operations", "t");
  c.skipped_operations.clear();
  if (skipped != "none") {
    size_t start = 0;
    while (start <= skipped.size()) {
      size_t comma = skipped.find(',', start);
      if (comma == std::string::npos) comma = skipped.size();
      std::string op = skipped.substr(start, comma - start);
      op.erase(0, op.find_first_not_of(' '));
      op.erase(op.find_last_not_of(' ') + 1);
      if (!op.empty()) {
        if (op.size() != 1 || std::string("cudt").find(op[0]) == std::string::npos)
          throw ConfigError("skipped.operations",
                            fmt::format("Invalid value {} for configuration skipped.operations: "
                                        "use a comma-separated list of c, u, d, t, or none",
                                        skipped));
        c.skipped_operations.insert(op[0]);
      }
      start = comma + 1;
    }
  }
  c.heartbeat_interval_ms = p.integer("heartbeat.interval.ms", 0, 0, INT32_MAX);
  c.heartbeat_topic_prefix = p.str("topic.heartbeat.prefix", c.heartbeat_topic_prefix);
  c.provide_transaction_metadata = p.boolean("provide.transaction.metadata", false);
  c.transaction_topic = p.str("topic.transaction", c.transaction_topic);
  c.unavailable_value_placeholder =
      p.str("unavailable.value.placeholder", c.unavailable_value_placeholder);
  c.status_update_interval_ms = p.integer("status.update.interval.ms", 10000, 1, INT32_MAX);
  c.key_schemas_enable = p.boolean("key.converter.schemas.enable", true);
  c.value_schemas_enable = p.boolean("value.converter.schemas.enable", true);
  c.replace_null_with_default = p.boolean("value.converter.replace.null.with.default", true);
  return c;
}

std::string ConnectorConfig::conninfo() const {
  std::vector<std::pair<std::string, std::string>> kv = {
      {"host", hostname},
      {"port", std::to_string(port)},
      {"user", user},
      {"dbname", dbname},
      {"application_name", "sluice-" + (name.empty() ? slot_name : name)}};
  if (!password.empty()) kv.emplace_back("password", password);
  if (!sslmode.empty()) kv.emplace_back("sslmode", sslmode);
  kv.emplace_back("connect_timeout", "10");
  return pg::conninfo(kv);
}

bool ConnectorConfig::table_included(const std::string& schema, const std::string& table) const {
  if (!schema_include.empty() && !schema_include.matches(schema)) return false;
  if (!schema_exclude.empty() && schema_exclude.matches(schema)) return false;
  std::string full = schema + "." + table;
  if (!table_include.empty() && !table_include.matches(full)) return false;
  if (!table_exclude.empty() && table_exclude.matches(full)) return false;
  return true;
}

bool ConnectorConfig::column_included(const std::string& schema, const std::string& table,
                                      const std::string& column) const {
  std::string full = schema + "." + table + "." + column;
  if (!column_include.empty() && !column_include.matches(full)) return false;
  if (!column_exclude.empty() && column_exclude.matches(full)) return false;
  return true;
}

bool ConnectorConfig::message_prefix_included(const std::string& prefix) const {
  if (!message_prefix_include.empty() && !message_prefix_include.matches(prefix)) return false;
  if (!message_prefix_exclude.empty() && message_prefix_exclude.matches(prefix)) return false;
  return true;
}

}  // namespace sluice::cdc
