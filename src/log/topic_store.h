// The broker's topics: each a directory of partitions, each partition a PartitionLog. All
// methods are thread-safe. Appends go to the page cache at once (and are readable right away);
// sync() makes them durable, many partitions and callers in one fsync round on a thread of its
// own (group commit), which is what an acks=all produce waits for.
//
// Layout: DIR/topics/<topic>/topic.json (partition count and config overrides) and
// DIR/topics/<topic>/<partition>/<base offset>.log segments.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "log/topic_config.h"

namespace sluice::log {

class PartitionLog;

struct AppendResult {
  int16_t error = 0;    // a Kafka error code; 0 on success
  std::string message;  // why, when error != 0
  int64_t base_offset = -1;
  int64_t log_append_time = -1;  // set when the topic uses LogAppendTime
  int64_t log_start_offset = 0;
};

// One partition: its log plus what the broker tracks about it (idempotent producers' state).
class Partition {
 public:
  Partition(std::string topic, int32_t id, std::unique_ptr<PartitionLog> log);
  ~Partition();

  const std::string& topic() const { return topic_; }
  int32_t id() const { return id_; }

  // Appends one well-formed RecordBatch v2 (check_batch passed). Applies idempotent-producer
  // sequence checks: a duplicate of one of the last five batches succeeds with the original
  // offset and is not stored twice; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER.
  AppendResult append(std::string batch, const TopicConfig& config);
  int64_t start_offset() const;
  int64_t end_offset() const;  // high watermark: the offset the next record gets
  // Whole batches from the one holding offset (at least one batch), up to max_bytes.
  std::string read(int64_t offset, size_t max_bytes) const;
  // Base offset of the first batch whose max timestamp >= ts, or end_offset() when none.
  int64_t batch_for_timestamp(int64_t ts) const;
  // DeleteRecords: makes offset the new log start. Returns a Kafka error code.
  int16_t delete_records(int64_t offset, int64_t& low_watermark);
  uint64_t size_bytes() const;

  // For sync(): dup'ed descriptors of segments written since the last call.
  std::vector<int> take_unsynced();
  // Housekeeping: retention and compaction by the topic's config.
  void maintain(const TopicConfig& config, int64_t now_ms);

 private:
  struct RecentBatch {
    int32_t first_seq, last_seq;
    int64_t base_offset;
  };
  struct ProducerState {
    int16_t epoch = -1;
    std::vector<RecentBatch> recent;  // the last five, oldest first
  };
  std::string topic_;
  int32_t id_;
  mutable std::mutex mu_;
  std::unique_ptr<PartitionLog> log_;
  std::map<int64_t, ProducerState> producers_;
};

class Topic {
 public:
  const std::string& name() const { return name_; }
  // Snapshot of the partitions (a CreatePartitions may add more concurrently).
  std::vector<std::shared_ptr<Partition>> partitions() const;
  std::shared_ptr<Partition> partition(int32_t id) const;  // null when out of range
  int32_t partition_count() const;
  TopicConfig config() const;
  bool internal() const { return !name_.empty() && name_[0] == '_'; }

 private:
  friend class TopicStore;
  std::string name_;
  std::string dir_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Partition>> partitions_;
  TopicConfig config_;
};

struct TopicStoreOptions {
  std::string dir;
  int32_t default_partitions = 1;
  std::map<std::string, std::string>
      broker_defaults;  // e.g. log.retention.ms given as retention.ms
  int64_t maintenance_interval_ms = 30000;
};

struct CreateResult {
  int16_t error = 0;
  std::string message;
  std::shared_ptr<Topic> topic;
};

class TopicStore {
 public:
  explicit TopicStore(TopicStoreOptions options);  // opens and recovers every topic
  ~TopicStore();
  TopicStore(const TopicStore&) = delete;
  TopicStore& operator=(const TopicStore&) = delete;

  std::shared_ptr<Topic> find(std::string_view name) const;
  std::vector<std::shared_ptr<Topic>> list() const;
  // partitions <= 0: the default count. validate_only checks without creating.
  CreateResult create(const std::string& name, int32_t partitions,
                      const std::map<std::string, std::string>& configs,
                      bool validate_only = false);
  // Finds or, when auto-creating is allowed, creates with defaults.
  std::shared_ptr<Topic> find_or_create(const std::string& name);
  int16_t remove(const std::string& name, std::string* message = nullptr);
  int16_t add_partitions(const std::string& name, int32_t total, bool validate_only,
                         std::string* message = nullptr);
  // Sets (value) or resets (nullopt) config overrides; persisted. Kafka error code.
  int16_t alter_config(const std::string& name,
                       const std::map<std::string, std::optional<std::string>>& changes,
                       bool validate_only, std::string* message = nullptr);

  // Group commit: done(ok) runs on the sync thread once everything appended to parts before
  // this call is durable (ok=false: fsync failed, e.g. the disk is full or gone).
  void sync(std::vector<std::shared_ptr<Partition>> parts, std::function<void(bool)> done);
  bool sync_wait(std::vector<std::shared_ptr<Partition>> parts);  // blocking form

  // Called after every append (from the appending thread), e.g. to wake long-polling fetches.
  void set_append_listener(std::function<void()> fn);
  void notify_append();

  const TopicStoreOptions& options() const { return options_; }
  const std::map<std::string, std::string>& broker_defaults() const {
    return options_.broker_defaults;
  }
  // Kafka's topic name rules; "" when legal.
  static std::string check_topic_name(std::string_view name);

 private:
  struct Impl;
  TopicStoreOptions options_;
  std::unique_ptr<Impl> impl_;
};

// Kafka's default partitioner for keyed records (murmur2, as the Java client and Kafka Connect
// place them).
int32_t partition_for_key(std::string_view key, int32_t partitions);

}  // namespace sluice::log
