// Records into an external Kafka cluster through librdkafka (an idempotent producer, acks=all),
// the position a record of the cluster's compacted topic connect-offsets (position_record.h),
// produced after the events' flush returned.
//
// Placement matches Kafka Connect: partition murmur2(key bytes) of the topic's partition count
// (read once per topic); a null key goes to partition 0. Recovery counts, per partition in the
// position, the records past the saved end offset (high watermark - saved end) and drops that
// many of the records PostgreSQL sends again. librdkafka does not show consumers a record's
// producer id, so this assumes the connector is the only writer of its topics.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/position_record.h"
#include "cdc/record_line.h"
#include "cdc/sink.h"

struct rd_kafka_s;
struct rd_kafka_topic_s;
struct rd_kafka_message_s;

namespace sluice::cdc {

class KafkaSink : public Sink {
 public:
  // bootstrap: HOST:PORT[,HOST:PORT…]. Throws FatalError on a bad setting.
  KafkaSink(std::string bootstrap, std::string connector_name, std::string topic_prefix,
            std::string heartbeat_topic);
  ~KafkaSink() override;
  KafkaSink(const KafkaSink&) = delete;
  KafkaSink& operator=(const KafkaSink&) = delete;

  std::optional<Position> recover() override;
  void forget_replay() override;
  void write(std::string_view lines) override;
  void sync() override;
  // Produces the position record; the next sync() (a flush) delivers it with the next records.
  bool save(Position& pos) override;
  // Under load, a round at most every 10 ms: each costs a flush over the network, and with
  // small transactions rounds would otherwise come every few of them.
  std::chrono::microseconds sync_window() const override { return std::chrono::milliseconds(10); }
  std::string describe() const override { return "Kafka cluster " + bootstrap_; }

 private:
  struct PartitionState {
    int64_t end = 0;   // just past our last delivered (or skipped) record
    int64_t skip = 0;  // records of ours already in the partition, to drop
  };
  struct TopicState {
    rd_kafka_topic_s* rkt = nullptr;
    std::vector<PartitionState*> parts;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  static void on_delivery(rd_kafka_s* rk, const rd_kafka_message_s* m, void* opaque);
  TopicState& topic_state(std::string_view name);
  int32_t partition_count(rd_kafka_topic_s* rkt);  // waits for an auto-created topic
  void produce(rd_kafka_topic_s* rkt, int32_t partition, std::optional<std::string_view> key,
               std::optional<std::string_view> value,
               const std::vector<kafka::RecordHeader>& headers, PartitionState* ps);
  void flush_all();  // throws when a delivery failed
  void create_offsets_topic();
  std::optional<std::string> read_last_position();
  // Low and high watermark; false when the partition is unknown.
  bool watermarks(const std::string& topic, int32_t partition, int64_t& low, int64_t& high);
  void save_position(const std::optional<Position>& pos);  // produced, not yet flushed

  std::string bootstrap_, name_, prefix_, heartbeat_topic_, key_;
  rd_kafka_s* rk_ = nullptr;
  rd_kafka_topic_s* offsets_rkt_ = nullptr;
  int32_t offsets_partition_ = 0;
  std::map<std::string, PartitionState> partitions_;  // by "topic/partition", cumulative
  std::unordered_map<std::string, TopicState, StringHash, std::equal_to<>> topics_;
  std::string error_;  // the first failed delivery
  RecordLineParser parser_;
  RecordLine record_;
};

}  // namespace sluice::cdc
