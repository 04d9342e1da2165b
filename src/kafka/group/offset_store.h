// Committed offsets, kept in memory and made durable as records of the compacted internal topic
// __consumer_offsets (one partition). Keys and values use Kafka's own layouts (offset commit key
// v1, value v3) so the topic reads like Kafka's; a null value deletes the key. load() replays the
// topic, last record winning. Used on the network thread only; writes complete there too.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kafka/server/handler.h"

namespace sluice::log {
class Partition;
}

namespace sluice::kafka::group {

inline constexpr std::string_view kOffsetsTopic = "__consumer_offsets";

struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp = -1;
};

// (topic, partition) -> offset
using GroupOffsets = std::map<std::pair<std::string, int32_t>, CommittedOffset>;

struct OffsetChange {
  std::string topic;
  int32_t partition = 0;
  std::optional<CommittedOffset> value;  // nullopt deletes
};

// The record key and value as stored (exposed for tests).
std::string encode_offset_key(std::string_view group, std::string_view topic, int32_t partition);
std::string encode_offset_value(const CommittedOffset& v);

class OffsetStore {
 public:
  // topics null: in memory only (unit tests of the membership logic).
  OffsetStore(log::TopicStore* topics, Scheduler* scheduler);
  ~OffsetStore();
  OffsetStore(const OffsetStore&) = delete;
  OffsetStore& operator=(const OffsetStore&) = delete;

  // Creates the topic when absent and rebuilds the map from it. Throws std::runtime_error when
  // the topic cannot be created or read.
  void load();

  // Appends the changes, waits until they are durable, then applies them to the map and calls
  // done(true) on the network thread; done(false) when the append or the fsync failed (nothing
  // is applied then).
  void write(const std::string& group, std::vector<OffsetChange> changes,
             std::function<void(bool ok)> done);

  const GroupOffsets* find(const std::string& group) const;
  const CommittedOffset* find(const std::string& group, const std::string& topic,
                              int32_t partition) const;
  std::vector<std::string> groups() const;

 private:
  void apply(const std::string& group, const std::vector<OffsetChange>& changes);
  void replay_batch(std::string_view batch, int64_t from);

  log::TopicStore* topics_;
  Scheduler* scheduler_;
  std::shared_ptr<log::Partition> partition_;
  std::map<std::string, GroupOffsets> offsets_;
  // Sync completions arrive on another thread and post back; they check this still lives.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace sluice::kafka::group
