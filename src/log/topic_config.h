// Topic configuration with Kafka's property names and defaults. A topic keeps only the values
// set for it; everything else falls back to the broker-wide value, then to Kafka's default.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::log {

struct ConfigDef {
  std::string_view name;
  std::string_view default_value;
  bool supported;  // false: accepted and described, but sluice does not act on it
};

// Every topic-level config Kafka describes, in Kafka's order, with its default.
const std::vector<ConfigDef>& topic_config_defs();
const ConfigDef* find_topic_config(std::string_view name);
// "" when value is acceptable for name; otherwise why not.
std::string validate_topic_config(std::string_view name, std::string_view value);

class TopicConfig {
 public:
  TopicConfig() = default;
  TopicConfig(std::map<std::string, std::string> overrides,
              const std::map<std::string, std::string>* broker_defaults = nullptr)
      : overrides_(std::move(overrides)), broker_(broker_defaults) {}

  // The effective value; source tells where it came from (1 topic, 4 broker, 5 default).
  std::string get(std::string_view name, int* source = nullptr) const;
  int64_t get_int(std::string_view name) const;
  const std::map<std::string, std::string>& overrides() const { return overrides_; }
  void set(const std::string& name, const std::string& value) { overrides_[name] = value; }
  void erase(const std::string& name) { overrides_.erase(name); }

  bool compact() const;         // cleanup.policy contains "compact"
  bool delete_enabled() const;  // cleanup.policy contains "delete"
  int64_t retention_ms() const { return get_int("retention.ms"); }
  int64_t retention_bytes() const { return get_int("retention.bytes"); }
  int64_t segment_bytes() const { return get_int("segment.bytes"); }
  int64_t delete_retention_ms() const { return get_int("delete.retention.ms"); }
  int64_t max_message_bytes() const { return get_int("max.message.bytes"); }
  bool log_append_time() const { return get("message.timestamp.type") == "LogAppendTime"; }

 private:
  std::map<std::string, std::string> overrides_;
  const std::map<std::string, std::string>* broker_ = nullptr;
};

}  // namespace sluice::log
