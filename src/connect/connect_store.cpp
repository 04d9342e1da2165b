#include "connect/connect_store.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

#include "core/clock.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "log/batch_scan.h"
#include "log/topic_store.h"

namespace sluice::connect {

namespace {

constexpr const char* kConnectorPrefix = "connector-";
constexpr const char* kTargetPrefix = "target-state-";
constexpr const char* kStatusConnectorPrefix = "status-connector-";

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Calls fn(key, value) for every keyed record of the topic's partitions, oldest first.
template <typename Fn>
void for_each_record(const log::Topic& t, Fn&& fn) {
  for (const auto& part : t.partitions()) log::for_each_keyed_record(*part, fn);
}

std::string status_json(const StoredStatus& s, int64_t generation) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("state");
  w.String(s.state.c_str(), rapidjson::SizeType(s.state.size()));
  w.Key("trace");
  if (s.trace.empty())
    w.Null();
  else
    w.String(s.trace.c_str(), rapidjson::SizeType(s.trace.size()));
  w.Key("worker_id");
  w.String(s.worker_id.c_str(), rapidjson::SizeType(s.worker_id.size()));
  w.Key("generation");
  w.Int64(generation);
  w.EndObject();
  return sb.GetString();
}

std::string str_member(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

}  // namespace

const char* to_string(TargetState s) {
  switch (s) {
    case TargetState::running:
      return "STARTED";
    case TargetState::paused:
      return "PAUSED";
    case TargetState::stopped:
      return "STOPPED";
  }
  return "STARTED";
}

std::optional<TargetState> parse_target_state(const std::string& s) {
  if (s == "RUNNING" || s == "STARTED") return TargetState::running;
  if (s == "PAUSED") return TargetState::paused;
  if (s == "STOPPED") return TargetState::stopped;
  return std::nullopt;
}

ConnectStore::ConnectStore(log::TopicStore& topics) : topics_(topics) {
  for (const char* name : {kConfigsTopic, kStatusTopic}) {
    if (topics_.find(name)) continue;
    auto r = topics_.create(name, 1, {{"cleanup.policy", "compact"}});
    if (!r.topic && !topics_.find(name))
      throw std::runtime_error(fmt::format("cannot create topic {}: {}", name, r.message));
  }
}

ConnectStore::~ConnectStore() = default;

std::shared_ptr<log::Topic> ConnectStore::topic(const std::string& name) const {
  auto t = topics_.find(name);
  if (!t) throw std::runtime_error(fmt::format("topic {} is gone", name));
  return t;
}

std::map<std::string, StoredConnector> ConnectStore::load_configs() const {
  std::map<std::string, StoredConnector> out;
  std::map<std::string, TargetState> targets;
  for_each_record(
      *topic(kConfigsTopic), [&](std::string_view key, std::optional<std::string_view> value) {
        if (starts_with(key, kConnectorPrefix)) {
          std::string name(key.substr(std::string_view(kConnectorPrefix).size()));
          if (!value) {
            out.erase(name);
            targets.erase(name);
            return;
          }
          rapidjson::Document d;
          d.Parse(value->data(), value->size());
          if (d.HasParseError() || !d.IsObject() || !d.HasMember("properties") ||
              !d["properties"].IsObject())
            return;  // not ours to judge: skip what we cannot read
          Properties props;
          for (auto it = d["properties"].MemberBegin(); it != d["properties"].MemberEnd(); ++it)
            if (it->value.IsString())
              props[it->name.GetString()] =
                  std::string(it->value.GetString(), it->value.GetStringLength());
          out[name].config = std::move(props);
        } else if (starts_with(key, kTargetPrefix)) {
          std::string name(key.substr(std::string_view(kTargetPrefix).size()));
          if (!value) {
            targets.erase(name);
            return;
          }
          rapidjson::Document d;
          d.Parse(value->data(), value->size());
          if (d.HasParseError() || !d.IsObject()) return;
          std::string s = str_member(d, "state.v2");
          if (s.empty()) s = str_member(d, "state");
          if (auto t = parse_target_state(s)) targets[name] = *t;
        }
      });
  for (auto& [name, c] : out)
    if (auto it = targets.find(name); it != targets.end()) c.target = it->second;
  return out;
}

std::map<std::string, StoredStatus> ConnectStore::load_statuses() const {
  std::map<std::string, StoredStatus> out;
  for_each_record(
      *topic(kStatusTopic), [&](std::string_view key, std::optional<std::string_view> value) {
        if (!starts_with(key, kStatusConnectorPrefix)) return;
        std::string name(key.substr(std::string_view(kStatusConnectorPrefix).size()));
        if (!value) {
          out.erase(name);
          return;
        }
        rapidjson::Document d;
        d.Parse(value->data(), value->size());
        if (d.HasParseError() || !d.IsObject()) return;
        out[name] = {str_member(d, "state"), str_member(d, "trace"), str_member(d, "worker_id")};
      });
  return out;
}

std::optional<std::string> ConnectStore::last_value(const std::string& topic_name,
                                                    const std::string& key) const {
  auto t = topics_.find(topic_name);
  if (!t) return std::nullopt;
  auto part = t->partition(log::partition_for_key(key, t->partition_count()));
  if (!part) return std::nullopt;
  return log::last_value(*part, key);
}

void ConnectStore::write(const std::string& topic_name, const std::string& key,
                         const std::optional<std::string>& value) {
  auto t = topics_.find(topic_name);
  if (!t) {
    auto r = topics_.create(topic_name, 1, {{"cleanup.policy", "compact"}});
    t = r.topic ? r.topic : topics_.find(topic_name);
    if (!t)
      throw std::runtime_error(fmt::format("cannot create topic {}: {}", topic_name, r.message));
  }
  auto part = t->partition(log::partition_for_key(key, t->partition_count()));
  if (!part) throw std::runtime_error(fmt::format("topic {} has no partitions", topic_name));
  int64_t now = unix_millis();
  kafka::BatchBuilder b(now);
  if (value)
    b.add(std::string_view(key), std::string_view(*value), now);
  else
    b.add(std::string_view(key), std::nullopt, now);
  auto r = part->append(b.finish(), t->config());
  if (r.error != 0)
    throw std::runtime_error(fmt::format("cannot write to {}: {}", topic_name, r.message));
  topics_.notify_append();
  if (!topics_.sync_wait({part}))
    throw std::runtime_error(fmt::format("cannot make {} durable (fsync failed)", topic_name));
}

void ConnectStore::put_config(const std::string& name, const Properties& config) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("properties");
  w.StartObject();
  for (const auto& [k, v] : config) {
    w.Key(k.c_str(), rapidjson::SizeType(k.size()));
    w.String(v.c_str(), rapidjson::SizeType(v.size()));
  }
  w.EndObject();
  w.EndObject();
  std::lock_guard lock(mu_);
  write(kConfigsTopic, kConnectorPrefix + name, std::string(sb.GetString()));
}

void ConnectStore::put_target_state(const std::string& name, TargetState state) {
  std::string s = to_string(state);
  std::lock_guard lock(mu_);
  write(kConfigsTopic, kTargetPrefix + name,
        fmt::format(R"({{"state":"{}","state.v2":"{}"}})", s == "STOPPED" ? "PAUSED" : s, s));
}

void ConnectStore::put_status(const std::string& name, const StoredStatus& connector,
                              const std::optional<StoredStatus>& task) {
  std::lock_guard lock(mu_);
  ++generation_;
  write(kStatusTopic, kStatusConnectorPrefix + name, status_json(connector, generation_));
  std::string task_key = fmt::format("status-task-{}-0", name);
  write(kStatusTopic, task_key,
        task ? std::optional<std::string>(status_json(*task, generation_)) : std::nullopt);
}

void ConnectStore::remove(const std::string& name) {
  std::lock_guard lock(mu_);
  write(kConfigsTopic, kConnectorPrefix + name, std::nullopt);
  write(kConfigsTopic, kTargetPrefix + name, std::nullopt);
  write(kStatusTopic, kStatusConnectorPrefix + name, std::nullopt);
  write(kStatusTopic, fmt::format("status-task-{}-0", name), std::nullopt);
}

}  // namespace sluice::connect
