#include <fmt/format.h>
#include <unistd.h>

#include "core/big_endian.h"
#include "core/clock.h"
#include "core/crc32c.h"
#include "kafka/compression.h"
#include "kafka/errors.h"
#include "kafka/record_batch.h"
#include "log/partition_log.h"
#include "log/topic_store.h"

namespace sluice::log {

namespace err = kafka::err;

namespace {

constexpr size_t kRecentBatches = 5;  // as Kafka keeps per producer (NUM_BATCHES_TO_RETAIN)

// LogAppendTime: the broker's clock replaces the batch's max timestamp (the CRC changes).
void stamp_log_append_time(std::string& b, int64_t ts) {
  put_be<uint16_t>(&b[21], get_be<uint16_t>(&b[21]) | 0x08);
  put_be<int64_t>(&b[35], ts);
  put_be<uint32_t>(&b[17], crc32c(b.data() + 21, b.size() - 21));
}

}  // namespace

Partition::Partition(std::string topic, int32_t id, std::unique_ptr<PartitionLog> log)
    : topic_(std::move(topic)), id_(id), log_(std::move(log)) {}

Partition::~Partition() = default;

AppendResult Partition::append(std::string batch, const TopicConfig& config) {
  AppendResult r;
  auto check = kafka::check_batch(batch, /*verify_crc=*/false);  // the caller checked it
  if (!check.ok()) {
    r.error = err::kCorruptMessage;
    r.message = check.error;
    return r;
  }
  const auto& h = check.header;
  if (int64_t(batch.size()) > config.max_message_bytes()) {
    r.error = err::kMessageTooLarge;
    r.message = fmt::format("batch of {} bytes exceeds max.message.bytes {}", batch.size(),
                            config.max_message_bytes());
    return r;
  }
  if (h.control()) {
    r.error = err::kInvalidRecord;
    r.message = "control batches may not be produced by clients";
    return r;
  }
  if (config.compact()) {
    std::string scratch;
    std::vector<kafka::Record> records;
    std::string e = kafka::read_any_records(batch, scratch, records);
    for (const auto& rec : records)
      if (!rec.key) e = "compacted topic " + topic_ + " requires a key on every record";
    if (!e.empty()) {
      r.error = err::kInvalidRecord;
      r.message = e;
      return r;
    }
  }
  int64_t ts = -1;
  if (config.log_append_time()) {
    ts = unix_millis();
    stamp_log_append_time(batch, ts);
  }

  std::lock_guard lock(mu_);
  ProducerState* ps = nullptr;
  if (h.producer_id >= 0) {
    if (h.base_sequence < 0) {
      r.error = err::kInvalidRecord;
      r.message = "idempotent batch without a base sequence";
      return r;
    }
    auto it = producers_.find(h.producer_id);
    if (it != producers_.end()) {
      ProducerState& s = it->second;
      if (h.producer_epoch < s.epoch) {
        r.error = err::kInvalidProducerEpoch;
        r.message = fmt::format("producer epoch {} is older than {}", h.producer_epoch, s.epoch);
        return r;
      }
      if (h.producer_epoch > s.epoch) {
        if (h.base_sequence != 0) {
          r.error = err::kOutOfOrderSequenceNumber;
          r.message = "a new producer epoch must start at sequence 0";
          return r;
        }
        s.epoch = h.producer_epoch;
        s.recent.clear();
      } else {
        int32_t last_seq = int32_t(uint32_t(h.base_sequence) + uint32_t(h.last_offset_delta));
        for (const auto& rb : s.recent)
          if (rb.first_seq == h.base_sequence && rb.last_seq == last_seq) {
            r.base_offset = rb.base_offset;  // a retry: already stored
            r.log_start_offset = log_->start_offset();
            return r;
          }
        if (!s.recent.empty() &&
            h.base_sequence != int32_t(uint32_t(s.recent.back().last_seq) + 1)) {
          r.error = err::kOutOfOrderSequenceNumber;
          r.message = fmt::format("sequence {} does not follow {}", h.base_sequence,
                                  s.recent.back().last_seq);
          return r;
        }
      }
      ps = &s;
    } else {
      // Unknown (new, or from before a restart): accept and start tracking.
      ps = &producers_[h.producer_id];
      ps->epoch = h.producer_epoch;
    }
  }
  try {
    r.base_offset = log_->append(std::move(batch));
  } catch (const std::exception& e) {
    r.error = err::kKafkaStorageError;
    r.message = e.what();
    return r;
  }
  if (ps) {
    ps->recent.push_back({h.base_sequence,
                          int32_t(uint32_t(h.base_sequence) + uint32_t(h.last_offset_delta)),
                          r.base_offset});
    if (ps->recent.size() > kRecentBatches) ps->recent.erase(ps->recent.begin());
  }
  r.log_append_time = ts;
  r.log_start_offset = log_->start_offset();
  return r;
}

int64_t Partition::start_offset() const {
  std::lock_guard lock(mu_);
  return log_->start_offset();
}

int64_t Partition::end_offset() const {
  std::lock_guard lock(mu_);
  return log_->end_offset();
}

std::string Partition::read(int64_t offset, size_t max_bytes) const {
  std::lock_guard lock(mu_);
  if (offset < log_->start_offset() || offset >= log_->end_offset()) return {};
  return log_->read(offset, max_bytes);
}

int64_t Partition::batch_for_timestamp(int64_t ts) const {
  std::lock_guard lock(mu_);
  return log_->offset_for_timestamp(ts);
}

int16_t Partition::delete_records(int64_t offset, int64_t& low_watermark) {
  std::lock_guard lock(mu_);
  if (offset < 0 || offset > log_->end_offset()) {
    low_watermark = log_->start_offset();
    return err::kOffsetOutOfRange;
  }
  if (offset > log_->start_offset()) log_->delete_before(offset);
  low_watermark = log_->start_offset();
  return err::kNone;
}

uint64_t Partition::size_bytes() const {
  std::lock_guard lock(mu_);
  return log_->size_bytes();
}

std::vector<int> Partition::take_unsynced() {
  std::lock_guard lock(mu_);
  return log_->take_unsynced_fds();
}

void Partition::maintain(const TopicConfig& config, int64_t now) {
  std::lock_guard lock(mu_);
  if (config.delete_enabled())
    log_->apply_retention(now, config.retention_ms(), config.retention_bytes());
  if (config.compact())
    log_->compact(now, config.delete_retention_ms(), config.get_int("min.compaction.lag.ms"),
                  std::stod(config.get("min.cleanable.dirty.ratio")));
}

}  // namespace sluice::log
