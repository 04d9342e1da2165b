// Kafka's RecordBatch v2 (magic 2): the unit the log stores and the wire carries unchanged.
// The builder writes uncompressed batches (what sluice's own producers append); the parser
// checks any batch's framing and CRC-32C, and walks the records of uncompressed ones.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::kafka {

constexpr size_t kBatchHeaderSize = 61;

struct RecordHeader {
  std::string_view key;
  std::optional<std::string_view> value;
};

struct Record {
  int64_t offset_delta = 0;
  int64_t timestamp_delta = 0;
  std::optional<std::string_view> key;    // nullopt: a null key
  std::optional<std::string_view> value;  // nullopt: a null value (tombstone)
  std::vector<RecordHeader> headers;
};

// The fixed header of a batch (fields at their wire offsets).
struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // bytes after this field
  int32_t partition_leader_epoch = -1;
  int8_t magic = 2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  int compression() const { return attributes & 7; }
  bool transactional() const { return attributes & 0x10; }
  bool control() const { return attributes & 0x20; }
  size_t total_size() const { return size_t(batch_length) + 12; }
};

class BatchBuilder {
 public:
  explicit BatchBuilder(int64_t base_timestamp) : base_timestamp_(base_timestamp) {}
  void add(std::optional<std::string_view> key, std::optional<std::string_view> value,
           int64_t timestamp, const std::vector<RecordHeader>& headers = {});
  size_t count() const { return count_; }
  // The finished batch with base offset 0 (the log assigns offsets by rewriting it). codec:
  // the compression of attributes bits 0-2 (0 none; see compression.h) applied to the records.
  std::string finish(int64_t producer_id = -1, int16_t producer_epoch = -1,
                     int32_t base_sequence = -1, int codec = 0) const;

 private:
  int64_t base_timestamp_;
  int64_t max_timestamp_ = 0;
  size_t count_ = 0;
  std::string records_;
};

// Why a batch was refused; empty means it is well formed.
struct BatchCheck {
  std::string error;
  BatchHeader header;
  bool ok() const { return error.empty(); }
};

// Checks framing (a whole batch, magic 2, lengths) and the CRC (skipped with verify_crc=false
// where the batch was checked already: the CRC is the costly part).
BatchCheck check_batch(std::string_view bytes, bool verify_crc = true);
// Walks `count` records filling the whole of `body` (a batch's records section, inflated):
// record framing, fields, headers; strict (produce validation) also requires offset deltas
// 0..count-1, where a compacted batch read back may have gaps. Appends to out when given.
// Returns "" or the reason.
std::string walk_records(std::string_view body, int32_t count, bool strict,
                         std::vector<Record>* out);
// Reads the records of an uncompressed, checked batch; returns an error message or "".
std::string read_records(std::string_view batch, std::vector<Record>& out);
// Sets the base offset in place (outside the CRC, so no re-encoding).
void set_base_offset(std::string& batch, int64_t base_offset);

}  // namespace sluice::kafka
