#include "cli/server.h"

#include <fmt/format.h>

#include <filesystem>

#include "cdc/connector_config.h"
#include "cdc/connector_host.h"
#include "connect/connect_api.h"
#include "connect/worker.h"
#include "core/host_port.h"
#include "core/log.h"
#include "http/api_context.h"
#include "http/console.h"
#include "http/data_api.h"
#include "http/http_server.h"
#include "http/router.h"
#include "kafka/group/coordinator.h"
#include "kafka/server/core_apis.h"
#include "kafka/server/fetch_waiters.h"
#include "kafka/server/kafka_server.h"
#include "log/producer_ids.h"
#include "log/topic_store.h"

namespace sluice::cli {

namespace {

constexpr const char* kLog = "run";

log::TopicStoreOptions store_options(const RunArgs& a) {
  log::TopicStoreOptions to;
  to.dir = a.data_dir;
  to.default_partitions = a.partitions;
  for (const auto& kv : a.topic_defaults) {
    auto eq = kv.find('=');
    if (eq == std::string::npos)
      throw UsageError(fmt::format("--topic-default takes NAME=VALUE, not '{}'", kv));
    std::string name = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (auto e = log::validate_topic_config(name, value); !e.empty())
      throw UsageError(fmt::format("--topic-default {}: {}", kv, e));
    to.broker_defaults[name] = value;
  }
  std::filesystem::create_directories(a.data_dir);
  return to;
}

}  // namespace

struct Server::Impl {
  RunArgs args;
  log::TopicStore topics;
  log::ProducerIds producer_ids;
  kafka::Broker broker;
  kafka::ApiTable apis = kafka::all_apis();
  std::unique_ptr<kafka::KafkaServer> kafka;
  std::unique_ptr<kafka::FetchWaiters> waiters;
  std::unique_ptr<kafka::group::Coordinator> groups;
  std::unique_ptr<cdc::ConnectorHost> connectors;
  std::unique_ptr<connect::Worker> worker;
  http::Router router;
  std::unique_ptr<http::HttpServer> http;
  bool started = false, stopped = false;

  explicit Impl(const RunArgs& a)
      : args(a), topics(store_options(a)), producer_ids(a.data_dir + "/producer_ids") {}
};

Server::Server(const RunArgs& a) : impl_(std::make_unique<Impl>(a)) {
  Impl& s = *impl_;
  s.broker.topics = &s.topics;
  s.broker.producer_ids = &s.producer_ids;
  s.broker.config.default_partitions = a.partitions;
  s.broker.config.auto_create_topics = !a.no_auto_create;
  s.broker.config.group_initial_rebalance_delay_ms = a.group_initial_rebalance_delay_ms;
  for (const auto& up : a.sasl_users) {
    auto colon = up.find(':');
    if (colon == std::string::npos) throw UsageError("--sasl-user takes USER:PASSWORD");
    s.broker.config.sasl_users[up.substr(0, colon)] = up.substr(colon + 1);
  }
  try {
    auto [host, port] = parse_host_port(a.kafka_listen);
    s.broker.config.advertised_host = a.advertised_host.empty() ? host : a.advertised_host;
    s.broker.config.port = port;
    s.kafka = std::make_unique<kafka::KafkaServer>(s.broker, s.apis, a.kafka_listen);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("--kafka-listen: {}", e.what()));
  }
  try {
    s.http = std::make_unique<http::HttpServer>(s.router, a.http_listen);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("--http-listen: {}", e.what()));
  }
  s.waiters = std::make_unique<kafka::FetchWaiters>(s.kafka->scheduler());
  s.broker.fetch_waiters = s.waiters.get();
  kafka::FetchWaiters* w = s.waiters.get();
  s.topics.set_append_listener([w] { w->wake(); });
  s.groups = std::make_unique<kafka::group::Coordinator>(s.broker);
  s.broker.groups = s.groups.get();
  try {
    s.groups->load();
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("cannot load committed offsets from __consumer_offsets: {}", e.what()));
  }
  s.connectors =
      std::make_unique<cdc::ConnectorHost>(&s.topics, &s.producer_ids, a.kafka_bootstrap);
  connect::WorkerOptions wo;
  wo.worker_id = fmt::format("{}:{}", s.broker.config.advertised_host, s.http->port());
  wo.external_kafka = !a.kafka_bootstrap.empty();
  s.worker = std::make_unique<connect::Worker>(s.topics, *s.connectors, wo);

  connect::ConnectInfo info;
  info.kafka_cluster_id = s.broker.config.cluster_id;
  info.root_override = [](const http::Request& req) -> std::optional<http::Response> {
    if (http::wants_html(req)) return http::console_index();
    return std::nullopt;
  };
  connect::add_connect_api(s.router, *s.worker, info);
  http::ApiContext ctx;
  ctx.topics = &s.topics;
  ctx.broker = &s.broker;
  ctx.connectors = s.connectors.get();
  // kafka_listener stays empty: the port is known once the listener starts, and the data API
  // then reads it from the broker's config.
  http::add_data_api(s.router, ctx);
  http::add_console_routes(s.router);
}

Server::~Server() { stop(); }

void Server::start() {
  Impl& s = *impl_;
  s.kafka->start();
  s.started = true;
  log::info(kLog, "Kafka listener on {}:{} (data in {})", s.broker.config.advertised_host,
            s.kafka->port(), s.args.data_dir);
  s.worker->start();
  for (const auto& file : s.args.connectors) {
    cdc::ConnectorConfig c;
    try {
      c = cdc::load_connector_config(file);
    } catch (const std::invalid_argument& e) {
      throw UsageError(fmt::format("--connector: {}", e.what()));
    }
    std::string name = c.name;
    connect::Properties props = c.properties;
    props.erase("name");
    if (!props.count("connector.class"))
      props["connector.class"] = "io.debezium.connector.postgresql.PostgresConnector";
    try {
      // Not reached first: a database that is still starting is retried by the connector.
      s.worker->put_config(name, props, /*reach_database=*/false);
    } catch (const connect::ConnectError& e) {
      throw UsageError(fmt::format("--connector {}: {}", file, e.what()));
    }
  }
  s.http->start();
  log::info(kLog, "Kafka Connect REST API and console on http://{}:{}/",
            s.broker.config.advertised_host, s.http->port());
}

void Server::stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.http) s.http->stop();
  if (s.worker) s.worker->shutdown();  // its status monitor first, then the connectors
  if (s.connectors) s.connectors->stop_all();
  if (s.kafka) s.kafka->stop();
  // Answers still waiting for an fsync post to the server's thread: drain them while it exists.
  s.topics.sync_wait({});
  if (s.groups) s.groups->shutdown();
  s.topics.set_append_listener(nullptr);
}

uint16_t Server::kafka_port() const { return impl_->kafka->port(); }
uint16_t Server::http_port() const { return impl_->http->port(); }
connect::Worker& Server::worker() { return *impl_->worker; }
log::TopicStore& Server::topics() { return impl_->topics; }

}  // namespace sluice::cli
