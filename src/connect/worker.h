// Kafka Connect's worker inside `sluice run`: the connectors' configs and target states (kept
// in connect-configs), their lifecycle on the ConnectorHost (create, reconfigure, pause,
// resume, stop, restart, delete), their statuses (published to connect-status whenever they
// change, failures included) and their offsets (connect-offsets). Thread-safe; the REST
// resources (connect_api.h) are a thin layer over it.
#pragma once
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "connect/connect_store.h"

namespace sluice::log {
class TopicStore;
}
namespace sluice::cdc {
class ConnectorHost;
}

namespace sluice::connect {

// An error with the HTTP status Kafka Connect answers it with.
class ConnectError : public std::runtime_error {
 public:
  ConnectError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

struct TaskStatus {
  std::string state;
  std::string trace;
};

struct ConnectorStatusView {
  std::string name;
  Properties config;
  TargetState target = TargetState::running;
  std::string state;  // the connector's: RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED
  std::string trace;
  std::optional<TaskStatus> task;  // none when stopped
  uint64_t records_written = 0;
};

struct WorkerOptions {
  std::string worker_id = "127.0.0.1:8083";
  bool check_database = true;   // reach the database before accepting a config
  bool external_kafka = false;  // positions live in another cluster: offsets not served here
};

class Worker {
 public:
  Worker(log::TopicStore& topics, cdc::ConnectorHost& host, WorkerOptions options);
  ~Worker();        // shutdown()
  void shutdown();  // stops the status monitor (the host stops the connectors)

  // Starts every stored connector whose target state is RUNNING. A connector that cannot
  // start is FAILED; the others go on.
  void start();

  std::vector<std::string> names() const;
  // POST /connectors: 409 when the name exists, 400 on an invalid config. reach_database:
  // also check that the database answers (when the options allow it).
  void create(const std::string& name, Properties config, TargetState initial);
  // PUT …/config: returns true when it created the connector.
  bool put_config(const std::string& name, Properties config, bool reach_database = true);
  // PATCH …/config: merges changes into the config (nullopt removes a key); 404 when unknown.
  void patch_config(const std::string& name,
                    const std::map<std::string, std::optional<std::string>>& changes);
  Properties config(const std::string& name) const;  // 404 when unknown
  void remove(const std::string& name);
  void pause(const std::string& name);
  void resume(const std::string& name);
  void stop(const std::string& name);
  // Returns false when nothing was restarted (only_failed and nothing failed).
  bool restart(const std::string& name, bool include_tasks, bool only_failed);
  ConnectorStatusView status(const std::string& name) const;
  std::vector<ConnectorStatusView> statuses() const;

  // {"offsets":[{"partition":{"server":…},"offset":{…}}]}
  std::string offsets_json(const std::string& name) const;
  void reset_offsets(const std::string& name);
  void alter_offsets(const std::string& name, const std::string& body);
  std::vector<std::string> topics(const std::string& name) const;

  const WorkerOptions& options() const { return options_; }
  ConnectStore& store() { return store_; }

 private:
  struct Entry {
    Properties config;
    TargetState target = TargetState::running;
    std::string launch_error;  // why the host refused it
  };
  const Entry& entry(const std::string& name) const;  // mu_ held; 404 when unknown
  Entry& entry(const std::string& name);
  void check_config(const std::string& name, Properties& config, bool reach_database) const;
  bool apply_config(const std::string& name, Properties config);  // lifecycle_mu_ held
  // Starts the connector from its entry; a refusal is kept as its launch error.
  void launch(const std::string& name);  // lifecycle_mu_ held, not mu_
  void halt(const std::string& name);    // lifecycle_mu_ held, not mu_: joins its thread
  ConnectorStatusView view(const std::string& name, const Entry& e) const;
  std::string offsets_key(const std::string& name) const;  // mu_ held
  void require_stopped(const std::string& name) const;     // mu_ held
  void publish(const std::string& name);                   // mu_ held
  void monitor();

  log::TopicStore& topics_;
  cdc::ConnectorHost& host_;
  WorkerOptions options_;
  ConnectStore store_;
  // One lifecycle change at a time; held while a connector stops, which can take a while, so
  // readers only take mu_ (held briefly) and answer meanwhile.
  std::mutex lifecycle_mu_;
  mutable std::mutex mu_;  // guards entries_ and published_
  std::map<std::string, Entry> entries_;
  std::map<std::string, std::string> published_;  // last status written, per connector
  std::mutex monitor_mu_;
  std::condition_variable monitor_cv_;
  bool stopping_ = false;
  std::thread monitor_;
};

}  // namespace sluice::connect
