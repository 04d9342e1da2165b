#include "kafka/group/offset_store.h"

#include <stdexcept>

#include "core/clock.h"
#include "core/log.h"
#include "kafka/errors.h"
#include "kafka/record_batch.h"
#include "log/topic_store.h"

namespace sluice::kafka::group {

namespace {

constexpr int16_t kKeyVersion = 1;    // Kafka's OffsetCommitKey: group, topic, partition
constexpr int16_t kValueVersion = 3;  // Kafka's OffsetCommitValue v3: offset, epoch, metadata, ts
constexpr size_t kMaxBatchBytes = 512 * 1024;  // well under max.message.bytes (1 MiB)
constexpr size_t kReadChunk = 4 << 20;

struct DecodedKey {
  std::string group, topic;
  int32_t partition = 0;
};

// nullopt for keys of other kinds or versions (e.g. written by a later sluice): skipped.
std::optional<DecodedKey> decode_key(std::string_view bytes) {
  Reader r(bytes);
  if (r.i16() != kKeyVersion) return std::nullopt;
  DecodedKey k;
  k.group = r.string();
  k.topic = r.string();
  k.partition = r.i32();
  return k;
}

std::optional<CommittedOffset> decode_value(std::string_view bytes) {
  Reader r(bytes);
  if (r.i16() != kValueVersion) return std::nullopt;
  CommittedOffset v;
  v.offset = r.i64();
  v.leader_epoch = r.i32();
  v.metadata = r.string();
  v.commit_timestamp = r.i64();
  return v;
}

}  // namespace

std::string encode_offset_key(std::string_view group, std::string_view topic, int32_t partition) {
  std::string out;
  Writer w(out);
  w.i16(kKeyVersion);
  w.string(group);
  w.string(topic);
  w.i32(partition);
  return out;
}

std::string encode_offset_value(const CommittedOffset& v) {
  std::string out;
  Writer w(out);
  w.i16(kValueVersion);
  w.i64(v.offset);
  w.i32(v.leader_epoch);
  w.string(v.metadata);
  w.i64(v.commit_timestamp);
  return out;
}

OffsetStore::OffsetStore(log::TopicStore* topics, Scheduler* scheduler)
    : topics_(topics), scheduler_(scheduler) {}

OffsetStore::~OffsetStore() = default;

void OffsetStore::load() {
  if (!topics_) return;
  auto topic = topics_->find(kOffsetsTopic);
  if (!topic) {
    // Kafka's offsets.topic.segment.bytes (100 MiB) so compaction can start on closed segments.
    auto created = topics_->create(std::string(kOffsetsTopic), 1,
                                   {{"cleanup.policy", "compact"}, {"segment.bytes", "104857600"}});
    if (created.error != err::kNone && created.error != err::kTopicAlreadyExists)
      throw std::runtime_error("cannot create " + std::string(kOffsetsTopic) + ": " +
                               created.message);
    topic = created.topic ? created.topic : topics_->find(kOffsetsTopic);
  }
  if (!topic || !(partition_ = topic->partition(0)))
    throw std::runtime_error(std::string(kOffsetsTopic) + " has no partition 0");

  offsets_.clear();
  int64_t offset = partition_->start_offset();
  const int64_t end = partition_->end_offset();
  while (offset < end) {
    std::string bytes = partition_->read(offset, kReadChunk);
    std::string_view rest = bytes;
    int64_t next = offset;
    while (rest.size() >= kBatchHeaderSize) {
      auto size = check_batch(rest.substr(0, kBatchHeaderSize)).header.total_size();
      if (size > rest.size()) break;  // a trailing partial batch: read again from it
      auto check = check_batch(rest.substr(0, size));
      if (!check.ok()) throw std::runtime_error(std::string(kOffsetsTopic) + ": " + check.error);
      replay_batch(rest.substr(0, size), offset);
      next = check.header.base_offset + check.header.last_offset_delta + 1;
      rest.remove_prefix(size);
    }
    if (next <= offset) break;  // nothing whole came back; should not happen
    offset = next;
  }
  size_t n = 0;
  for (auto& [g, o] : offsets_) n += o.size();
  log::info("groups", "loaded {} committed offsets of {} groups", n, offsets_.size());
}

void OffsetStore::replay_batch(std::string_view batch, int64_t from) {
  auto h = check_batch(batch).header;
  if (h.control() || h.compression() != 0) return;  // we only ever write plain batches
  std::vector<Record> records;
  if (auto e = read_records(batch, records); !e.empty())
    throw std::runtime_error(std::string(kOffsetsTopic) + ": " + e);
  for (auto& rec : records) {
    if (h.base_offset + rec.offset_delta < from || !rec.key) continue;
    auto key = decode_key(*rec.key);
    if (!key) continue;
    if (!rec.value) {
      auto g = offsets_.find(key->group);
      if (g == offsets_.end()) continue;
      g->second.erase({key->topic, key->partition});
      if (g->second.empty()) offsets_.erase(g);
    } else if (auto v = decode_value(*rec.value)) {
      offsets_[key->group][{key->topic, key->partition}] = *v;
    }
  }
}

void OffsetStore::apply(const std::string& group, const std::vector<OffsetChange>& changes) {
  for (auto& c : changes) {
    if (c.value) {
      offsets_[group][{c.topic, c.partition}] = *c.value;
    } else if (auto g = offsets_.find(group); g != offsets_.end()) {
      g->second.erase({c.topic, c.partition});
      if (g->second.empty()) offsets_.erase(g);
    }
  }
}

void OffsetStore::write(const std::string& group, std::vector<OffsetChange> changes,
                        std::function<void(bool ok)> done) {
  if (!topics_ || !partition_) {
    apply(group, changes);
    done(true);
    return;
  }
  auto topic = topics_->find(kOffsetsTopic);
  if (!topic) {
    log::error("groups", "{} is gone; offsets of group {} not stored", kOffsetsTopic, group);
    done(false);
    return;
  }
  auto config = topic->config();
  const int64_t ts = unix_millis();
  auto append = [&](const BatchBuilder& b) {
    auto r = partition_->append(b.finish(), config);
    if (r.error != err::kNone)
      log::error("groups", "storing offsets of group {}: {}", group, r.message);
    return r.error == err::kNone;
  };
  // Several batches when the commit is large; each batch is stored whole or not at all.
  BatchBuilder batch(ts);
  size_t bytes = 0;
  bool ok = true;
  for (auto& c : changes) {
    std::string key = encode_offset_key(group, c.topic, c.partition);
    std::optional<std::string> value;
    if (c.value) value = encode_offset_value(*c.value);
    size_t size = key.size() + (value ? value->size() : 0) + 16;
    if (batch.count() > 0 && bytes + size > kMaxBatchBytes) {
      ok = ok && append(batch);
      batch = BatchBuilder(ts);
      bytes = 0;
    }
    batch.add(key, value ? std::optional<std::string_view>(*value) : std::nullopt, ts);
    bytes += size;
  }
  if (batch.count() > 0) ok = ok && append(batch);
  if (!ok) {
    done(false);
    return;
  }
  topics_->sync({partition_},
                [sched = scheduler_, alive = std::weak_ptr<char>(alive_), this, group,
                 changes = std::move(changes), done = std::move(done)](bool synced) mutable {
                  // Back on the network thread, so the map changes before the answer is sent
                  // and a following OffsetFetch sees the commit.
                  sched->post([alive, this, group = std::move(group), changes = std::move(changes),
                               done = std::move(done), synced] {
                    if (!alive.lock()) return;
                    if (synced) apply(group, changes);
                    done(synced);
                  });
                });
}

const GroupOffsets* OffsetStore::find(const std::string& group) const {
  auto it = offsets_.find(group);
  return it == offsets_.end() ? nullptr : &it->second;
}

const CommittedOffset* OffsetStore::find(const std::string& group, const std::string& topic,
                                         int32_t partition) const {
  auto g = find(group);
  if (!g) return nullptr;
  auto it = g->find({topic, partition});
  return it == g->end() ? nullptr : &it->second;
}

std::vector<std::string> OffsetStore::groups() const {
  std::vector<std::string> out;
  for (auto& [g, o] : offsets_) out.push_back(g);
  return out;
}

}  // namespace sluice::kafka::group
