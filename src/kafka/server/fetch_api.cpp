// Fetch (1) v4-11, sessionless: every requested partition is answered each time (a session
// asked for is declined with session id 0, so clients keep sending full fetches). Data is the
// stored batches from the one holding the fetch offset; a fetch with less than min_bytes waits
// up to max_wait_ms for more.
#include <fmt/format.h>

#include "kafka/errors.h"
#include "kafka/server/core_apis.h"
#include "kafka/server/fetch_waiters.h"
#include "log/topic_store.h"

namespace sluice::kafka {

namespace {

struct FetchPartition {
  int32_t index;
  int64_t offset;
  int32_t max_bytes;
};

struct FetchTopic {
  std::string name;
  std::vector<FetchPartition> partitions;
};

struct FetchRequest {
  int16_t version;
  int32_t max_wait_ms, min_bytes, max_bytes;
  int32_t session_id, session_epoch;
  std::vector<FetchTopic> topics;
};

// Builds the answer; returns the record bytes it holds and whether any partition had an error.
std::string build(log::TopicStore& store, const FetchRequest& f, size_t& bytes, bool& error) {
  bytes = 0;
  error = false;
  int16_t v = f.version;
  std::string out;
  Writer w(out);
  w.i32(0);  // throttle
  if (v >= 7) {
    bool bad_session = f.session_id != 0 && f.session_epoch != -1;
    w.i16(bad_session ? err::kFetchSessionIdNotFound : err::kNone);
    w.i32(0);  // no session
  }
  size_t budget = f.max_bytes > 0 ? size_t(f.max_bytes) : SIZE_MAX;
  w.array_count(int32_t(f.topics.size()));
  for (const auto& t : f.topics) {
    w.string(t.name);
    w.array_count(int32_t(t.partitions.size()));
    auto topic = store.find(t.name);
    for (const auto& p : t.partitions) {
      auto part = topic ? topic->partition(p.index) : nullptr;
      int16_t e = err::kNone;
      int64_t hw = -1, start = -1;
      std::string data;
      if (!part) {
        e = err::kUnknownTopicOrPartition;
      } else {
        hw = part->end_offset();
        start = part->start_offset();
        if (p.offset < start || p.offset > hw) {
          e = err::kOffsetOutOfRange;
        } else if (p.offset < hw && (budget > 0 || bytes == 0)) {
          size_t limit = std::min<size_t>(size_t(std::max(p.max_bytes, 0)), budget);
          data = part->read(p.offset, std::max<size_t>(limit, 1));
          // Only the answer's first batch may exceed the limits (so a consumer always moves on).
          if (bytes > 0 && data.size() > limit) data.clear();
          budget -= std::min(budget, data.size());
        }
      }
      if (e) error = true;
      bytes += data.size();
      w.i32(p.index);
      w.i16(e);
      w.i64(hw);
      w.i64(hw);  // last stable offset: no transactions, so the high watermark
      if (v >= 5) w.i64(start);
      w.array_count(-1);       // aborted transactions: none
      if (v >= 11) w.i32(-1);  // preferred read replica
      w.bytes(data);
    }
  }
  return out;
}

void fetch(Request& req) {
  Reader& in = req.body;
  FetchRequest f;
  f.version = req.header.api_version;
  in.i32();  // replica id
  f.max_wait_ms = in.i32();
  f.min_bytes = in.i32();
  f.max_bytes = in.i32();
  in.i8();  // isolation level: no transactions, so both levels read up to the high watermark
  f.session_id = 0;
  f.session_epoch = -1;
  if (f.version >= 7) {
    f.session_id = in.i32();
    f.session_epoch = in.i32();
  }
  int32_t nt = in.array_count(2);
  for (int32_t i = 0; i < nt; ++i) {
    FetchTopic t;
    t.name = std::string(in.string());
    int32_t np = in.array_count(16);
    for (int32_t j = 0; j < np; ++j) {
      FetchPartition p;
      p.index = in.i32();
      if (f.version >= 9) in.i32();  // current leader epoch
      p.offset = in.i64();
      if (f.version >= 5) in.i64();  // log start offset (a follower's)
      p.max_bytes = in.i32();
      t.partitions.push_back(p);
    }
    f.topics.push_back(std::move(t));
  }
  if (f.version >= 7) {
    int32_t forgotten = in.array_count(2);
    for (int32_t i = 0; i < forgotten; ++i) {
      in.string();
      int32_t n = in.array_count(4);
      for (int32_t j = 0; j < n; ++j) in.i32();
    }
  }
  if (f.version >= 11) in.string();  // rack

  size_t bytes;
  bool error;
  std::string out = build(*req.broker.topics, f, bytes, error);
  if (error || f.max_wait_ms <= 0 || bytes >= size_t(std::max(f.min_bytes, 1)) ||
      f.topics.empty() || !req.broker.fetch_waiters)
    return req.respond.send(std::move(out));
  auto* store = req.broker.topics;
  Responder respond = req.respond;
  req.broker.fetch_waiters->park(f.max_wait_ms, [f = std::move(f), store, respond](bool final) {
    size_t b;
    bool e;
    std::string o = build(*store, f, b, e);
    if (!final && !e && b < size_t(std::max(f.min_bytes, 1))) return false;
    respond.send(std::move(o));
    return true;
  });
}

}  // namespace

void register_fetch(ApiTable& t) { t.add({1, 4, 11, fetch}); }

}  // namespace sluice::kafka
