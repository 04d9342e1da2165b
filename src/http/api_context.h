// What the HTTP resources reach into: the embedded log, the Kafka broker (its group
// coordinator lives on the listener's network thread: run calls there through
// broker->scheduler) and the connectors.
#pragma once
#include <string>

namespace sluice::log {
class TopicStore;
}
namespace sluice::kafka {
struct Broker;
}
namespace sluice::cdc {
class ConnectorHost;
}

namespace sluice::http {

struct ApiContext {
  log::TopicStore* topics = nullptr;
  kafka::Broker* broker = nullptr;
  cdc::ConnectorHost* connectors = nullptr;  // statuses and records written, for metrics
  std::string kafka_listener;                // "host:port" as clients reach it
  std::string version = "0.1.0";
};

}  // namespace sluice::http
