#include "connect/validation.h"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "cdc/connector_config.h"
#include "pg/connection.h"

namespace sluice::connect {

namespace {

struct Definition {
  const char* name;
  const char* type;
  bool required;
  const char* default_value;  // nullptr: none
  const char* importance;
  const char* group;
  const char* documentation;
};

// The properties a user most often sets, in the order Debezium's validate lists them.
constexpr Definition kDefinitions[] = {
    {"connector.class", "CLASS", true, nullptr, "HIGH", "Common", "The connector's class."},
    {"name", "STRING", true, nullptr, "HIGH", "Common", "Unique name of the connector."},
    {"tasks.max", "INT", false, "1", "HIGH", "Common", "Tasks (PostgreSQL uses one)."},
    {"topic.prefix", "STRING", true, nullptr, "HIGH", "Connection",
     "Prefix of every topic the connector writes."},
    {"database.hostname", "STRING", true, nullptr, "HIGH", "Connection",
     "Host of the PostgreSQL server."},
    {"database.port", "INT", false, "5432", "HIGH", "Connection", "Port of the server."},
    {"database.user", "STRING", true, nullptr, "HIGH", "Connection", "User to connect as."},
    {"database.password", "PASSWORD", false, nullptr, "HIGH", "Connection", "Its password."},
    {"database.dbname", "STRING", true, nullptr, "HIGH", "Connection", "Database to capture."},
    {"plugin.name", "STRING", false, "pgoutput", "MEDIUM", "Connection",
     "Logical decoding plugin (pgoutput)."},
    {"slot.name", "STRING", false, "debezium", "MEDIUM", "Connection", "Replication slot."},
    {"publication.name", "STRING", false, "dbz_publication", "MEDIUM", "Connection",
     "Publication for pgoutput."},
    {"publication.autocreate.mode", "STRING", false, "all_tables", "MEDIUM", "Connection",
     "all_tables, filtered or disabled."},
    {"schema.include.list", "LIST", false, nullptr, "HIGH", "Filters", "Schemas to capture."},
    {"schema.exclude.list", "LIST", false, nullptr, "HIGH", "Filters", "Schemas to skip."},
    {"table.include.list", "LIST", false, nullptr, "HIGH", "Filters", "Tables to capture."},
    {"table.exclude.list", "LIST", false, nullptr, "HIGH", "Filters", "Tables to skip."},
    {"column.include.list", "LIST", false, nullptr, "MEDIUM", "Filters", "Columns to keep."},
    {"column.exclude.list", "LIST", false, nullptr, "MEDIUM", "Filters", "Columns to drop."},
    {"snapshot.mode", "STRING", false, "initial", "MEDIUM", "Connector",
     "initial, initial_only, no_data, when_needed or always."},
    {"decimal.handling.mode", "STRING", false, "precise", "MEDIUM", "Connector",
     "precise, double or string."},
    {"time.precision.mode", "STRING", false, "adaptive", "MEDIUM", "Connector",
     "adaptive, adaptive_time_microseconds or connect."},
    {"tombstones.on.delete", "BOOLEAN", false, "true", "MEDIUM", "Connector",
     "Follow a delete with a tombstone."},
    {"heartbeat.interval.ms", "INT", false, "0", "MEDIUM", "Connector", "Heartbeat period."},
    {"provide.transaction.metadata", "BOOLEAN", false, "false", "LOW", "Connector",
     "Write transaction boundaries."},
    {"signal.data.collection", "STRING", false, nullptr, "LOW", "Connector",
     "Table for signals (incremental snapshots)."},
};

void add_error(Validation& v, const std::string& property, std::string message) {
  v.errors[property.empty() ? "connector.class" : property].push_back(std::move(message));
}

void put(rapidjson::Writer<rapidjson::StringBuffer>& w, std::string_view s) {
  w.String(s.data(), rapidjson::SizeType(s.size()));
}

}  // namespace

size_t Validation::error_count() const {
  size_t n = 0;
  for (const auto& [_, list] : errors) n += list.size();
  return n;
}

std::string Validation::message() const {
  std::string m = fmt::format(
      "Connector configuration is invalid and contains the following {} error(s):", error_count());
  for (const auto& [prop, list] : errors)
    for (const auto& e : list) m += fmt::format("\n{}: {}", prop, e);
  m += "\nYou can also find the above list of errors at the endpoint "
       "`/connector-plugins/{connectorType}/config/validate`";
  return m;
}

bool known_class(const std::string& cls) {
  return cls == kPostgresClass || cls == "PostgresConnector";
}

Validation validate(const Properties& config, bool check_database) {
  Validation v;
  auto cls = config.find("connector.class");
  if (cls == config.end() || cls->second.empty()) {
    add_error(v, "connector.class", "Missing required configuration \"connector.class\"");
    return v;
  }
  if (!known_class(cls->second)) {
    add_error(v, "connector.class",
              fmt::format("Failed to find any class that implements Connector and which name "
                          "matches {}, available connectors are: {}",
                          cls->second, kPostgresClass));
    return v;
  }
  cdc::ConnectorConfig c;
  try {
    c = cdc::ConnectorConfig::from_properties(
        config.count("name") ? config.at("name") : std::string(), config);
  } catch (const cdc::ConfigError& e) {
    add_error(v, e.property(), e.what());
    return v;
  }
  if (!check_database) return v;
  try {
    pg::Connection conn(c.conninfo() + " connect_timeout=5");
  } catch (const std::exception& e) {
    std::string msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    add_error(v, "database.hostname",
              fmt::format("Unable to connect to PostgreSQL at {}:{} (database {}, user {}): {}",
                          c.hostname, c.port, c.dbname, c.user, msg));
  }
  return v;
}

std::string validation_json(const Properties& config, const Validation& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("name");
  put(w, kPostgresClass);
  w.Key("error_count");
  w.Uint64(v.error_count());
  w.Key("groups");
  w.StartArray();
  for (const char* g : {"Common", "Connection", "Filters", "Connector"}) put(w, g);
  w.EndArray();
  w.Key("configs");
  w.StartArray();
  std::map<std::string, std::vector<std::string>> left = v.errors;
  auto entry = [&](const Definition* d, const std::string& name) {
    w.StartObject();
    w.Key("definition");
    w.StartObject();
    w.Key("name");
    put(w, name);
    w.Key("type");
    put(w, d ? d->type : "STRING");
    w.Key("required");
    w.Bool(d && d->required);
    w.Key("default_value");
    if (d && d->default_value)
      put(w, d->default_value);
    else
      w.Null();
    w.Key("importance");
    put(w, d ? d->importance : "LOW");
    w.Key("documentation");
    put(w, d ? d->documentation : "");
    w.Key("group");
    put(w, d ? d->group : "Connector");
    w.Key("width");
    put(w, "MEDIUM");
    w.Key("display_name");
    put(w, name);
    w.Key("dependents");
    w.StartArray();
    w.EndArray();
    w.Key("order");
    w.Int(0);
    w.EndObject();
    w.Key("value");
    w.StartObject();
    w.Key("name");
    put(w, name);
    w.Key("value");
    auto it = config.find(name);
    if (it != config.end())
      put(w, name == "database.password" ? "[hidden]" : it->second);
    else if (d && d->default_value)
      put(w, d->default_value);
    else
      w.Null();
    w.Key("recommended_values");
    w.StartArray();
    w.EndArray();
    w.Key("errors");
    w.StartArray();
    if (auto e = left.find(name); e != left.end()) {
      for (const auto& msg : e->second) put(w, msg);
      left.erase(e);
    }
    w.EndArray();
    w.Key("visible");
    w.Bool(true);
    w.EndObject();
    w.EndObject();
  };
  for (const auto& d : kDefinitions) entry(&d, d.name);
  // Errors on properties outside the table still get an entry, so none is lost.
  std::vector<std::string> rest;
  for (const auto& [name, _] : left) rest.push_back(name);
  for (const auto& name : rest) entry(nullptr, name);
  w.EndArray();
  w.EndObject();
  return sb.GetString();
}

std::string plugin_json() {
  return fmt::format(R"({{"class":"{}","type":"source","version":"2.1.4.Final"}})", kPostgresClass);
}

}  // namespace sluice::connect
