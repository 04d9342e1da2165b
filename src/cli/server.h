// The assembled server of `sluice run` (and of `sluice demo`): the embedded log, the Kafka
// listener with its group coordinator, the connectors under Kafka Connect's worker, and the
// HTTP listener with the Connect REST API, the console's data API and the console.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "cli/commands.h"

namespace sluice::connect {
class Worker;
}
namespace sluice::log {
class TopicStore;
}

namespace sluice::cli {

// A bad argument (the caller exits 2); other failures throw std::runtime_error (exit 1).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Server {
 public:
  explicit Server(const RunArgs& args);  // opens the log and binds both listeners
  ~Server();                             // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the listeners and every stored connector, then adds the --connector files
  // (replacing a stored config of the same name). A bad file throws UsageError.
  void start();
  void stop();
  uint16_t kafka_port() const;
  uint16_t http_port() const;
  connect::Worker& worker();
  log::TopicStore& topics();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::cli
