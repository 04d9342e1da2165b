#include "cdc/topic_sink.h"

#include <fmt/format.h>

#include <climits>
#include <stdexcept>

#include "cdc/fatal_error.h"
#include "core/big_endian.h"
#include "core/clock.h"
#include "core/log.h"
#include "kafka/compression.h"
#include "log/batch_scan.h"

namespace sluice::cdc {

namespace {

constexpr const char* kLog = "capture";
constexpr size_t kBatchLimit = 1 << 20;  // split a partition's records into batches of this size
// Compaction never touches the active segment: small segments keep connect-offsets, which
// gains a record per flush, short for the recovery that reads it whole.
constexpr const char* kOffsetsSegmentBytes = "16777216";

}  // namespace

TopicSink::TopicSink(log::TopicStore& store, log::ProducerIds& ids, std::string connector_name,
                     std::string topic_prefix, std::string heartbeat_topic)
    : store_(store),
      ids_(ids),
      name_(std::move(connector_name)),
      prefix_(std::move(topic_prefix)),
      heartbeat_topic_(std::move(heartbeat_topic)),
      key_(position_record_key(name_, prefix_)) {}

TopicSink::~TopicSink() = default;

uint64_t TopicSink::pending_skips() const {
  uint64_t n = 0;
  for (const auto& [_, ps] : partitions_)
    for (const auto& r : ps.skip) n += uint64_t(r.count);
  return n;
}

std::deque<TopicSink::Run> TopicSink::our_runs(log::Partition& p, int64_t from, int64_t pid,
                                               int64_t prior_pid) {
  std::deque<Run> runs;
  log::for_each_batch(p, from, [&](const kafka::BatchHeader& h, std::string_view) {
    if (h.record_count <= 0 || h.producer_id < 0 ||
        (h.producer_id != pid && h.producer_id != prior_pid))
      return;
    Run r{h.base_offset, h.record_count};
    if (r.offset < from) {  // never the case for our own batches; stay safe anyway
      r.count -= from - r.offset;
      r.offset = from;
    }
    if (r.count <= 0) return;
    if (!runs.empty() && runs.back().offset + runs.back().count == r.offset)
      runs.back().count += r.count;
    else
      runs.push_back(r);
  });
  return runs;
}

std::optional<Position> TopicSink::recover() {
  offsets_topic_ = store_.find(kOffsetsTopic);
  if (!offsets_topic_) {
    auto r = store_.create(
        kOffsetsTopic, 1, {{"cleanup.policy", "compact"}, {"segment.bytes", kOffsetsSegmentBytes}});
    offsets_topic_ = r.topic ? r.topic : store_.find(kOffsetsTopic);
    if (!offsets_topic_)
      throw FatalError(fmt::format("cannot create topic {}: {}", kOffsetsTopic, r.message));
  }
  // Partitioned by key as Kafka Connect does, should the topic have several.
  offsets_part_ =
      offsets_topic_->partition(log::partition_for_key(key_, offsets_topic_->partition_count()));
  if (!offsets_part_) throw FatalError(fmt::format("topic {} has no partitions", kOffsetsTopic));

  auto last = log::last_value(*offsets_part_, key_);  // nullopt: none, or a reset
  SinkPosition saved;
  if (last) saved = decode_position_record(*last);

  // Each start takes the next epoch (sequences restart at 0); when epochs run out, a new
  // producer id, with the old one still counted until its records are behind the position.
  pid_ = saved.producer_id;
  prior_pid_ = saved.prior_producer_id;
  if (pid_ < 0) {
    pid_ = ids_.next();
    epoch_ = 0;
  } else if (saved.epoch >= INT16_MAX - 1) {
    prior_pid_ = pid_;
    pid_ = ids_.next();
    epoch_ = 0;
  } else {
    epoch_ = int16_t(saved.epoch + 1);
  }
  // Records of ours are those of the ids in the saved position.
  auto runs_of_saved = [&](log::Partition& p, int64_t from) {
    if (saved.producer_id < 0) return std::deque<Run>{};  // a first start: nothing is ours
    return our_runs(p, from, saved.producer_id, saved.prior_producer_id);
  };

  for (const auto& [k, end] : saved.partitions) {
    PartitionState& ps = partitions_[k];
    ps.key = k;
    ps.end = end;
    std::string topic;
    int32_t id = 0;
    if (!split_partition_key(k, topic, id) || topic == heartbeat_topic_) continue;
    auto t = store_.find(topic);
    auto p = t ? t->partition(id) : nullptr;
    if (!p) continue;
    ps.end = std::min(end, p->end_offset());  // lower when the topic was deleted and made anew
    ps.skip = runs_of_saved(*p, ps.end);
  }
  // A topic first written after the last position is not in the map but may hold our records
  // (a crash before the next save): look through the prefix's topics not yet known. Found ones
  // join the map, so later starts look only past their end.
  std::string dot = prefix_ + ".";
  for (const auto& t : store_.list()) {
    if (!t->name().starts_with(dot) || t->name() == heartbeat_topic_) continue;
    for (const auto& p : t->partitions()) {
      std::string k = partition_key(t->name(), p->id());
      if (partitions_.count(k)) continue;
      PartitionState& ps = partitions_[k];
      ps.key = k;
      int64_t end = p->end_offset();
      ps.skip = runs_of_saved(*p, 0);
      ps.end = ps.skip.empty() ? end : ps.skip.front().offset;
    }
  }
  uint64_t skips = pending_skips();
  if (skips == 0) prior_pid_ = -1;
  if (skips > 0)
    log::info(kLog,
              "connector {}: {} records written after the last saved position are in the log; "
              "PostgreSQL sends them again and they are not written twice",
              name_, skips);
  log::info(kLog, "connector {} writes to topics as producer {} epoch {}", name_, pid_, epoch_);

  // The new epoch (and, on a first start, the producer id) is durable before any event.
  SinkPosition start;
  start.position = saved.position;
  start.producer_id = pid_;
  start.epoch = epoch_;
  start.prior_producer_id = prior_pid_;
  for (const auto& [k, ps] : partitions_) start.partitions[k] = ps.end;
  append_position(start);
  return saved.position;
}

void TopicSink::forget_replay() {
  for (auto& [_, ps] : partitions_) {
    for (const Run& r : ps.skip) ps.end = std::max(ps.end, r.offset + r.count);
    ps.skip.clear();
  }
}

TopicSink::TopicState& TopicSink::topic_state(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) it = topics_.emplace(std::string(name), TopicState{}).first;
  TopicState& t = it->second;
  if (t.checked == write_calls_) return t;
  // Once per write(): the topic may have been deleted, re-created or grown meanwhile.
  auto topic = store_.find(name);
  if (!topic) topic = store_.find_or_create(it->first);
  if (!topic)
    throw std::runtime_error(
        fmt::format("cannot create topic {}: {}", name, log::TopicStore::check_topic_name(name)));
  if (topic != t.topic) {
    t.topic = topic;
    t.parts.clear();
  }
  t.config = topic->config();
  // A topic's compression.type applies to the connector's batches as to any producer's
  // ("producer" and "uncompressed" store them as they are).
  std::string type = t.config.get("compression.type");
  t.codec = type == "gzip" ? 1 : type == "snappy" ? 2 : type == "lz4" ? 3 : type == "zstd" ? 4 : 0;
  int64_t max = t.config.max_message_bytes();
  t.max_batch_bytes = size_t(std::clamp<int64_t>(max - 512, 1, int64_t(kBatchLimit)));
  size_t n = size_t(std::max(topic->partition_count(), 1));
  if (t.parts.size() != n) t.parts.resize(n, nullptr);
  t.checked = write_calls_;
  return t;
}

TopicSink::PartitionState& TopicSink::partition_state(TopicState& t, int32_t id) {
  PartitionState*& slot = t.parts[size_t(id)];
  if (slot) return *slot;
  std::string k = partition_key(t.topic->name(), id);
  PartitionState& ps = partitions_[k];
  if (ps.key.empty()) ps.key = std::move(k);
  auto part = t.topic->partition(id);
  if (!part)
    throw std::runtime_error(fmt::format("partition {} of {} is gone", id, t.topic->name()));
  if (part != ps.part) {
    ps.part = std::move(part);
    ps.next_seq = 0;  // a partition we have not written in this epoch
  }
  slot = &ps;
  return ps;
}

void TopicSink::write(std::string_view lines) {
  ++write_calls_;
  int64_t now = unix_millis();
  touched_.clear();
  for_each_line(lines, [&](std::string_view line) {
    if (!parser_.parse(line, record_)) throw std::runtime_error(parser_.error());
    TopicState& t = topic_state(record_.topic);
    int32_t id = record_.key ? log::partition_for_key(*record_.key, int32_t(t.parts.size())) : 0;
    PartitionState& ps = partition_state(t, id);
    if (!ps.skip.empty()) {
      // Already in the log from before the restart: the position moves past it instead.
      Run& r = ps.skip.front();
      ps.end = r.offset + 1;
      ++r.offset;
      if (--r.count == 0) ps.skip.pop_front();
      return;
    }
    size_t size = line.size() + 32;
    if (ps.batch && ps.batch_bytes + size > t.max_batch_bytes) append_batch(t, ps);
    if (!ps.batch) {
      ps.batch.emplace(now);
      ps.batch_bytes = 0;
      touched_.emplace_back(&t, &ps);
    }
    ps.batch->add(record_.key, record_.value, now, record_.headers);
    ps.batch_bytes += size;
  });
  for (auto [t, ps] : touched_)
    if (ps->batch) append_batch(*t, *ps);
  if (!touched_.empty()) store_.notify_append();
}

void TopicSink::append_batch(TopicState& t, PartitionState& ps) {
  int32_t count = int32_t(ps.batch->count());
  if (int64_t(ps.next_seq) + count - 1 > INT32_MAX) next_epoch();
  std::string batch = ps.batch->finish(pid_, epoch_, ps.next_seq, t.codec);
  ps.batch.reset();
  auto r = ps.part->append(std::move(batch), t.config);
  if (r.error != 0)
    throw std::runtime_error(fmt::format("cannot append {} records to {}: {} (Kafka error {})",
                                         count, ps.key, r.message, r.error));
  ps.next_seq = int32_t(uint32_t(ps.next_seq) + uint32_t(count));
  ps.end = r.base_offset + count;
  if (!ps.unsynced) {
    ps.unsynced = true;
    unsynced_.push_back(&ps);
  }
}

void TopicSink::sync() {
  if (unsynced_.empty() && !position_unsynced_) return;
  std::vector<std::shared_ptr<log::Partition>> parts;
  parts.reserve(unsynced_.size() + 1);
  for (auto* ps : unsynced_) {
    parts.push_back(ps->part);
    ps->unsynced = false;
  }
  unsynced_.clear();
  // The position saved last covers only records synced before it was appended: it may share
  // this round with the records written since.
  if (position_unsynced_) parts.push_back(offsets_part_);
  position_unsynced_ = false;
  if (!store_.sync_wait(std::move(parts)))
    throw std::runtime_error(
        "cannot make the records durable: fsync of the topics' partitions failed (see the log)");
}

bool TopicSink::save(Position& pos) {
  SinkPosition sp;
  sp.position = pos;
  sp.producer_id = pid_;
  sp.epoch = epoch_;
  bool skips = false;
  for (const auto& [k, ps] : partitions_) {
    sp.partitions[k] = ps.end;
    skips = skips || !ps.skip.empty();
  }
  if (skips) sp.prior_producer_id = prior_pid_;
  append_position(sp, false);
  return false;
}

void TopicSink::next_epoch() {
  // Sequences ran out (2^31 records in one partition): the next epoch starts them at 0 again,
  // durably first. The position saved last still holds (records since are counted by id).
  if (epoch_ >= INT16_MAX - 1)
    throw std::runtime_error("producer epochs exhausted: restart the connector");
  SinkPosition sp = last_saved_;
  sp.epoch = ++epoch_;
  for (auto& [_, ps] : partitions_) ps.next_seq = 0;
  append_position(sp);
}

void TopicSink::append_position(const SinkPosition& sp, bool sync_now) {
  std::string value = encode_position_record(sp);
  int64_t now = unix_millis();
  kafka::BatchBuilder b(now);
  b.add(key_, value, now);
  auto r = offsets_part_->append(b.finish(), offsets_topic_->config());
  if (r.error != 0)
    throw std::runtime_error(fmt::format("cannot save the position in {}: {} (Kafka error {})",
                                         kOffsetsTopic, r.message, r.error));
  store_.notify_append();
  last_saved_ = sp;
  position_unsynced_ = true;
  if (sync_now) sync();
}

}  // namespace sluice::cdc
