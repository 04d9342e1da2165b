// Records into the embedded log's topics, exactly once across crashes, without ever cutting a
// shared partition. Each record goes to its line's topic (created with the broker's defaults
// when missing), partition murmur2(key) as Kafka Connect places it (a null key: partition 0),
// in one uncompressed idempotent batch per partition per write(). The position is a record of
// the compacted topic connect-offsets (position_record.h), appended only after the events'
// fsync returned, and holding the connector's producer id and, per partition written, the
// offset just past its last record.
//
// Recovery: records of the connector's producer id past those offsets were written after the
// position; PostgreSQL sends them again (it replays deterministically from the position), so the
// first that many records routed to each such partition are dropped. Each start bumps the
// producer epoch, so sequences restart at 0 as the log's idempotence checks require.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/position_record.h"
#include "cdc/record_line.h"
#include "cdc/sink.h"
#include "kafka/record_batch.h"
#include "log/producer_ids.h"
#include "log/topic_store.h"

namespace sluice::cdc {

class TopicSink : public Sink {
 public:
  // heartbeat_topic: its records are never dropped on replay (they are not replayed: a restart
  // makes new ones).
  TopicSink(log::TopicStore& store, log::ProducerIds& ids, std::string connector_name,
            std::string topic_prefix, std::string heartbeat_topic);
  ~TopicSink() override;

  std::optional<Position> recover() override;
  void forget_replay() override;
  void write(std::string_view lines) override;
  void sync() override;
  // Appends the position record; the next sync() makes it durable with the next records.
  bool save(Position& pos) override;
  // Under load, a round at most every 10 ms: each costs an fsync of several partitions through the
  // log's sync thread, and with small transactions rounds would otherwise come every few of them.
  std::chrono::microseconds sync_window() const override { return std::chrono::milliseconds(10); }
  std::string describe() const override { return "topics of the embedded log"; }

  int64_t producer_id() const { return pid_; }
  int16_t epoch() const { return epoch_; }
  // Records found already in the log at recovery and not yet dropped.
  uint64_t pending_skips() const;

 private:
  struct Run {  // records of ours at offsets [offset, offset + count)
    int64_t offset;
    int64_t count;
  };
  struct PartitionState {
    std::string key;  // "topic/partition"
    std::shared_ptr<log::Partition> part;
    int64_t end = 0;  // just past our last record that the next position covers
    int32_t next_seq = 0;
    std::deque<Run> skip;
    std::optional<kafka::BatchBuilder> batch;
    size_t batch_bytes = 0;
    bool unsynced = false;
  };
  struct TopicState {
    std::shared_ptr<log::Topic> topic;
    log::TopicConfig config;
    std::vector<PartitionState*> parts;  // by partition id; null until used
    size_t max_batch_bytes = 0;
    int codec = 0;         // compression of the connector's batches (compression.type)
    uint64_t checked = 0;  // write() call in which the topic was last looked up
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  TopicState& topic_state(std::string_view name);
  PartitionState& partition_state(TopicState& t, int32_t id);
  void append_batch(TopicState& t, PartitionState& p);
  // The records in p from offset `from` on of batches by producer id pid or prior_pid.
  static std::deque<Run> our_runs(log::Partition& p, int64_t from, int64_t pid, int64_t prior_pid);
  // Appends a position record, durable on return when sync_now (else at the next sync()).
  void append_position(const SinkPosition& sp, bool sync_now = true);
  void next_epoch();

  log::TopicStore& store_;
  log::ProducerIds& ids_;
  std::string name_, prefix_, heartbeat_topic_, key_;
  int64_t pid_ = -1, prior_pid_ = -1;
  int16_t epoch_ = 0;
  std::shared_ptr<log::Topic> offsets_topic_;
  std::shared_ptr<log::Partition> offsets_part_;
  SinkPosition last_saved_;

  std::map<std::string, PartitionState> partitions_;  // every partition ever written or found
  std::unordered_map<std::string, TopicState, StringHash, std::equal_to<>> topics_;
  std::vector<std::pair<TopicState*, PartitionState*>> touched_;  // batches of this write()
  std::vector<PartitionState*> unsynced_;
  bool position_unsynced_ = false;  // a position record awaits the next sync()
  uint64_t write_calls_ = 0;
  RecordLineParser parser_;
  RecordLine record_;
};

}  // namespace sluice::cdc
