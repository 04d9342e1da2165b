// Runs source connectors on threads of their own inside `sluice run`, writing to the embedded
// log's topics (or to an external Kafka cluster). Connectors can be added and removed while
// the server runs. A connector that fails stops alone: its state becomes FAILED with the
// error, and the server carries on. Thread-safe.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sluice::log {
class TopicStore;
class ProducerIds;
}  // namespace sluice::log

namespace sluice::cdc {

class SourceConnector;
struct ConnectorConfig;

enum class ConnectorState { running, failed, stopped };
const char* to_string(ConnectorState s);  // "RUNNING", "FAILED", "STOPPED" (Kafka Connect's)

struct ConnectorStatus {
  std::string name;
  ConnectorState state = ConnectorState::running;
  std::string trace;             // why it failed
  uint64_t records_written = 0;  // records handed to the topics
};

// Reads a connector config from a file's path or the config's JSON text (Kafka Connect's
// {"name":…,"config":{…}} or a flat property object); without a name, its topic prefix names
// it. Throws std::invalid_argument naming the file and the property.
ConnectorConfig load_connector_config(const std::string& file_or_json);

class ConnectorHost {
 public:
  // kafka_bootstrap empty: connectors write to the embedded log (topics and producer_ids must
  // then be given); else to that Kafka cluster (HOST:PORT).
  ConnectorHost(log::TopicStore* topics, log::ProducerIds* producer_ids,
                std::string kafka_bootstrap);
  ~ConnectorHost();  // stop_all()
  ConnectorHost(const ConnectorHost&) = delete;
  ConnectorHost& operator=(const ConnectorHost&) = delete;

  // Starts a connector from a config file's path or the config's JSON text (Kafka Connect's
  // {"name":…,"config":{…}} or a flat property object with "name"). Returns its name. Throws
  // std::invalid_argument with a clear message on a bad config or a name already running.
  std::string add(const std::string& connector_file_or_json);
  // The same for a parsed config (Kafka Connect's REST API validates before it gets here).
  std::string add(ConnectorConfig config);
  // Stops the connector (a clean stop: everything written is durable and confirmed) and
  // forgets it. Throws std::out_of_range when no connector has that name.
  void remove(const std::string& name);
  std::vector<ConnectorStatus> status() const;
  std::optional<ConnectorStatus> status(const std::string& name) const;
  void stop_all();

 private:
  struct Entry {
    std::string name;
    std::atomic<bool> stop{false};
    std::unique_ptr<SourceConnector> connector;
    mutable std::mutex mu;  // guards state and trace
    ConnectorState state = ConnectorState::running;
    std::string trace;
    std::thread thread;
  };
  void run(Entry& e);
  static void join(Entry& e);

  log::TopicStore* topics_;
  log::ProducerIds* producer_ids_;
  std::string kafka_bootstrap_;
  std::mutex lifecycle_mu_;  // one add/remove/stop_all at a time
  mutable std::mutex mu_;    // guards entries_
  std::map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace sluice::cdc
