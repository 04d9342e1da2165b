// ListOffsets (2) v0-5: the earliest (-2) and latest (-1) offsets, and the first record whose
// timestamp is at or after a given time (found through the batch index, then the batch's own
// records, decompressed when needed).
#include "core/big_endian.h"
#include "kafka/compression.h"
#include "kafka/errors.h"
#include "kafka/record_batch.h"
#include "kafka/server/core_apis.h"
#include "log/topic_store.h"

namespace sluice::kafka {

namespace {

struct Found {
  int16_t error = 0;
  int64_t offset = -1;
  int64_t timestamp = -1;
};

// Size of the first batch in data (read() may return several), 0 when not even its header.
size_t first_batch_size(std::string_view data) {
  if (data.size() < 12) return 0;
  uint32_t len = get_be<uint32_t>(data.data() + 8);
  return size_t(len) + 12 <= data.size() ? size_t(len) + 12 : 0;
}

Found by_time(const log::Partition& p, int64_t ts) {
  int64_t end = p.end_offset();
  for (int64_t at = p.batch_for_timestamp(ts); at < end;) {
    std::string data = p.read(at, 1);
    std::string_view batch = std::string_view(data).substr(0, first_batch_size(data));
    BatchCheck c = check_batch(batch);
    if (batch.empty() || !c.ok()) break;
    const auto& h = c.header;
    if (h.max_timestamp >= ts) {
      if (h.attributes & 0x08) return {0, h.base_offset, h.max_timestamp};  // LogAppendTime
      std::string scratch;
      std::vector<Record> records;
      if (read_any_records(batch, scratch, records).empty())
        for (const auto& r : records) {
          int64_t rts = h.base_timestamp + r.timestamp_delta;
          if (rts >= ts && h.base_offset + r.offset_delta >= at)
            return {0, h.base_offset + r.offset_delta, rts};
        }
    }
    at = h.base_offset + h.last_offset_delta + 1;
  }
  return {};
}

Found lookup(log::TopicStore& store, std::string_view topic, int32_t index, int64_t ts) {
  auto t = store.find(topic);
  auto p = t ? t->partition(index) : nullptr;
  if (!p) return {err::kUnknownTopicOrPartition, -1, -1};
  if (ts == -1) return {0, p->end_offset(), -1};
  if (ts == -2) return {0, p->start_offset(), -1};
  if (ts < 0) return {err::kInvalidRequest, -1, -1};
  return by_time(*p, ts);
}

void list_offsets(Request& req) {
  int16_t v = req.header.api_version;
  Reader& in = req.body;
  in.i32();             // replica id
  if (v >= 2) in.i8();  // isolation level
  std::string out;
  Writer w(out);
  if (v >= 2) w.i32(0);
  int32_t nt = in.array_count(2);
  w.array_count(nt < 0 ? 0 : nt);
  for (int32_t i = 0; i < nt; ++i) {
    std::string_view name = in.string();
    w.string(name);
    int32_t np = in.array_count(12);
    w.array_count(np < 0 ? 0 : np);
    for (int32_t j = 0; j < np; ++j) {
      int32_t index = in.i32();
      if (v >= 4) in.i32();  // current leader epoch
      int64_t ts = in.i64();
      if (v == 0) in.i32();  // max number of offsets
      Found f = lookup(*req.broker.topics, name, index, ts);
      w.i32(index);
      w.i16(f.error);
      if (v == 0) {
        if (f.offset >= 0) {
          w.array_count(1);
          w.i64(f.offset);
        } else {
          w.array_count(0);
        }
      } else {
        w.i64(f.timestamp);
        w.i64(f.offset);
        if (v >= 4) w.i32(0);  // leader epoch
      }
    }
  }
  req.respond.send(std::move(out));
}

}  // namespace

void register_list_offsets(ApiTable& t) { t.add({2, 0, 5, list_offsets}); }

}  // namespace sluice::kafka
