#include "cdc/connector_host.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "cdc/connector_config.h"
#include "cdc/kafka_sink.h"
#include "cdc/source_connector.h"
#include "cdc/topic_sink.h"
#include "core/log.h"
#include "pg/pgoutput.h"

namespace sluice::cdc {

namespace {
constexpr const char* kLog = "connectors";
}

const char* to_string(ConnectorState s) {
  switch (s) {
    case ConnectorState::running:
      return "RUNNING";
    case ConnectorState::failed:
      return "FAILED";
    case ConnectorState::stopped:
      return "STOPPED";
  }
  return "UNKNOWN";
}

ConnectorHost::ConnectorHost(log::TopicStore* topics, log::ProducerIds* producer_ids,
                             std::string kafka_bootstrap)
    : topics_(topics), producer_ids_(producer_ids), kafka_bootstrap_(std::move(kafka_bootstrap)) {
  if (kafka_bootstrap_.empty() && (!topics_ || !producer_ids_))
    throw std::invalid_argument("connectors need the embedded log or a Kafka cluster");
}

ConnectorHost::~ConnectorHost() { stop_all(); }

ConnectorConfig load_connector_config(const std::string& file_or_json) {
  std::string text = file_or_json, source = "connector config";
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') {
    std::ifstream in(file_or_json);
    if (!in)
      throw std::invalid_argument(
          fmt::format("cannot read connector config {}: {}", file_or_json, std::strerror(errno)));
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    source = "connector config " + file_or_json;
  }
  try {
    ConnectorConfig config = ConnectorConfig::from_json(text);
    // The name keys the connector's position: a config without one uses its topic prefix.
    if (config.name.empty()) config.name = config.topic_prefix;
    return config;
  } catch (const ConfigError& e) {
    throw std::invalid_argument(fmt::format("invalid {}: {}", source, e.what()));
  }
}

std::string ConnectorHost::add(const std::string& file_or_json) {
  return add(load_connector_config(file_or_json));
}

std::string ConnectorHost::add(ConnectorConfig config) {
  // The name keys the connector's position: a config without one uses its topic prefix.
  if (config.name.empty()) config.name = config.topic_prefix;

  std::lock_guard lifecycle(lifecycle_mu_);
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(config.name);
    if (it != entries_.end()) {
      std::lock_guard elock(it->second->mu);
      if (it->second->state == ConnectorState::running)
        throw std::invalid_argument(
            fmt::format("a connector named '{}' is already running", config.name));
    }
  }
  // A failed or stopped one of that name is replaced (its thread has ended or is ending).
  std::unique_ptr<Entry> old;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(config.name);
    if (it != entries_.end()) {
      old = std::move(it->second);
      entries_.erase(it);
    }
  }
  if (old) join(*old);

  auto e = std::make_unique<Entry>();
  e->name = config.name;
  CaptureOptions opts;
  opts.stop = &e->stop;
  std::string heartbeat = adjust_topic_name(config.heartbeat_topic());
  try {
    if (kafka_bootstrap_.empty())
      opts.sink = std::make_shared<TopicSink>(*topics_, *producer_ids_, config.name,
                                              adjust_topic_name(config.topic_prefix), heartbeat);
    else
      opts.sink = std::make_shared<KafkaSink>(kafka_bootstrap_, config.name,
                                              adjust_topic_name(config.topic_prefix), heartbeat);
  } catch (const FatalError& ex) {
    throw std::invalid_argument(ex.what());
  }
  std::string name = config.name;
  e->connector = std::make_unique<SourceConnector>(std::move(config), std::move(opts));
  Entry* ep = e.get();
  {
    std::lock_guard lock(mu_);
    entries_[name] = std::move(e);
  }
  ep->thread = std::thread([this, ep] { run(*ep); });
  log::info(kLog, "started connector {} ({})", name,
            kafka_bootstrap_.empty() ? "embedded topics" : "Kafka cluster " + kafka_bootstrap_);
  return name;
}

void ConnectorHost::run(Entry& e) {
  std::string failure;
  try {
    e.connector->run();
  } catch (const FatalError& ex) {
    failure = ex.what();
  } catch (const pg::ProtocolError& ex) {
    failure = fmt::format("unexpected replication data: {}", ex.what());
  } catch (const std::exception& ex) {
    failure = ex.what();
  } catch (...) {
    failure = "unknown error";
  }
  std::lock_guard lock(e.mu);
  if (failure.empty()) {
    e.state = ConnectorState::stopped;
    log::info(kLog, "connector {} stopped after {} records", e.name,
              e.connector->records_written());
  } else {
    e.state = ConnectorState::failed;
    e.trace = failure;
    log::error(kLog, "connector {} failed: {}", e.name, failure);
  }
}

void ConnectorHost::join(Entry& e) {
  e.stop = true;
  if (e.thread.joinable()) e.thread.join();
}

void ConnectorHost::remove(const std::string& name) {
  std::lock_guard lifecycle(lifecycle_mu_);
  std::unique_ptr<Entry> e;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(name);
    if (it == entries_.end()) throw std::out_of_range(fmt::format("no connector named '{}'", name));
    e = std::move(it->second);
    entries_.erase(it);
  }
  join(*e);
}

std::optional<ConnectorStatus> ConnectorHost::status(const std::string& name) const {
  for (auto& s : status())
    if (s.name == name) return s;
  return std::nullopt;
}

std::vector<ConnectorStatus> ConnectorHost::status() const {
  std::lock_guard lock(mu_);
  std::vector<ConnectorStatus> out;
  for (const auto& [name, e] : entries_) {
    ConnectorStatus s;
    s.name = name;
    {
      std::lock_guard elock(e->mu);
      s.state = e->state;
      s.trace = e->trace;
    }
    s.records_written = e->connector->records_written();
    out.push_back(std::move(s));
  }
  return out;
}

void ConnectorHost::stop_all() {
  std::lock_guard lifecycle(lifecycle_mu_);
  std::vector<Entry*> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [_, e] : entries_) all.push_back(e.get());
  }
  for (auto* e : all) e->stop = true;  // all at once, then wait
  for (auto* e : all) join(*e);
}

}  // namespace sluice::cdc
