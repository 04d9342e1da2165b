// sluice run: the server. Opens the log, starts the Kafka listener and the connectors given,
// and runs until SIGINT/SIGTERM.
#include <fmt/format.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "cdc/connector_host.h"
#include "cli/commands.h"
#include "core/log.h"
#include "kafka/group/coordinator.h"
#include "kafka/server/core_apis.h"
#include "kafka/server/fetch_waiters.h"
#include "kafka/server/kafka_server.h"
#include "log/producer_ids.h"
#include "log/topic_store.h"

namespace sluice::cli {

namespace {

constexpr const char* kLog = "run";
std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

}  // namespace

int run(const RunArgs& a) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::filesystem::create_directories(a.data_dir);
  log::TopicStoreOptions to;
  to.dir = a.data_dir;
  to.default_partitions = a.partitions;
  for (const auto& kv : a.topic_defaults) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) {
      log::error(kLog, "--topic-default takes NAME=VALUE, not '{}'", kv);
      return 2;
    }
    std::string name = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (auto e = log::validate_topic_config(name, value); !e.empty()) {
      log::error(kLog, "--topic-default {}: {}", kv, e);
      return 2;
    }
    to.broker_defaults[name] = value;
  }
  log::TopicStore topics(to);
  log::ProducerIds producer_ids(a.data_dir + "/producer_ids");

  kafka::Broker broker;
  broker.topics = &topics;
  broker.producer_ids = &producer_ids;
  broker.config.default_partitions = a.partitions;
  broker.config.auto_create_topics = !a.no_auto_create;
  broker.config.group_initial_rebalance_delay_ms = a.group_initial_rebalance_delay_ms;
  for (const auto& up : a.sasl_users) {
    auto colon = up.find(':');
    if (colon == std::string::npos) {
      log::error(kLog, "--sasl-user takes USER:PASSWORD");
      return 2;
    }
    broker.config.sasl_users[up.substr(0, colon)] = up.substr(colon + 1);
  }
  kafka::ApiTable apis = kafka::all_apis();
  std::unique_ptr<kafka::KafkaServer> server;
  try {
    auto [host, port] = kafka::parse_host_port(a.kafka_listen);
    broker.config.advertised_host = a.advertised_host.empty() ? host : a.advertised_host;
    broker.config.port = port;
    server = std::make_unique<kafka::KafkaServer>(broker, apis, a.kafka_listen);
  } catch (const std::exception& e) {
    log::error(kLog, "--kafka-listen: {}", e.what());
    return 2;
  }
  kafka::FetchWaiters waiters(server->scheduler());
  broker.fetch_waiters = &waiters;
  topics.set_append_listener([&waiters] { waiters.wake(); });
  kafka::group::Coordinator groups(broker);
  broker.groups = &groups;
  try {
    groups.load();
  } catch (const std::exception& e) {
    log::error(kLog, "cannot load committed offsets from __consumer_offsets: {}", e.what());
    return 1;
  }
  try {
    server->start();
  } catch (const std::exception& e) {
    log::error(kLog, "{}", e.what());
    return 1;
  }
  log::info(kLog, "Kafka listener on {}:{} (data in {})", broker.config.advertised_host,
            server->port(), a.data_dir);
  cdc::ConnectorHost connectors(&topics, &producer_ids, a.kafka_bootstrap);
  for (const auto& c : a.connectors) {
    try {
      connectors.add(c);
    } catch (const std::exception& e) {
      log::error(kLog, "--connector {}: {}", c, e.what());
      connectors.stop_all();
      server->stop();
      groups.shutdown();
      topics.set_append_listener(nullptr);
      return 2;
    }
  }
  if (!a.port_file.empty()) {
    std::string tmp = a.port_file + ".tmp";
    FILE* f = fopen(tmp.c_str(), "w");
    if (f) {
      fprintf(f, "%u\n", unsigned(server->port()));
      fclose(f);
      std::rename(tmp.c_str(), a.port_file.c_str());
    }
  }
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  log::info(kLog, "stopping");
  connectors.stop_all();
  server->stop();
  // Answers still waiting for an fsync post to the server's thread: drain them while it exists.
  topics.sync_wait({});
  groups.shutdown();
  topics.set_append_listener(nullptr);
  return 0;
}

}  // namespace sluice::cli
