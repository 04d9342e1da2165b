// The Kafka listener: accepts connections on a loopback (or given) address and runs every
// request handler on one network thread. Per connection it reads size-prefixed frames, refuses
// malformed or oversized ones by closing that connection only, and writes answers strictly in
// request order. The networking library stays inside kafka_server.cpp.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "kafka/server/handler.h"

namespace sluice::kafka {

class KafkaServer {
 public:
  // broker.scheduler is set to the server's own; listen is HOST:PORT (port 0: any free one).
  KafkaServer(Broker& broker, const ApiTable& apis, const std::string& listen);
  ~KafkaServer();
  KafkaServer(const KafkaServer&) = delete;
  KafkaServer& operator=(const KafkaServer&) = delete;

  // Binds (throws std::runtime_error naming the address on failure) and starts the thread.
  void start();
  void stop();
  uint16_t port() const;
  Scheduler& scheduler();
  // Open connections (for tests and the status of the server).
  size_t connections() const;

  struct Impl;  // public only so the connection code in the .cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::kafka
