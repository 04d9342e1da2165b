// Kafka Connect's internal topics in the embedded log, keyed and shaped as Connect writes them,
// so a restart finds every connector, its target state and its last status:
//   connect-configs  connector-<name> → {"properties":{…}}
//                    target-state-<name> → {"state":"PAUSED","state.v2":"PAUSED"}
//   connect-status   status-connector-<name>, status-task-<name>-0 →
//                    {"state":…,"trace":…,"worker_id":…,"generation":…}
// Deleting a connector writes tombstones. Every write is fsynced before it returns. The
// connectors' positions stay in connect-offsets (cdc/position_record.h). Thread-safe.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sluice::log {
class TopicStore;
class Topic;
}  // namespace sluice::log

namespace sluice::connect {

inline constexpr const char* kConfigsTopic = "connect-configs";
inline constexpr const char* kStatusTopic = "connect-status";

enum class TargetState { running, paused, stopped };
const char* to_string(TargetState s);  // "STARTED" is Connect's word for running
std::optional<TargetState> parse_target_state(const std::string& s);  // RUNNING|PAUSED|STOPPED

using Properties = std::map<std::string, std::string>;

struct StoredConnector {
  Properties config;
  TargetState target = TargetState::running;
};

struct StoredStatus {
  std::string state;  // RUNNING, PAUSED, FAILED, …
  std::string trace;
  std::string worker_id;
};

class ConnectStore {
 public:
  explicit ConnectStore(log::TopicStore& topics);  // creates the topics when missing
  ~ConnectStore();

  std::map<std::string, StoredConnector> load_configs() const;
  std::map<std::string, StoredStatus> load_statuses() const;  // by connector name

  void put_config(const std::string& name, const Properties& config);
  void put_target_state(const std::string& name, TargetState state);
  void put_status(const std::string& name, const StoredStatus& connector,
                  const std::optional<StoredStatus>& task);
  void remove(const std::string& name);  // config, target state and statuses

  // The last value of key in the compacted topic (nullopt: none, or a tombstone).
  std::optional<std::string> last_value(const std::string& topic, const std::string& key) const;
  // Appends key → value (nullopt: a tombstone) to partition 0 of topic and fsyncs it.
  void write(const std::string& topic, const std::string& key,
             const std::optional<std::string>& value);

 private:
  std::shared_ptr<log::Topic> topic(const std::string& name) const;
  log::TopicStore& topics_;
  mutable std::mutex mu_;  // one writer at a time, so generations and order stay simple
  int64_t generation_ = 0;
};

}  // namespace sluice::connect
