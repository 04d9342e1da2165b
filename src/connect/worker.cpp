#include "connect/worker.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <utility>

#include "cdc/connector_config.h"
#include "cdc/connector_host.h"
#include "cdc/position_record.h"
#include "connect/validation.h"
#include "core/log.h"

namespace sluice::connect {

namespace {

constexpr const char* kLog = "connect";

std::string status_key(const ConnectorStatusView& v) {
  return v.state + "|" + v.trace + "|" + (v.task ? v.task->state + "|" + v.task->trace : "-");
}

std::string topic_prefix(const Properties& config) {
  auto it = config.find("topic.prefix");
  if (it != config.end() && !it->second.empty()) return it->second;
  it = config.find("database.server.name");
  return it != config.end() ? it->second : std::string();
}

}  // namespace

Worker::Worker(log::TopicStore& topics, cdc::ConnectorHost& host, WorkerOptions options)
    : topics_(topics), host_(host), options_(std::move(options)), store_(topics) {}

Worker::~Worker() { shutdown(); }

void Worker::shutdown() {
  {
    std::lock_guard lock(monitor_mu_);
    stopping_ = true;
  }
  monitor_cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

void Worker::start() {
  auto stored = store_.load_configs();
  std::lock_guard life(lifecycle_mu_);
  for (auto& [name, c] : stored) {
    {
      std::lock_guard lock(mu_);
      Entry& e = entries_[name];
      e.config = std::move(c.config);
      e.target = c.target;
    }
    if (c.target == TargetState::running) launch(name);
    std::lock_guard lock(mu_);
    publish(name);
  }
  log::info(kLog, "{} connector(s) loaded from {}", stored.size(), kConfigsTopic);
  monitor_ = std::thread([this] { monitor(); });
}

// Failures happen on the connectors' own threads: look for status changes and publish them.
void Worker::monitor() {
  std::unique_lock lock(monitor_mu_);
  while (!stopping_) {
    monitor_cv_.wait_for(lock, std::chrono::milliseconds(500));
    if (stopping_) break;
    lock.unlock();
    try {
      std::lock_guard l(mu_);
      for (const auto& [name, _] : entries_) publish(name);
    } catch (const std::exception& e) {
      log::warn(kLog, "cannot publish connector statuses: {}", e.what());
    }
    lock.lock();
  }
}

void Worker::publish(const std::string& name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) return;
  ConnectorStatusView v = view(name, it->second);
  std::string key = status_key(v);
  if (published_[name] == key) return;
  StoredStatus c{v.state, v.trace, options_.worker_id};
  std::optional<StoredStatus> t;
  if (v.task) t = StoredStatus{v.task->state, v.task->trace, options_.worker_id};
  store_.put_status(name, c, t);
  published_[name] = key;
}

std::vector<std::string> Worker::names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, _] : entries_) out.push_back(name);
  return out;
}

const Worker::Entry& Worker::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw ConnectError(404, fmt::format("Connector {} not found", name));
  return it->second;
}

Worker::Entry& Worker::entry(const std::string& name) {
  return const_cast<Entry&>(std::as_const(*this).entry(name));
}

void Worker::check_config(const std::string& name, Properties& config, bool reach_database) const {
  if (name.empty()) throw ConnectError(400, "Connector name is required");
  for (char c : name)
    if (static_cast<unsigned char>(c) < 0x20 || c == '/')
      throw ConnectError(400, "Connector name contains a control character or '/'");
  auto n = config.find("name");
  if (n != config.end() && n->second != name)
    throw ConnectError(400, fmt::format("Connector name configuration ({}) doesn't match "
                                        "connector name in the URL ({})",
                                        n->second, name));
  config["name"] = name;
  auto cls = config.find("connector.class");
  if (cls == config.end() || cls->second.empty()) {
    std::string shown;
    for (const auto& [k, v] : config)
      shown += fmt::format("{}{}={}", shown.empty() ? "" : ", ", k,
                           k == "database.password" ? "[hidden]" : v);
    throw ConnectError(400,
                       fmt::format("Connector config {{{}}} contains no connector type", shown));
  }
  Validation v = validate(config, reach_database && options_.check_database);
  if (v.error_count() > 0) throw ConnectError(400, v.message());
}

void Worker::launch(const std::string& name) {
  Properties config;
  {
    std::lock_guard lock(mu_);
    config = entry(name).config;
  }
  std::string error;
  try {
    host_.add(cdc::ConnectorConfig::from_properties(name, config));
  } catch (const std::exception& ex) {
    error = ex.what();
    log::error(kLog, "connector {} cannot start: {}", name, ex.what());
  }
  std::lock_guard lock(mu_);
  if (auto it = entries_.find(name); it != entries_.end()) it->second.launch_error = error;
}

void Worker::halt(const std::string& name) {
  try {
    host_.remove(name);
  } catch (const std::out_of_range&) {
    // not running
  }
}

void Worker::create(const std::string& name, Properties config, TargetState initial) {
  check_config(name, config, true);
  std::lock_guard life(lifecycle_mu_);
  {
    std::lock_guard lock(mu_);
    if (entries_.count(name))
      throw ConnectError(409, fmt::format("Connector {} already exists", name));
    // The target state first: a crash between the two writes must not start a connector that
    // was asked to be created paused or stopped.
    if (initial != TargetState::running) store_.put_target_state(name, initial);
    store_.put_config(name, config);
    Entry& e = entries_[name];
    e.config = std::move(config);
    e.target = initial;
  }
  if (initial == TargetState::running) launch(name);
  std::lock_guard lock(mu_);
  publish(name);
  log::info(kLog, "created connector {}", name);
}

bool Worker::apply_config(const std::string& name, Properties config) {
  bool created, running;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(name);
    created = it == entries_.end();
    if (!created && it->second.config == config) return false;  // unchanged: leave it running
    store_.put_config(name, config);
    Entry& e = entries_[name];
    e.config = std::move(config);
    running = e.target == TargetState::running;
  }
  if (!created) halt(name);
  if (running) launch(name);
  std::lock_guard lock(mu_);
  publish(name);
  log::info(kLog, "{} connector {}", created ? "created" : "reconfigured", name);
  return created;
}

bool Worker::put_config(const std::string& name, Properties config, bool reach_database) {
  check_config(name, config, reach_database);
  std::lock_guard life(lifecycle_mu_);
  return apply_config(name, std::move(config));
}

void Worker::patch_config(const std::string& name,
                          const std::map<std::string, std::optional<std::string>>& changes) {
  // Merged under the lifecycle lock, so concurrent patches and a delete cannot interleave.
  std::lock_guard life(lifecycle_mu_);
  Properties config;
  {
    std::lock_guard lock(mu_);
    config = entry(name).config;
  }
  for (const auto& [k, v] : changes) {
    if (v)
      config[k] = *v;
    else
      config.erase(k);
  }
  check_config(name, config, true);
  apply_config(name, std::move(config));
}

Properties Worker::config(const std::string& name) const {
  std::lock_guard lock(mu_);
  return entry(name).config;
}

void Worker::remove(const std::string& name) {
  std::lock_guard life(lifecycle_mu_);
  {
    std::lock_guard lock(mu_);
    entry(name);
    store_.remove(name);  // first: a failed write leaves the connector as it was
    entries_.erase(name);
    published_.erase(name);
  }
  halt(name);
  log::info(kLog, "deleted connector {}", name);
}

// Sets the target state; returns false when it already was that.
static bool set_target(ConnectStore& store, const std::string& name, TargetState& current,
                       TargetState target) {
  if (current == target) return false;
  store.put_target_state(name, target);
  current = target;
  return true;
}

void Worker::pause(const std::string& name) {
  std::lock_guard life(lifecycle_mu_);
  {
    std::lock_guard lock(mu_);
    if (!set_target(store_, name, entry(name).target, TargetState::paused)) return;
  }
  halt(name);  // a clean stop: everything written is durable and confirmed
  std::lock_guard lock(mu_);
  publish(name);
}

void Worker::resume(const std::string& name) {
  std::lock_guard life(lifecycle_mu_);
  {
    std::lock_guard lock(mu_);
    if (!set_target(store_, name, entry(name).target, TargetState::running)) return;
  }
  launch(name);
  std::lock_guard lock(mu_);
  publish(name);
}

void Worker::stop(const std::string& name) {
  std::lock_guard life(lifecycle_mu_);
  {
    std::lock_guard lock(mu_);
    if (!set_target(store_, name, entry(name).target, TargetState::stopped)) return;
  }
  halt(name);
  std::lock_guard lock(mu_);
  publish(name);
}

bool Worker::restart(const std::string& name, bool include_tasks, bool only_failed) {
  std::lock_guard life(lifecycle_mu_);
  {
    std::lock_guard lock(mu_);
    const Entry& e = entry(name);
    if (e.target != TargetState::running) return false;
    ConnectorStatusView v = view(name, e);
    bool failed = v.state == "FAILED" || (include_tasks && v.task && v.task->state == "FAILED");
    if (only_failed && !failed) return false;
  }
  // One task does all the work, so restarting the connector restarts its task too.
  halt(name);
  launch(name);
  std::lock_guard lock(mu_);
  publish(name);
  log::info(kLog, "restarted connector {}", name);
  return true;
}

ConnectorStatusView Worker::view(const std::string& name, const Entry& e) const {
  ConnectorStatusView v;
  v.name = name;
  v.config = e.config;
  v.target = e.target;
  switch (e.target) {
    case TargetState::stopped:
      v.state = "STOPPED";
      return v;
    case TargetState::paused:
      v.state = "PAUSED";
      v.task = TaskStatus{"PAUSED", ""};
      return v;
    case TargetState::running:
      break;
  }
  if (!e.launch_error.empty()) {
    v.state = "FAILED";
    v.trace = e.launch_error;
    return v;
  }
  auto s = host_.status(name);
  if (!s) {
    v.state = "UNASSIGNED";
    v.task = TaskStatus{"UNASSIGNED", ""};
    return v;
  }
  v.records_written = s->records_written;
  v.state = "RUNNING";  // as in Kafka Connect, failures are the task's
  switch (s->state) {
    case cdc::ConnectorState::running:
      v.task = TaskStatus{"RUNNING", ""};
      break;
    case cdc::ConnectorState::failed:
      v.task = TaskStatus{"FAILED", s->trace};
      break;
    case cdc::ConnectorState::stopped:  // finished by itself (snapshot.mode=initial_only)
      v.task = TaskStatus{"STOPPED", ""};
      break;
  }
  return v;
}

ConnectorStatusView Worker::status(const std::string& name) const {
  std::lock_guard lock(mu_);
  return view(name, entry(name));
}

std::vector<ConnectorStatusView> Worker::statuses() const {
  std::lock_guard lock(mu_);
  std::vector<ConnectorStatusView> out;
  for (const auto& [name, e] : entries_) out.push_back(view(name, e));
  return out;
}

std::string Worker::offsets_key(const std::string& name) const {
  return cdc::position_record_key(name, topic_prefix(entry(name).config));
}

std::string Worker::offsets_json(const std::string& name) const {
  std::lock_guard lock(mu_);
  std::string key = offsets_key(name);
  std::string server = topic_prefix(entry(name).config);
  if (options_.external_kafka)
    throw ConnectError(501,
                       "The offsets of this connector are kept in the external Kafka "
                       "cluster it writes to; read its connect-offsets topic there");
  auto value = store_.last_value(cdc::kOffsetsTopic, key);
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("offsets");
  w.StartArray();
  rapidjson::Document d;
  if (value) d.Parse(value->data(), value->size());
  if (value && !d.HasParseError() && d.IsObject()) {
    w.StartObject();
    w.Key("partition");
    w.StartObject();
    w.Key("server");
    w.String(server.c_str(), rapidjson::SizeType(server.size()));
    w.EndObject();
    w.Key("offset");
    d.RemoveMember("sluice");  // our own bookkeeping, not Debezium's offset
    d.Accept(w);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return sb.GetString();
}

void Worker::require_stopped(const std::string& name) const {
  if (entry(name).target != TargetState::stopped)
    throw ConnectError(400, fmt::format("Connectors must be in the STOPPED state before their "
                                        "offsets can be modified. This can be done for the "
                                        "specified connector by issuing a 'PUT' request to the "
                                        "'/connectors/{}/stop' endpoint",
                                        name));
  if (options_.external_kafka)
    throw ConnectError(501,
                       "The offsets of this connector are kept in the external Kafka "
                       "cluster it writes to");
}

void Worker::reset_offsets(const std::string& name) {
  std::lock_guard life(lifecycle_mu_);  // the connector stays stopped until this is written
  std::lock_guard lock(mu_);
  require_stopped(name);
  store_.write(cdc::kOffsetsTopic, offsets_key(name), std::nullopt);
  log::info(kLog, "reset the offsets of connector {}", name);
}

void Worker::alter_offsets(const std::string& name, const std::string& body) {
  std::lock_guard life(lifecycle_mu_);
  std::lock_guard lock(mu_);
  require_stopped(name);
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("offsets") || !d["offsets"].IsArray())
    throw ConnectError(400,
                       "The request body must be {\"offsets\":[{\"partition\":{…},"
                       "\"offset\":{…}}]}");
  std::string server = topic_prefix(entry(name).config);
  std::string key = offsets_key(name);
  if (d["offsets"].Empty())
    throw ConnectError(400,
                       "Partitions / offsets need to be provided for an alter offsets "
                       "request");
  // Every entry is checked before anything is written.
  std::optional<std::string> value;  // the record to write (nullopt: a reset)
  for (const auto& o : d["offsets"].GetArray()) {
    if (!o.IsObject() || !o.HasMember("partition") || !o["partition"].IsObject() ||
        !o["partition"].HasMember("server") || !o["partition"]["server"].IsString() ||
        o["partition"]["server"].GetString() != server)
      throw ConnectError(400, fmt::format("Each offset needs the partition "
                                          "{{\"server\":\"{}\"}} of this connector",
                                          server));
    auto off = o.FindMember("offset");
    if (off == o.MemberEnd() || off->value.IsNull()) {
      value.reset();
      continue;
    }
    const auto& v = off->value;
    if (!v.IsObject()) throw ConnectError(400, "An offset must be a JSON object or null");
    auto lsn_of = [&](const char* field) -> std::optional<uint64_t> {
      auto it = v.FindMember(field);
      if (it == v.MemberEnd()) return std::nullopt;
      if (!it->value.IsUint64())
        throw ConnectError(400,
                           fmt::format("offset field {} must be a non-negative integer", field));
      return it->value.GetUint64();
    };
    auto lsn = lsn_of("lsn");
    auto commit = lsn_of("lsn_commit");
    if (!lsn && !commit) throw ConnectError(400, "An offset needs \"lsn\" or \"lsn_commit\"");
    cdc::SinkPosition sp;
    if (auto old = store_.last_value(cdc::kOffsetsTopic, key))
      sp = cdc::decode_position_record(*old);
    cdc::Position p = sp.position.value_or(cdc::Position{});
    p.resume_lsn = lsn ? *lsn : *commit;
    p.last_commit_lsn = commit ? *commit : *lsn;
    p.has_partial = false;
    p.partial_xid = 0;
    p.partial_count = 0;
    if (auto tx = lsn_of("txId")) p.last_xid = uint32_t(*tx);
    sp.position = p;
    value = cdc::encode_position_record(sp);
  }
  store_.write(cdc::kOffsetsTopic, key, value);
  log::info(kLog, "altered the offsets of connector {}", name);
}

std::vector<std::string> Worker::topics(const std::string& name) const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  if (options_.external_kafka) return out;
  auto value = store_.last_value(cdc::kOffsetsTopic, offsets_key(name));
  if (!value) return out;
  try {
    auto sp = cdc::decode_position_record(*value);
    std::string topic, last;
    int32_t partition = 0;
    for (const auto& [k, _] : sp.partitions)
      if (cdc::split_partition_key(k, topic, partition) && topic != last) {
        out.push_back(topic);
        last = topic;
      }
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace sluice::connect
