#include "cdc/kafka_sink.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <stdexcept>
#include <thread>

#include "cdc/fatal_error.h"
#include "core/log.h"
#include "log/topic_store.h"

namespace sluice::cdc {

namespace {

constexpr const char* kLog = "kafka-sink";
constexpr int kTimeoutMs = 30000;

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, name, value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    throw FatalError(fmt::format("Kafka client setting {}={}: {}", name, value, err));
  }
}

void on_log(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 3)
    log::error(kLog, "{}: {}", fac, buf);
  else if (level <= 4)
    log::warn(kLog, "{}: {}", fac, buf);
  else
    log::debug(kLog, "{}: {}", fac, buf);
}

rd_kafka_conf_t* base_conf(const std::string& bootstrap) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "client.id", "sluice");
  rd_kafka_conf_set_log_cb(conf, on_log);
  return conf;
}

}  // namespace

KafkaSink::KafkaSink(std::string bootstrap, std::string connector_name, std::string topic_prefix,
                     std::string heartbeat_topic)
    : bootstrap_(std::move(bootstrap)),
      name_(std::move(connector_name)),
      prefix_(std::move(topic_prefix)),
      heartbeat_topic_(std::move(heartbeat_topic)),
      key_(position_record_key(name_, prefix_)) {
  rd_kafka_conf_t* conf = base_conf(bootstrap_);
  set(conf, "enable.idempotence", "true");
  set(conf, "acks", "all");
  set(conf, "linger.ms", "5");
  set(conf, "partitioner", "murmur2_random");  // as the Java client, for any unplaced record
  set(conf, "message.timeout.ms", "120000");
  set(conf, "queue.buffering.max.messages", "1000000");
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::on_delivery);
  rd_kafka_conf_set_opaque(conf, this);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    throw FatalError(fmt::format("cannot create a Kafka producer for {}: {}", bootstrap_, err));
  }
}

KafkaSink::~KafkaSink() {
  if (!rk_) return;
  // Everything that counts was flushed by sync(); what is left after a failure is dropped
  // rather than waited for.
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_flush(rk_, 1000);
  for (auto& [_, t] : topics_) rd_kafka_topic_destroy(t.rkt);
  if (offsets_rkt_) rd_kafka_topic_destroy(offsets_rkt_);
  rd_kafka_destroy(rk_);
}

void KafkaSink::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  if (m->err) {
    if (self->error_.empty())
      self->error_ = fmt::format("delivery to {}-{} failed: {}", rd_kafka_topic_name(m->rkt),
                                 m->partition, rd_kafka_err2str(m->err));
    return;
  }
  if (auto* ps = static_cast<PartitionState*>(m->_private))
    ps->end = std::max(ps->end, m->offset + 1);
}

int32_t KafkaSink::partition_count(rd_kafka_topic_t* rkt) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  std::string why;
  while (std::chrono::steady_clock::now() < deadline) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, rkt, &md, 5000);
    int32_t n = 0;
    if (err) {
      why = rd_kafka_err2str(err);
    } else {
      if (md->topic_cnt == 1 && !md->topics[0].err) n = md->topics[0].partition_cnt;
      if (md->topic_cnt == 1 && md->topics[0].err) why = rd_kafka_err2str(md->topics[0].err);
      rd_kafka_metadata_destroy(md);
    }
    if (n > 0) return n;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // being auto-created
  }
  throw std::runtime_error(fmt::format("topic {} is not available on {}: {}",
                                       rd_kafka_topic_name(rkt), bootstrap_, why));
}

bool KafkaSink::watermarks(const std::string& topic, int32_t partition, int64_t& low,
                           int64_t& high) {
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &low, &high, kTimeoutMs);
  if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return false;
  if (err)
    throw std::runtime_error(fmt::format("cannot read the end offset of {}-{} on {}: {}", topic,
                                         partition, bootstrap_, rd_kafka_err2str(err)));
  return true;
}

void KafkaSink::create_offsets_topic() {
  char err[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(kOffsetsTopic, 1, -1, err, sizeof err);
  if (!nt) throw FatalError(fmt::format("cannot describe topic {}: {}", kOffsetsTopic, err));
  rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk_);
  rd_kafka_CreateTopics(rk_, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, kTimeoutMs + 5000);
  std::string problem;
  if (!ev) {
    problem = "no answer";
  } else if (rd_kafka_event_error(ev)) {
    problem = rd_kafka_event_error_string(ev);
  } else if (const auto* res = rd_kafka_event_CreateTopics_result(ev)) {
    size_t n = 0;
    const rd_kafka_topic_result_t** topics = rd_kafka_CreateTopics_result_topics(res, &n);
    if (n == 1 && rd_kafka_topic_result_error(topics[0]) &&
        rd_kafka_topic_result_error(topics[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
      problem = rd_kafka_topic_result_error_string(topics[0]);
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  // The cluster may still create it on first use (auto-creation), without compaction.
  if (!problem.empty())
    log::warn(kLog, "cannot create topic {} (cleanup.policy=compact) on {}: {}", kOffsetsTopic,
              bootstrap_, problem);
}

std::optional<std::string> KafkaSink::read_last_position() {
  int64_t low = 0, high = 0;
  if (!watermarks(kOffsetsTopic, offsets_partition_, low, high) || high <= low) return std::nullopt;
  // A consumer of its own, without a group: it only reads connect-offsets once, to its end.
  rd_kafka_conf_t* conf = base_conf(bootstrap_);
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.partition.eof", "true");
  char err[512];
  rd_kafka_t* c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!c) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(fmt::format("cannot create a Kafka consumer: {}", err));
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(c, kOffsetsTopic, nullptr);
  std::optional<std::string> last;
  std::string failure;
  if (rd_kafka_consume_start(rkt, offsets_partition_, RD_KAFKA_OFFSET_BEGINNING) != 0) {
    failure = rd_kafka_err2str(rd_kafka_last_error());
  } else {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    for (bool done = false; !done;) {
      if (std::chrono::steady_clock::now() > deadline) {
        failure = "timed out";
        break;
      }
      rd_kafka_message_t* m = rd_kafka_consume(rkt, offsets_partition_, 1000);
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        done = m->offset >= high;
      } else if (m->err) {
        failure = rd_kafka_message_errstr(m);
        done = true;
      } else {
        std::string_view key(static_cast<const char*>(m->key), m->key_len);
        if (m->key && key == key_)
          last = m->payload ? std::optional<std::string>(
                                  std::string(static_cast<const char*>(m->payload), m->len))
                            : std::nullopt;
        done = m->offset + 1 >= high;
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_consume_stop(rkt, offsets_partition_);
  }
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(c);
  if (!failure.empty())
    throw std::runtime_error(
        fmt::format("cannot read {} on {}: {}", kOffsetsTopic, bootstrap_, failure));
  return last;
}

void KafkaSink::forget_replay() {
  for (auto& [_, ps] : partitions_) {
    ps.end += ps.skip;
    ps.skip = 0;
  }
}

std::optional<Position> KafkaSink::recover() {
  create_offsets_topic();
  offsets_rkt_ = rd_kafka_topic_new(rk_, kOffsetsTopic, nullptr);
  offsets_partition_ = log::partition_for_key(key_, partition_count(offsets_rkt_));
  auto value = read_last_position();
  SinkPosition saved;
  if (value) saved = decode_position_record(*value);
  bool started_before = value.has_value();

  uint64_t skips = 0;
  for (const auto& [k, end] : saved.partitions) {
    PartitionState& ps = partitions_[k];
    ps.end = end;
    std::string topic;
    int32_t id = 0;
    int64_t low = 0, high = 0;
    if (!split_partition_key(k, topic, id) || topic == heartbeat_topic_) continue;
    if (!watermarks(topic, id, low, high)) continue;
    ps.end = std::min(end, high);  // lower when the topic was deleted and made anew
    ps.skip = high - ps.end;
    skips += uint64_t(ps.skip);
  }
  // Topics of the prefix not in the position: first written after it (all theirs is ours, the
  // single-writer assumption), or, on a first start, someone else's.
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 1, nullptr, &md, kTimeoutMs))
    throw std::runtime_error(
        fmt::format("cannot list the topics of {}: {}", bootstrap_, rd_kafka_err2str(err)));
  std::string dot = prefix_ + ".";
  for (int i = 0; i < md->topic_cnt; ++i) {
    std::string topic = md->topics[i].topic;
    if (!topic.starts_with(dot) || topic == heartbeat_topic_) continue;
    for (int j = 0; j < md->topics[i].partition_cnt; ++j) {
      int32_t id = md->topics[i].partitions[j].id;
      std::string k = partition_key(topic, id);
      int64_t low = 0, high = 0;
      if (partitions_.count(k) || !watermarks(topic, id, low, high)) continue;
      PartitionState& ps = partitions_[k];
      ps.skip = started_before ? high : 0;
      ps.end = high - ps.skip;
      skips += uint64_t(ps.skip);
    }
  }
  rd_kafka_metadata_destroy(md);
  if (skips > 0)
    log::info(kLog,
              "connector {}: {} records written after the last saved position are on {}; "
              "PostgreSQL sends them again and they are not written twice",
              name_, skips, bootstrap_);
  save_position(saved.position);
  flush_all();
  return saved.position;
}

KafkaSink::TopicState& KafkaSink::topic_state(std::string_view name) {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  std::string topic(name);
  TopicState t;
  t.rkt = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  if (!t.rkt)
    throw std::runtime_error(
        fmt::format("topic {}: {}", topic, rd_kafka_err2str(rd_kafka_last_error())));
  int32_t n = 0;
  try {
    n = partition_count(t.rkt);
  } catch (...) {
    rd_kafka_topic_destroy(t.rkt);
    throw;
  }
  for (int32_t p = 0; p < n; ++p) t.parts.push_back(&partitions_[partition_key(topic, p)]);
  return topics_.emplace(std::move(topic), std::move(t)).first->second;
}

void KafkaSink::produce(rd_kafka_topic_t* rkt, int32_t partition,
                        std::optional<std::string_view> key, std::optional<std::string_view> value,
                        const std::vector<kafka::RecordHeader>& headers, PartitionState* ps) {
  for (;;) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& h : headers)
        rd_kafka_header_add(hdrs, h.key.data(), ssize_t(h.key.size()),
                            h.value ? h.value->data() : nullptr,
                            h.value ? ssize_t(h.value->size()) : 0);
    }
    void* k = key ? const_cast<char*>(key->data()) : nullptr;
    void* v = value ? const_cast<char*>(value->data()) : nullptr;
    size_t klen = key ? key->size() : 0, vlen = value ? value->size() : 0;
    rd_kafka_resp_err_t err =
        hdrs ? rd_kafka_producev(rk_, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(k, klen),
                                 RD_KAFKA_V_VALUE(v, vlen), RD_KAFKA_V_HEADERS(hdrs),
                                 RD_KAFKA_V_OPAQUE(ps), RD_KAFKA_V_END)
             : rd_kafka_producev(rk_, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(k, klen),
                                 RD_KAFKA_V_VALUE(v, vlen), RD_KAFKA_V_OPAQUE(ps), RD_KAFKA_V_END);
    if (!err) return;
    if (hdrs) rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      throw std::runtime_error(fmt::format("cannot produce to {}-{}: {}", rd_kafka_topic_name(rkt),
                                           partition, rd_kafka_err2str(err)));
    rd_kafka_poll(rk_, 100);  // the queue is full: wait for deliveries
    if (!error_.empty()) throw std::runtime_error(error_);
  }
}

void KafkaSink::write(std::string_view lines) {
  for_each_line(lines, [&](std::string_view line) {
    if (!parser_.parse(line, record_)) throw std::runtime_error(parser_.error());
    TopicState& t = topic_state(record_.topic);
    int32_t id = record_.key ? log::partition_for_key(*record_.key, int32_t(t.parts.size())) : 0;
    PartitionState* ps = t.parts[size_t(id)];
    if (ps->skip > 0) {  // already on the cluster from before the restart
      --ps->skip;
      ++ps->end;
      return;
    }
    produce(t.rkt, id, record_.key, record_.value, record_.headers, ps);
  });
  rd_kafka_poll(rk_, 0);
  if (!error_.empty()) throw std::runtime_error(error_);
}

void KafkaSink::flush_all() {
  while (rd_kafka_outq_len(rk_) > 0) {
    rd_kafka_flush(rk_, 1000);
    char err[512];
    if (rd_kafka_fatal_error(rk_, err, sizeof err))
      throw std::runtime_error(fmt::format("Kafka producer failed: {}", err));
    if (!error_.empty()) break;
  }
  if (!error_.empty()) throw std::runtime_error(error_);
}

void KafkaSink::sync() { flush_all(); }

bool KafkaSink::save(Position& pos) {
  save_position(pos);
  return false;
}

void KafkaSink::save_position(const std::optional<Position>& pos) {
  SinkPosition sp;
  sp.position = pos;
  for (const auto& [k, ps] : partitions_) sp.partitions[k] = ps.end;
  std::string value = encode_position_record(sp);
  produce(offsets_rkt_, offsets_partition_, key_, value, {}, nullptr);
}

}  // namespace sluice::cdc
