// Produce (0) v3-7: one RecordBatch v2 per partition, validated (CRC, and every record, after
// decompression when compressed) and stored byte for byte. acks=all is answered after the
// group-commit fsync of every partition written; acks=0 is never answered, and a failure then
// closes the connection, as Kafka does.
#include <fmt/format.h>

#include <mutex>

#include "core/log.h"
#include "kafka/compression.h"
#include "kafka/errors.h"
#include "kafka/record_batch.h"
#include "kafka/server/core_apis.h"
#include "log/topic_store.h"

namespace sluice::kafka {

namespace {

struct PartitionResult {
  int32_t index;
  log::AppendResult r;
};

struct TopicResult {
  std::string name;
  std::vector<PartitionResult> partitions;
};

std::string encode(int16_t v, const std::vector<TopicResult>& results) {
  std::string out;
  Writer w(out);
  w.array_count(int32_t(results.size()));
  for (const auto& t : results) {
    w.string(t.name);
    w.array_count(int32_t(t.partitions.size()));
    for (const auto& p : t.partitions) {
      w.i32(p.index);
      w.i16(p.r.error);
      w.i64(p.r.error ? -1 : p.r.base_offset);
      w.i64(p.r.log_append_time);
      if (v >= 5) w.i64(p.r.log_start_offset);
    }
  }
  w.i32(0);  // throttle
  return out;
}

log::AppendResult append_one(Request& req, const std::string& topic_name, int32_t index,
                             std::optional<std::string_view> records,
                             std::vector<std::shared_ptr<log::Partition>>& written) {
  log::AppendResult r;
  auto topic = req.broker.topics->find(topic_name);
  if (!topic) {
    r.error = err::kUnknownTopicOrPartition;
    return r;
  }
  auto part = topic->partition(index);
  if (!part) {
    r.error = err::kUnknownTopicOrPartition;
    return r;
  }
  if (!records || records->empty()) {
    r.error = err::kInvalidRecord;
    r.message = "no record batch";
    return r;
  }
  auto check = check_batch(*records);
  if (check.ok() && check.header.total_size() != records->size())
    check.error = "a produce request must carry exactly one record batch per partition";
  if (check.ok() && check.header.magic != 2)
    check.error = "only record batch format v2 is supported";
  if (!check.ok()) {
    r.error = err::kCorruptMessage;
    r.message = check.error;
    return r;
  }
  if (std::string e = validate_records(*records); !e.empty()) {
    r.error = err::kCorruptMessage;
    r.message = e;
    return r;
  }
  r = part->append(std::string(*records), topic->config());
  if (!r.error) written.push_back(part);
  return r;
}

void produce(Request& req) {
  int16_t v = req.header.api_version;
  Reader& in = req.body;
  auto txn = in.nullable_string();
  int16_t acks = in.i16();
  in.i32();  // timeout
  // Decoded whole before anything is stored: a malformed request must store nothing.
  struct Part {
    int32_t index;
    std::optional<std::string_view> records;
  };
  std::vector<std::pair<std::string_view, std::vector<Part>>> decoded;
  int32_t topics = in.array_count(2);
  for (int32_t i = 0; i < topics; ++i) {
    auto& [name, parts] = decoded.emplace_back(in.string(), std::vector<Part>{});
    int32_t n = in.array_count(8);
    for (int32_t j = 0; j < n; ++j) {
      int32_t index = in.i32();
      parts.push_back({index, in.bytes()});
    }
  }
  std::vector<TopicResult> results;
  std::vector<std::shared_ptr<log::Partition>> written;
  bool any_error = false;
  for (const auto& [name, parts] : decoded) {
    TopicResult t;
    t.name = std::string(name);
    for (const auto& part : parts) {
      PartitionResult p;
      p.index = part.index;
      if (txn) {
        p.r.error = 53;  // TRANSACTIONAL_ID_AUTHORIZATION_FAILED: no transactions
      } else if (acks != 0 && acks != 1 && acks != -1) {
        p.r.error = err::kInvalidRequiredAcks;
      } else if (t.name.starts_with("__")) {
        p.r.error = err::kInvalidTopicException;  // internal topics are the broker's own
        p.r.message = "internal topics cannot be produced to";
      } else {
        p.r = append_one(req, t.name, p.index, part.records, written);
      }
      if (p.r.error) {
        any_error = true;
        log::debug("kafka", "produce to {}-{} refused ({}): {}", t.name, p.index, p.r.error,
                   p.r.message);
      }
      t.partitions.push_back(std::move(p));
    }
    results.push_back(std::move(t));
  }
  if (!written.empty()) req.broker.topics->notify_append();
  if (acks == 0) {
    if (any_error) return req.respond.close();
    return req.respond.none();
  }
  if (acks == 1 || written.empty()) return req.respond.send(encode(v, results));
  // acks=all: durable first. The results are shared with the sync thread's callback.
  auto shared = std::make_shared<std::vector<TopicResult>>(std::move(results));
  Responder respond = req.respond;
  req.broker.topics->sync(std::move(written), [shared, respond, v](bool ok) {
    if (!ok)
      for (auto& t : *shared)
        for (auto& p : t.partitions)
          if (!p.r.error) p.r.error = err::kKafkaStorageError;
    respond.send(encode(v, *shared));
  });
}

}  // namespace

void register_produce(ApiTable& t) { t.add({0, 3, 7, produce}); }

}  // namespace sluice::kafka
