// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs. Topics describe every config Kafka
// has, with its effective value and where it comes from (clients such as librdkafka's tests
// expect the full set); the broker describes a fixed set reflecting how sluice runs. Broker
// configs are read-only: sluice takes them from its command line.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "kafka/errors.h"
#include "kafka/server/admin_apis.h"
#include "log/topic_config_meta.h"
#include "log/topic_store.h"

namespace sluice::kafka::admin {
namespace {

constexpr int8_t kSourceTopic = 1;
constexpr int8_t kSourceStaticBroker = 4;
constexpr int8_t kSourceDefault = 5;

struct Synonym {
  std::string name;
  std::string value;
  int8_t source;
};

struct Entry {
  std::string name;
  std::string value;
  int8_t source;
  bool read_only;
  log::ConfigType type;
  std::vector<Synonym> synonyms;  // the entry's own source first, as Kafka orders them
};

std::string broker_name_for(std::string_view topic_config) {
  auto n = log::topic_config_broker_name(topic_config);
  return std::string(n.empty() ? topic_config : n);
}

std::vector<Entry> topic_entries(const log::Topic& topic, const log::TopicStore& store) {
  std::vector<Entry> out;
  const auto& broker = store.broker_defaults();
  log::TopicConfig cfg(topic.config().overrides(), &broker);
  for (const auto& def : log::topic_config_defs()) {
    Entry e{std::string(def.name), "", kSourceDefault, false, log::topic_config_type(def.name), {}};
    int source = kSourceDefault;
    e.value = cfg.get(def.name, &source);
    e.source = int8_t(source);
    std::string key(def.name);
    if (auto it = cfg.overrides().find(key); it != cfg.overrides().end())
      e.synonyms.push_back({key, it->second, kSourceTopic});
    if (auto it = broker.find(key); it != broker.end())
      e.synonyms.push_back({broker_name_for(def.name), it->second, kSourceStaticBroker});
    e.synonyms.push_back(
        {broker_name_for(def.name), std::string(def.default_value), kSourceDefault});
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Entry> broker_entries(const Broker& b) {
  const BrokerConfig& c = b.config;
  bool sasl = !c.sasl_users.empty();
  auto offsets = b.topics->find("__consumer_offsets");
  std::string listener =
      fmt::format("{}://{}:{}", sasl ? "SASL_PLAINTEXT" : "PLAINTEXT", c.advertised_host, c.port);
  using T = log::ConfigType;
  struct Item {
    std::string name, value;
    T type;
    std::optional<std::string> kafka_default;  // the value counts as DEFAULT_CONFIG when equal
  };
  std::vector<Item> items = {
      {"advertised.listeners", listener, T::kString, std::nullopt},
      {"auto.create.topics.enable", c.auto_create_topics ? "true" : "false", T::kBoolean, "true"},
      {"broker.id", std::to_string(c.node_id), T::kInt, "-1"},
      {"default.replication.factor", "1", T::kInt, "1"},
      {"delete.topic.enable", "true", T::kBoolean, "true"},
      {"group.initial.rebalance.delay.ms", std::to_string(c.group_initial_rebalance_delay_ms),
       T::kInt, "3000"},
      {"listeners", listener, T::kString, std::nullopt},
      {"log.dirs", b.topics->options().dir, T::kString, std::nullopt},
      {"node.id", std::to_string(c.node_id), T::kInt, "-1"},
      {"num.partitions", std::to_string(c.default_partitions), T::kInt, "1"},
      {"offsets.topic.num.partitions", offsets ? std::to_string(offsets->partition_count()) : "50",
       T::kInt, "50"},
      {"offsets.topic.replication.factor", "1", T::kShort, "3"},
      {"sasl.enabled.mechanisms", sasl ? "PLAIN" : "", T::kList, "GSSAPI"},
      {"security.inter.broker.protocol", "PLAINTEXT", T::kString, "PLAINTEXT"},
      {"socket.request.max.bytes", std::to_string(c.max_request_bytes), T::kInt, "104857600"},
      {"transaction.state.log.min.isr", "1", T::kInt, "2"},
      {"transaction.state.log.replication.factor", "1", T::kShort, "3"},
  };
  // The broker-wide defaults of topic configs, under their broker names (log.retention.ms).
  const auto& defaults = b.topics->broker_defaults();
  for (const auto& def : log::topic_config_defs()) {
    auto name = log::topic_config_broker_name(def.name);
    if (name.empty()) continue;
    auto it = defaults.find(std::string(def.name));
    items.push_back(
        {std::string(name),
         std::string(it != defaults.end() ? std::string_view(it->second) : def.default_value),
         log::topic_config_type(def.name), std::string(def.default_value)});
  }
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.name < b.name; });
  std::vector<Entry> out;
  for (auto& i : items) {
    int8_t source = i.kafka_default == i.value ? kSourceDefault : kSourceStaticBroker;
    out.push_back({i.name, i.value, source, true, i.type, {{i.name, i.value, source}}});
  }
  return out;
}

void write_entries(Writer& w, int16_t v, const std::vector<Entry>& entries,
                   const std::optional<std::set<std::string>>& keys, bool synonyms) {
  size_t count_at = w.reserve_i32();
  int32_t count = 0;
  for (const auto& e : entries) {
    if (keys && !keys->count(e.name)) continue;
    w.string(e.name);
    w.nullable_string(e.value);
    w.boolean(e.read_only);
    if (v == 0)
      w.boolean(e.source == kSourceDefault);  // IsDefault
    else
      w.i8(e.source);
    w.boolean(false);  // IsSensitive
    if (v >= 1) {
      w.array_count(synonyms ? int32_t(e.synonyms.size()) : 0);
      if (synonyms) {
        for (const auto& s : e.synonyms) {
          w.string(s.name);
          w.nullable_string(s.value);
          w.i8(s.source);
        }
      }
    }
    if (v >= 3) {
      w.i8(int8_t(e.type));
      w.nullable_string(std::nullopt);  // documentation
    }
    ++count;
  }
  w.patch_i32(count_at, count);
}

struct Outcome {
  int16_t error = err::kNone;
  std::string message;
};

// Broker configs come from the command line; an empty change set is harmless.
Outcome broker_change(const Broker& b, std::string_view resource, size_t changes) {
  if (resource != "" && resource != std::to_string(b.config.node_id))
    return {err::kInvalidRequest,
            fmt::format("Unexpected broker id, expected {} or empty string, but received {}",
                        b.config.node_id, resource)};
  if (changes == 0) return {};
  return {err::kInvalidRequest,
          "sluice takes broker configs from its command line; they cannot be altered"};
}

void write_alter_result(Writer& w, int8_t type, std::string_view name, const Outcome& o) {
  w.i16(o.error);
  w.nullable_string(o.error ? std::optional<std::string_view>(o.message) : std::nullopt);
  w.i8(type);
  w.string(name);
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  auto trim = [](std::string_view t) {
    size_t b = t.find_first_not_of(" \t");
    if (b == std::string_view::npos) return std::string_view();
    return t.substr(b, t.find_last_not_of(" \t") - b + 1);
  };
  s = trim(s);
  while (!s.empty()) {
    size_t comma = s.find(',');
    out.emplace_back(trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

std::string describe_configs(const RequestHeader& h, Reader& in, Broker& b) {
  const int16_t v = h.api_version;
  struct Resource {
    int8_t type;
    std::string name;
    std::optional<std::set<std::string>> keys;  // none or empty: every config
  };
  std::vector<Resource> resources;
  int32_t n = in.array_count(1 + 2 + 4);
  for (int32_t i = 0; i < n; ++i) {
    Resource r{in.i8(), std::string(in.string()), std::nullopt};
    int32_t nk = in.array_count(2);
    if (nk > 0) {
      r.keys.emplace();
      for (int32_t j = 0; j < nk; ++j) r.keys->emplace(in.string());
    }
    resources.push_back(std::move(r));
  }
  bool synonyms = v >= 1 && in.boolean();
  if (v >= 3) in.boolean();  // include documentation: there is none to include

  std::string out;
  Writer w(out);
  w.i32(0);  // throttle time
  w.array_count(int32_t(resources.size()));
  for (const auto& r : resources) {
    Outcome o;
    std::vector<Entry> entries;
    if (r.type == kResourceTopic) {
      if (auto why = log::TopicStore::check_topic_name(r.name); !why.empty())
        o = {err::kInvalidTopicException, why};
      else if (auto topic = b.topics->find(r.name))
        entries = topic_entries(*topic, *b.topics);
      else
        o = {err::kUnknownTopicOrPartition, fmt::format("Topic '{}' does not exist.", r.name)};
    } else if (r.type == kResourceBroker) {
      o = broker_change(b, r.name, 0);
      // An empty name asks for the cluster-wide dynamic defaults, of which sluice has none.
      if (!o.error && !r.name.empty()) entries = broker_entries(b);
    } else {
      o = {err::kInvalidRequest, fmt::format("Unsupported resource type: {}", r.type)};
    }
    w.i16(o.error);
    w.nullable_string(o.error ? std::optional<std::string_view>(o.message) : std::nullopt);
    w.i8(r.type);
    w.string(r.name);
    write_entries(w, v, entries, r.keys, synonyms);
  }
  return out;
}

std::string alter_configs(const RequestHeader&, Reader& in, Broker& b) {
  struct Resource {
    int8_t type;
    std::string name;
    std::map<std::string, std::string> configs;  // null values are dropped, as Kafka does
  };
  std::vector<Resource> resources;
  int32_t n = in.array_count(1 + 2 + 4);
  for (int32_t i = 0; i < n; ++i) {
    Resource r{in.i8(), std::string(in.string()), {}};
    int32_t nc = in.array_count(2 + 2);
    for (int32_t j = 0; j < nc; ++j) {
      std::string name(in.string());
      if (auto value = in.nullable_string()) r.configs[name] = std::string(*value);
    }
    resources.push_back(std::move(r));
  }
  bool validate_only = in.boolean();

  std::string out;
  Writer w(out);
  w.i32(0);  // throttle time
  w.array_count(int32_t(resources.size()));
  for (const auto& r : resources) {
    Outcome o;
    if (r.type == kResourceBroker) {
      o = broker_change(b, r.name, r.configs.size());
    } else if (r.type != kResourceTopic) {
      o = {err::kInvalidRequest, fmt::format("Unsupported resource type: {}", r.type)};
    } else if (auto topic = b.topics->find(r.name); !topic) {
      o = {err::kUnknownTopicOrPartition, fmt::format("Topic '{}' does not exist.", r.name)};
    } else {
      // The request is the topic's whole override set: what it leaves out goes back to default.
      std::map<std::string, std::optional<std::string>> changes;
      log::TopicConfig current = topic->config();
      for (const auto& [name, value] : current.overrides())
        if (!r.configs.count(name)) changes[name] = std::nullopt;
      for (const auto& [name, value] : r.configs) {
        if (auto why = log::validate_topic_config(name, value); !why.empty()) {
          o = {err::kInvalidConfig, why};
          break;
        }
        changes[name] = value;
      }
      if (!o.error) o.error = b.topics->alter_config(r.name, changes, validate_only, &o.message);
    }
    write_alter_result(w, r.type, r.name, o);
  }
  return out;
}

std::string incremental_alter_configs(const RequestHeader&, Reader& in, Broker& b) {
  struct Op {
    std::string name;
    int8_t op;
    std::optional<std::string> value;
  };
  struct Resource {
    int8_t type;
    std::string name;
    std::vector<Op> ops;
  };
  std::vector<Resource> resources;
  int32_t n = in.array_count(1 + 2 + 4);
  for (int32_t i = 0; i < n; ++i) {
    Resource r{in.i8(), std::string(in.string()), {}};
    int32_t nc = in.array_count(2 + 1 + 2);
    for (int32_t j = 0; j < nc; ++j) {
      Op op{std::string(in.string()), in.i8(), std::nullopt};
      if (auto value = in.nullable_string()) op.value = std::string(*value);
      r.ops.push_back(std::move(op));
    }
    resources.push_back(std::move(r));
  }
  bool validate_only = in.boolean();

  std::string out;
  Writer w(out);
  w.i32(0);  // throttle time
  w.array_count(int32_t(resources.size()));
  for (const auto& r : resources) {
    Outcome o;
    std::shared_ptr<log::Topic> topic;
    std::set<std::string> names;
    for (const auto& op : r.ops) names.insert(op.name);
    if (names.size() != r.ops.size()) {
      o = {err::kInvalidRequest, "Error due to duplicate config keys"};
    } else if (r.type == kResourceBroker) {
      o = broker_change(b, r.name, r.ops.size());
    } else if (r.type != kResourceTopic) {
      o = {err::kInvalidRequest, fmt::format("Unsupported resource type: {}", r.type)};
    } else if (topic = b.topics->find(r.name); !topic) {
      o = {err::kUnknownTopicOrPartition, fmt::format("Topic '{}' does not exist.", r.name)};
    } else {
      log::TopicConfig cfg = topic->config();
      std::map<std::string, std::optional<std::string>> changes;
      for (const auto& op : r.ops) {
        auto fail = [&](int16_t e, std::string m) { o = {e, std::move(m)}; };
        if (!log::find_topic_config(op.name)) {
          fail(err::kInvalidConfig, log::validate_topic_config(op.name, ""));
        } else if (op.op == kOpDelete) {
          changes[op.name] = std::nullopt;
        } else if (op.op == kOpSet) {
          if (!op.value)
            fail(err::kInvalidConfig, fmt::format("Null value not supported for : {}", op.name));
          else
            changes[op.name] = *op.value;
        } else if (op.op == kOpAppend || op.op == kOpSubtract) {
          if (log::topic_config_type(op.name) != log::ConfigType::kList) {
            fail(err::kInvalidConfig,
                 fmt::format("Config value {} is not allowed for config key: {}",
                             op.op == kOpAppend ? "append" : "subtract", op.name));
          } else {
            auto items = split_list(cfg.get(op.name));
            for (const auto& item : split_list(op.value.value_or(""))) {
              auto at = std::find(items.begin(), items.end(), item);
              if (op.op == kOpAppend && at == items.end()) items.push_back(item);
              if (op.op == kOpSubtract && at != items.end()) items.erase(at);
            }
            changes[op.name] = fmt::format("{}", fmt::join(items, ","));
          }
        } else {
          fail(err::kInvalidRequest, fmt::format("Unknown config operation {}", op.op));
        }
        if (o.error) break;
        const auto& change = changes[op.name];
        if (change) {
          if (auto why = log::validate_topic_config(op.name, *change); !why.empty()) {
            fail(err::kInvalidConfig, why);
            break;
          }
        }
      }
      if (!o.error) o.error = b.topics->alter_config(r.name, changes, validate_only, &o.message);
    }
    write_alter_result(w, r.type, r.name, o);
  }
  return out;
}

}  // namespace sluice::kafka::admin
