// GET /api/topics/{name}/messages: one page of records, read straight from the log's batches
// (decompressed when needed). The page is anchored at the oldest or newest record, an offset or
// a time, in one partition or all of them merged by timestamp. Reading is bounded: at most
// `limit` records per partition are kept and at most kScanBudget bytes of batches are read per
// request, whatever the topic holds.
#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <deque>

#include "core/base64.h"
#include "core/big_endian.h"
#include "http/data_api_internal.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "log/topic_store.h"

namespace sluice::http::data_api {

namespace {

constexpr size_t kReadChunk = 1 << 20;
constexpr uint64_t kScanBudget = 64ull << 20;  // bytes of batches one request may read
constexpr size_t kFieldCap = 1 << 20;          // longer keys, values and headers are cut
constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 500;
constexpr int64_t kMaxWindow = int64_t(1) << 40;

// A key, value or header value copied out of its batch (cut at kFieldCap).
struct Field {
  std::optional<std::string> data;
  size_t size = 0;  // before cutting

  static Field of(std::optional<std::string_view> v) {
    Field f;
    if (!v) return f;
    f.size = v->size();
    std::string_view d = *v;
    if (d.size() > kFieldCap) {
      size_t cut = kFieldCap;  // on a UTF-8 character boundary when the text is UTF-8
      while (cut > 0 && (static_cast<unsigned char>(d[cut]) & 0xC0) == 0x80) --cut;
      d = d.substr(0, cut);
    }
    f.data.emplace(d);
    return f;
  }
};

struct Message {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = 0;
  bool log_append_time = false;
  Field key, value;
  std::vector<std::pair<std::string, Field>> headers;
};

Message make_message(int32_t partition, const kafka::BatchHeader& h, const kafka::Record& r,
                     int64_t offset) {
  Message m;
  m.partition = partition;
  m.offset = offset;
  m.log_append_time = h.attributes & 0x08;
  m.timestamp = m.log_append_time ? h.max_timestamp : h.base_timestamp + r.timestamp_delta;
  m.key = Field::of(r.key);
  m.value = Field::of(r.value);
  for (const auto& hd : r.headers) m.headers.emplace_back(std::string(hd.key), Field::of(hd.value));
  return m;
}

int64_t record_timestamp(const kafka::BatchHeader& h, const kafka::Record& r) {
  return (h.attributes & 0x08) ? h.max_timestamp : h.base_timestamp + r.timestamp_delta;
}

// Calls fn(header, record, offset) for each record of p with lo <= offset < hi, in offset order,
// until fn returns false, the range ends or the budget (bytes read) runs out. Control batches
// (transaction markers) are skipped. Returns the offset to go on from.
template <typename Fn>
int64_t walk(const log::Partition& p, int64_t lo, int64_t hi, uint64_t& budget, Fn&& fn) {
  int64_t off = std::max(lo, p.start_offset());
  hi = std::min(hi, p.end_offset());
  std::string scratch;
  std::vector<kafka::Record> records;
  while (off < hi && budget > 0) {
    std::string chunk = p.read(off, kReadChunk);
    if (chunk.empty()) break;
    budget -= std::min<uint64_t>(budget, chunk.size());
    const int64_t before = off;
    size_t pos = 0;
    while (pos + kafka::kBatchHeaderSize <= chunk.size() && off < hi) {
      size_t total = size_t(get_be<uint32_t>(chunk.data() + pos + 8)) + 12;
      if (total > chunk.size() - pos) break;
      std::string_view batch(chunk.data() + pos, total);
      auto check = kafka::check_batch(batch, /*verify_crc=*/false);  // checked when appended
      if (!check.ok())
        throw std::runtime_error(
            fmt::format("{}-{} at offset {}: {}", p.topic(), p.id(), off, check.error));
      const auto& h = check.header;
      const int64_t next = h.base_offset + h.last_offset_delta + 1;
      if (!h.control() && next > off) {
        records.clear();
        if (auto e = kafka::read_any_records(batch, scratch, records); !e.empty())
          throw std::runtime_error(
              fmt::format("{}-{} at offset {}: {}", p.topic(), p.id(), h.base_offset, e));
        for (const auto& r : records) {
          int64_t o = h.base_offset + r.offset_delta;
          if (o < off) continue;
          if (o >= hi) return hi;
          if (!fn(h, r, o)) return o + 1;
        }
      }
      off = std::max(off, next);
      pos += total;
    }
    if (off == before) break;  // no progress: never loop
  }
  return std::min(off, hi);
}

// The first offset whose record has a timestamp >= ts (ListOffsets' rule); the end offset when
// there is none.
int64_t offset_for_time(const log::Partition& p, int64_t ts, uint64_t& budget) {
  int64_t found = p.end_offset();
  walk(p, p.batch_for_timestamp(ts), INT64_MAX, budget,
       [&](const kafka::BatchHeader& h, const kafka::Record& r, int64_t o) {
         if (h.max_timestamp < ts || record_timestamp(h, r) < ts) return true;
         found = o;
         return false;
       });
  return found;
}

struct Window {
  std::vector<Message> messages;  // ascending offsets
  std::optional<int64_t> next;    // where the next page in the same direction starts
};

// Up to limit records from offset `from` on.
Window forward(const log::Partition& p, int64_t from, size_t limit, uint64_t& budget) {
  Window w;
  int64_t next = walk(p, from, INT64_MAX, budget,
                      [&](const kafka::BatchHeader& h, const kafka::Record& r, int64_t o) {
                        w.messages.push_back(make_message(p.id(), h, r, o));
                        return w.messages.size() < limit;
                      });
  w.next = next;
  return w;
}

// Up to limit records before offset `before` (exclusive): read forward in windows that step back
// and grow (compaction and control batches leave gaps in the offsets), keeping only the newest.
Window backward(const log::Partition& p, int64_t before, size_t limit, uint64_t& budget) {
  const int64_t start = p.start_offset();
  int64_t hi = std::min(before, p.end_offset());
  int64_t window = int64_t(limit);
  std::deque<Message> acc;  // ascending
  while (hi > start && acc.size() < limit && budget > 0) {
    int64_t lo = hi - start > window ? hi - window : start;
    const size_t want = limit - acc.size();
    std::deque<Message> part;
    walk(p, lo, hi, budget, [&](const kafka::BatchHeader& h, const kafka::Record& r, int64_t o) {
      part.push_back(make_message(p.id(), h, r, o));
      if (part.size() > want) part.pop_front();
      return true;
    });
    acc.insert(acc.begin(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
    hi = lo;
    window = std::min(window * 4, kMaxWindow);
  }
  Window w;
  int64_t first = acc.empty() ? hi : acc.front().offset;
  if (first > start) w.next = first - 1;
  w.messages.assign(std::make_move_iterator(acc.begin()), std::make_move_iterator(acc.end()));
  return w;
}

void write_field(JsonWriter& w, std::string_view name, const Field& f) {
  key(w, name);
  if (!f.data) {
    w.Null();
    return;
  }
  bool utf8 = valid_utf8(*f.data);
  if (utf8)
    str(w, *f.data);
  else
    str(w, base64::encode(*f.data));
  if (!utf8) {
    key(w, fmt::format("{}_base64", name));
    w.Bool(true);
  }
  if (f.size > f.data->size()) {
    key(w, fmt::format("{}_truncated", name));
    w.Bool(true);
    key(w, fmt::format("{}_size", name));
    w.Uint64(f.size);
  }
}

void write_message(JsonWriter& w, const Message& m) {
  w.StartObject();
  key(w, "partition");
  w.Int(m.partition);
  key(w, "offset");
  w.Int64(m.offset);
  key(w, "timestamp");
  w.Int64(m.timestamp);
  key(w, "timestamp_type");
  str(w, m.log_append_time ? "LogAppendTime" : "CreateTime");
  write_field(w, "key", m.key);
  write_field(w, "value", m.value);
  key(w, "headers");
  w.StartArray();
  for (const auto& [k, v] : m.headers) {
    w.StartObject();
    write_field(w, "key", Field::of(k));
    write_field(w, "value", v);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

enum class Anchor { oldest, newest, offset, timestamp };

Response messages(const ApiContext& ctx, const Request& req, const std::string& name) {
  auto topic = ctx.topics ? ctx.topics->find(name) : nullptr;
  if (!topic) return json_error(404, fmt::format("Topic {} not found", name));

  const size_t limit = size_t(int_param(req, "limit", 1, kMaxLimit).value_or(kDefaultLimit));
  auto partition = int_param(req, "partition", 0, INT32_MAX);
  auto offset = int_param(req, "offset", 0, INT64_MAX);
  auto timestamp = int_param(req, "timestamp", 0, INT64_MAX - 1);
  std::string position = req.param("position");
  if (!position.empty() && position != "oldest" && position != "newest")
    throw BadRequest(fmt::format("position must be oldest or newest, not '{}'", position));
  if (int(offset.has_value()) + int(timestamp.has_value()) + int(!position.empty()) > 1)
    throw BadRequest("give one of offset, timestamp and position");
  if (offset && !partition) throw BadRequest("offset needs a partition");
  Anchor anchor = offset                 ? Anchor::offset
                  : timestamp            ? Anchor::timestamp
                  : position == "oldest" ? Anchor::oldest
                                         : Anchor::newest;
  std::string order = req.param("order");
  if (order.empty()) order = anchor == Anchor::newest ? "desc" : "asc";
  if (order != "asc" && order != "desc")
    throw BadRequest(fmt::format("order must be asc or desc, not '{}'", order));

  std::vector<std::shared_ptr<log::Partition>> parts;
  if (partition) {
    auto p = topic->partition(int32_t(*partition));
    if (!p)
      throw BadRequest(fmt::format("Partition {} does not exist: topic {} has {} partition(s)",
                                   *partition, name, topic->partition_count()));
    parts.push_back(std::move(p));
  } else {
    parts = topic->partitions();
  }

  // The page is a window read forward from its anchor, or backward from it; it is shown in
  // `order`.
  const bool backward_window =
      anchor == Anchor::newest ||
      ((anchor == Anchor::offset || anchor == Anchor::timestamp) && order == "desc");
  uint64_t budget = kScanBudget;
  std::vector<Message> all;
  std::optional<int64_t> next;
  for (const auto& p : parts) {
    Window w;
    if (backward_window) {
      int64_t before = p->end_offset();
      if (anchor == Anchor::offset) before = *offset == INT64_MAX ? *offset : *offset + 1;
      if (anchor == Anchor::timestamp) before = offset_for_time(*p, *timestamp + 1, budget);
      w = backward(*p, before, limit, budget);
    } else {
      int64_t from = p->start_offset();
      if (anchor == Anchor::offset) from = *offset;
      if (anchor == Anchor::timestamp) from = offset_for_time(*p, *timestamp, budget);
      w = forward(*p, from, limit, budget);
    }
    next = w.next;
    all.insert(all.end(), std::make_move_iterator(w.messages.begin()),
               std::make_move_iterator(w.messages.end()));
  }
  auto older = [](const Message& a, const Message& b) {
    return std::tie(a.timestamp, a.partition, a.offset) <
           std::tie(b.timestamp, b.partition, b.offset);
  };
  if (parts.size() > 1) {
    if (backward_window)
      std::sort(all.begin(), all.end(), [&](const auto& a, const auto& b) { return older(b, a); });
    else
      std::sort(all.begin(), all.end(), older);
    if (all.size() > limit) all.resize(limit);
  } else if (backward_window) {
    std::reverse(all.begin(), all.end());  // newest first
  }
  const bool shown_as_read = backward_window == (order == "desc");
  if (!shown_as_read) std::reverse(all.begin(), all.end());

  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  key(w, "topic");
  str(w, name);
  key(w, "partition");
  if (partition)
    w.Int64(*partition);
  else
    w.Null();
  key(w, "order");
  str(w, order);
  key(w, "limit");
  w.Uint64(limit);
  key(w, "partitions");
  w.StartArray();
  for (const auto& p : parts) {
    w.StartObject();
    key(w, "partition");
    w.Int(p->id());
    key(w, "start_offset");
    w.Int64(p->start_offset());
    key(w, "end_offset");
    w.Int64(p->end_offset());
    w.EndObject();
  }
  w.EndArray();
  key(w, "messages");
  w.StartArray();
  for (const auto& m : all) write_message(w, m);
  w.EndArray();
  // The next page in the same order: offset=next_offset with the same order and partition.
  key(w, "next_offset");
  if (partition && shown_as_read && next)
    w.Int64(*next);
  else
    w.Null();
  key(w, "partial");  // the read budget ran out: fewer records than exist may be shown
  w.Bool(budget == 0);
  w.EndObject();
  return json_ok(buf);
}

}  // namespace

void add_message_routes(Router& router, const ApiContext& ctx) {
  router.add("GET", "/api/topics/{}/messages", [ctx](const Request& req, const Params& params) {
    try {
      return messages(ctx, req, params[0]);
    } catch (const BadRequest& e) {
      return json_error(400, e.what());
    }
  });
}

}  // namespace sluice::http::data_api
