// Checks a connector config before anything is created, as Kafka Connect's validate step does:
// the connector class, every property the connector reads (ConnectorConfig), and, when asked,
// that the database answers with those credentials. Errors are kept per property for
// PUT /connector-plugins/{class}/config/validate and joined into the 400 of POST /connectors.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "connect/connect_store.h"

namespace sluice::connect {

inline constexpr const char* kPostgresClass = "io.debezium.connector.postgresql.PostgresConnector";

struct Validation {
  std::map<std::string, std::vector<std::string>> errors;  // property → messages
  size_t error_count() const;
  // Connect's 400 message: "Connector configuration is invalid and contains the following N
  // error(s):\n…\nYou can also find the above list of errors at the endpoint …".
  std::string message() const;
};

// True when cls names the PostgreSQL connector (full class name or its simple name).
bool known_class(const std::string& cls);
Validation validate(const Properties& config, bool check_database);
// The validate endpoint's body: name, error_count, groups and one entry per property.
std::string validation_json(const Properties& config, const Validation& v);
// GET /connector-plugins' entry for the connector.
std::string plugin_json();

}  // namespace sluice::connect
