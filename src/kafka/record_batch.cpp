#include "kafka/record_batch.h"

#include <fmt/format.h>

#include "core/big_endian.h"
#include "core/crc32c.h"
#include "core/varint.h"
#include "kafka/compression.h"

namespace sluice::kafka {

namespace {

void append_bytes(std::string& out, std::optional<std::string_view> b) {
  if (!b) {
    varint::append_signed(out, -1);
    return;
  }
  varint::append_signed(out, int64_t(b->size()));
  out += *b;
}

std::optional<std::optional<std::string_view>> read_bytes(std::string_view in, size_t& pos) {
  auto len = varint::read_signed(in, pos);
  if (!len || *len < -1) return std::nullopt;
  if (*len == -1) return std::optional<std::string_view>{};
  if (uint64_t(*len) > in.size() - pos) return std::nullopt;
  std::string_view v = in.substr(pos, size_t(*len));
  pos += size_t(*len);
  return std::optional<std::string_view>{v};
}

}  // namespace

void BatchBuilder::add(std::optional<std::string_view> key, std::optional<std::string_view> value,
                       int64_t timestamp, const std::vector<RecordHeader>& headers) {
  std::string body;
  body += char(0);  // record attributes (unused)
  varint::append_signed(body, timestamp - base_timestamp_);
  varint::append_signed(body, int64_t(count_));
  append_bytes(body, key);
  append_bytes(body, value);
  varint::append_signed(body, int64_t(headers.size()));
  for (const auto& h : headers) {
    append_bytes(body, h.key);
    append_bytes(body, h.value);
  }
  varint::append_signed(records_, int64_t(body.size()));
  records_ += body;
  max_timestamp_ = count_ == 0 ? timestamp : std::max(max_timestamp_, timestamp);
  ++count_;
}

std::string BatchBuilder::finish(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence,
                                 int codec) const {
  std::string compressed;
  if (codec != 0) compressed = compress(Codec(codec), records_);
  const std::string& body = codec != 0 ? compressed : records_;
  std::string b(kBatchHeaderSize, '\0');
  put_be<int64_t>(&b[0], 0);
  put_be<int32_t>(&b[8], int32_t(kBatchHeaderSize - 12 + body.size()));
  put_be<int32_t>(&b[12], -1);
  b[16] = 2;
  put_be<int16_t>(&b[21], int16_t(codec & 7));
  put_be<int32_t>(&b[23], count_ == 0 ? 0 : int32_t(count_ - 1));
  put_be<int64_t>(&b[27], base_timestamp_);
  put_be<int64_t>(&b[35], count_ == 0 ? base_timestamp_ : max_timestamp_);
  put_be<int64_t>(&b[43], producer_id);
  put_be<int16_t>(&b[51], producer_epoch);
  put_be<int32_t>(&b[53], base_sequence);
  put_be<int32_t>(&b[57], int32_t(count_));
  b += body;
  put_be<uint32_t>(&b[17], crc32c(b.data() + 21, b.size() - 21));
  return b;
}

BatchCheck check_batch(std::string_view in, bool verify_crc) {
  BatchCheck c;
  if (in.size() < kBatchHeaderSize) {
    c.error = fmt::format("record batch of {} bytes is shorter than its 61-byte header", in.size());
    return c;
  }
  auto& h = c.header;
  h.base_offset = get_be<int64_t>(&in[0]);
  h.batch_length = get_be<int32_t>(&in[8]);
  h.partition_leader_epoch = get_be<int32_t>(&in[12]);
  h.magic = int8_t(in[16]);
  h.crc = get_be<uint32_t>(&in[17]);
  h.attributes = get_be<int16_t>(&in[21]);
  h.last_offset_delta = get_be<int32_t>(&in[23]);
  h.base_timestamp = get_be<int64_t>(&in[27]);
  h.max_timestamp = get_be<int64_t>(&in[35]);
  h.producer_id = get_be<int64_t>(&in[43]);
  h.producer_epoch = get_be<int16_t>(&in[51]);
  h.base_sequence = get_be<int32_t>(&in[53]);
  h.record_count = get_be<int32_t>(&in[57]);
  if (h.magic != 2)
    c.error = fmt::format("record batch magic {} is not supported (only 2)", h.magic);
  else if (h.batch_length < int32_t(kBatchHeaderSize - 12))
    c.error = fmt::format("record batch length {} is shorter than its header", h.batch_length);
  else if (h.total_size() != in.size())
    c.error = fmt::format("record batch says {} bytes but {} arrived", h.total_size(), in.size());
  else if (h.record_count < 0 || (h.record_count > 0 && h.last_offset_delta != h.record_count - 1))
    c.error = fmt::format("record batch count {} does not match last offset delta {}",
                          h.record_count, h.last_offset_delta);
  else if (h.compression() > 4)
    c.error = fmt::format("record batch uses unknown compression codec {}", h.compression());
  else if (verify_crc && crc32c(in.data() + 21, in.size() - 21) != h.crc)
    c.error = "record batch CRC-32C does not match its contents";
  return c;
}

std::string walk_records(std::string_view body, int32_t count, bool strict,
                         std::vector<Record>* out) {
  size_t pos = 0;
  for (int32_t i = 0; i < count; ++i) {
    if (pos == body.size())
      return fmt::format("record batch ends after {} of {} records", i, count);
    auto len = varint::read_signed(body, pos);
    if (!len) return fmt::format("record {} has a truncated length", i);
    if (*len < 1 || uint64_t(*len) > body.size() - pos)
      return fmt::format("record {} claims {} bytes but {} remain", i, *len, body.size() - pos);
    std::string_view rec = body.substr(pos, size_t(*len));
    pos += size_t(*len);
    size_t p = 1;  // attributes: unused in v2 records
    auto ts = varint::read_signed(rec, p);
    auto od = varint::read_signed(rec, p);
    auto key = ts && od ? read_bytes(rec, p) : std::nullopt;
    auto value = key ? read_bytes(rec, p) : std::nullopt;
    auto nh = value ? varint::read_signed(rec, p) : std::nullopt;
    if (!nh || *nh < 0)
      return fmt::format("record {} is malformed or overruns its {} bytes", i, *len);
    if (strict && *od != i)
      return fmt::format("record {} has offset delta {} (deltas must run 0..{})", i, *od,
                         count - 1);
    Record r{*od, *ts, *key, *value, {}};
    for (int64_t j = 0; j < *nh; ++j) {
      auto hk = read_bytes(rec, p);  // a null header key is invalid, as in Kafka
      auto hv = hk && *hk ? read_bytes(rec, p) : std::nullopt;
      if (!hv) return fmt::format("record {} header {} is malformed", i, j);
      if (out) r.headers.push_back({**hk, *hv});
    }
    if (p != rec.size())
      return fmt::format("record {} claims {} bytes but its fields take {}", i, *len, p);
    if (out) out->push_back(std::move(r));
  }
  if (pos != body.size())
    return fmt::format("record batch has {} stray bytes after its {} records", body.size() - pos,
                       count);
  return "";
}

std::string read_records(std::string_view batch, std::vector<Record>& out) {
  BatchCheck c = check_batch(batch);
  if (!c.ok()) return c.error;
  if (c.header.compression() != 0) return "compressed record batches are not read here";
  return walk_records(batch.substr(kBatchHeaderSize), c.header.record_count, false, &out);
}

void set_base_offset(std::string& batch, int64_t base_offset) {
  put_be<int64_t>(&batch[0], base_offset);
}

}  // namespace sluice::kafka
