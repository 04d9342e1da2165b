// What DescribeConfigs reports about a topic config beyond its value: the value's type (as
// DescribeConfigs v3+ numbers them) and the broker-wide property Kafka names as its synonym.
#pragma once
#include <cstdint>
#include <string_view>

namespace sluice::log {

// Kafka's DescribeConfigsResponse.ConfigType ids.
enum class ConfigType : int8_t {
  kUnknown = 0,
  kBoolean = 1,
  kString = 2,
  kInt = 3,
  kShort = 4,
  kLong = 5,
  kDouble = 6,
  kList = 7,
};

ConfigType topic_config_type(std::string_view name);
// The broker property that sets this topic config's default (retention.ms: log.retention.ms);
// "" when the config has none (e.g. remote.storage.enable) or is unknown.
std::string_view topic_config_broker_name(std::string_view name);

}  // namespace sluice::log
