// The topic sink against a real TopicStore: placement by key, and exactly once across a crash
// (records past the saved position are counted by producer id and dropped when sent again).
#include "cdc/topic_sink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "log/producer_ids.h"
#include "log/topic_store.h"

namespace sluice::cdc {
namespace {

namespace fs = std::filesystem;

std::string line(const std::string& topic, int id, const std::string& value = "") {
  std::string key = "{\"id\":" + std::to_string(id) + "}";
  std::string v = value.empty() ? "{\"op\":\"c\",\"id\":" + std::to_string(id) + "}" : value;
  return "{\"topic\":\"" + topic + "\",\"partition\":0,\"key\":" + key + ",\"value\":" + v +
         ",\"headers\":{}}\n";
}

std::string lines(const std::string& topic, int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) out += line(topic, i);
  return out;
}

struct Stored {
  std::string key;
  std::optional<std::string> value;
  int64_t producer_id;
  int16_t epoch;
};

std::vector<Stored> read_all(log::TopicStore& store, const std::string& topic, int32_t p) {
  std::vector<Stored> out;
  auto part = store.find(topic)->partition(p);
  int64_t off = 0;
  while (off < part->end_offset()) {
    std::string bytes = part->read(off, 1 << 20);
    std::string_view rest = bytes;
    while (rest.size() >= kafka::kBatchHeaderSize) {
      auto h = kafka::check_batch(rest.substr(0, kafka::kBatchHeaderSize)).header;
      std::string_view b = rest.substr(0, h.total_size());
      std::vector<kafka::Record> recs;
      EXPECT_EQ(kafka::read_records(b, recs), "");
      for (auto& r : recs)
        out.push_back({std::string(*r.key),
                       r.value ? std::optional<std::string>(std::string(*r.value)) : std::nullopt,
                       h.producer_id, h.producer_epoch});
      off = h.base_offset + h.last_offset_delta + 1;
      rest.remove_prefix(h.total_size());
    }
  }
  return out;
}

class TopicSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-topicsink-XXXXXX";
    dir = mkdtemp(tmpl);
    open_store();
  }
  void TearDown() override {
    ids.reset();
    store.reset();
    fs::remove_all(dir);
  }
  void open_store() {
    ids.reset();
    store.reset();
    log::TopicStoreOptions o;
    o.dir = dir;
    o.default_partitions = 3;
    store = std::make_unique<log::TopicStore>(o);
    ids = std::make_unique<log::ProducerIds>(dir + "/producer_ids");
  }
  std::unique_ptr<TopicSink> sink() {
    return std::make_unique<TopicSink>(*store, *ids, "conn", "srv", "__debezium-heartbeat.srv");
  }
  // Every id of the topic, across its partitions, in offset order per partition.
  std::multiset<std::string> keys(const std::string& topic) {
    std::multiset<std::string> out;
    auto t = store->find(topic);
    for (int32_t p = 0; p < t->partition_count(); ++p)
      for (auto& s : read_all(*store, topic, p)) out.insert(s.key);
    return out;
  }
  std::string dir;
  std::unique_ptr<log::TopicStore> store;
  std::unique_ptr<log::ProducerIds> ids;
};

TEST_F(TopicSinkTest, PlacesByKeyAndKeepsRecordsVerbatim) {
  auto s = sink();
  EXPECT_FALSE(s->recover());
  std::string text = lines("srv.public.t", 1, 20);
  text += R"({"topic":"srv.public.t","partition":0,"key":{"id":3},"value":null,"headers":{}})"
          "\n";
  text +=
      R"({"topic":"srv.public.t","partition":0,"key":null,"value":{"op":"t"},"headers":{"h":"{\"id\":1}"}})"
      "\n";
  s->write(text);
  s->sync();
  Position p;
  p.resume_lsn = 100;
  s->save(p);
  auto t = store->find("srv.public.t");
  ASSERT_EQ(t->partition_count(), 3);
  size_t total = 0;
  for (int32_t part = 0; part < 3; ++part) {
    for (auto& r : read_all(*store, "srv.public.t", part)) {
      ++total;
      if (r.key.starts_with("{\"id\":")) {
        EXPECT_EQ(log::partition_for_key(r.key, 3), part) << r.key;
      } else {
        EXPECT_EQ(part, 0) << "a null key goes to partition 0";
      }
      EXPECT_EQ(r.producer_id, s->producer_id());
    }
  }
  EXPECT_EQ(total, 22u);
  auto p0 = read_all(*store, "srv.public.t", log::partition_for_key("{\"id\":3}", 3));
  bool tombstone = false;
  for (auto& r : p0) tombstone = tombstone || (r.key == "{\"id\":3}" && !r.value);
  EXPECT_TRUE(tombstone);
  // The position record is in connect-offsets, compacted, keyed as Kafka Connect keys it.
  auto off = store->find("connect-offsets");
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->config().compact());
  auto recs = read_all(*store, "connect-offsets", 0);
  ASSERT_EQ(recs.size(), 2u) << "the start record, then the saved position";
  EXPECT_EQ(recs.back().key, R"(["conn",{"server":"srv"}])");
  EXPECT_NE(recs.back().value->find("\"lsn\":100"), std::string::npos) << *recs.back().value;
  EXPECT_NE(recs.back().value->find("\"srv.public.t/0\":"), std::string::npos);
}

TEST_F(TopicSinkTest, CrashAfterWritingReplaysWithoutDuplicates) {
  int64_t pid = 0;
  {
    auto a = sink();
    a->recover();
    pid = a->producer_id();
    a->write(lines("srv.public.t", 1, 5));
    a->sync();
    Position p;
    p.resume_lsn = 500;
    a->save(p);
    // Written after the position, then killed: a brand-new topic among them.
    a->write(lines("srv.public.t", 6, 8));
    a->write(lines("srv.public.new", 1, 4));
    a->write(lines("srv.public.t", 9, 10));
  }
  {
    // Restart in the same process (the log remembers the producer's last sequence).
    auto b = sink();
    auto pos = b->recover();
    ASSERT_TRUE(pos);
    EXPECT_EQ(pos->resume_lsn, 500u);
    EXPECT_EQ(b->producer_id(), pid);
    EXPECT_EQ(b->epoch(), 1) << "each start takes the next epoch";
    EXPECT_EQ(b->pending_skips(), 9u);
    // PostgreSQL sends the same changes again, then new ones; a crash mid-way.
    b->write(lines("srv.public.t", 6, 7));
    b->sync();
    Position p;
    p.resume_lsn = 600;
    b->save(p);
  }
  {
    auto c = sink();
    auto pos = c->recover();
    ASSERT_TRUE(pos);
    EXPECT_EQ(pos->resume_lsn, 600u);
    EXPECT_EQ(c->pending_skips(), 7u);
    c->write(lines("srv.public.t", 8, 8));
    c->write(lines("srv.public.new", 1, 4));
    c->write(lines("srv.public.t", 9, 12));
    c->sync();
    Position p;
    c->save(p);
    EXPECT_EQ(c->pending_skips(), 0u);
  }
  std::multiset<std::string> want_t, want_new;
  for (int i = 1; i <= 12; ++i) want_t.insert("{\"id\":" + std::to_string(i) + "}");
  for (int i = 1; i <= 4; ++i) want_new.insert("{\"id\":" + std::to_string(i) + "}");
  EXPECT_EQ(keys("srv.public.t"), want_t);
  EXPECT_EQ(keys("srv.public.new"), want_new);
}

TEST_F(TopicSinkTest, ForgottenReplayKeepsTheRecordsAndSkipsNothing) {
  {
    auto a = sink();
    a->recover();
    a->write(lines("srv.public.t", 1, 5));  // an interrupted snapshot: no position saved
  }
  auto b = sink();
  b->recover();
  EXPECT_EQ(b->pending_skips(), 5u);
  b->forget_replay();  // the snapshot is taken again: it sends other records
  EXPECT_EQ(b->pending_skips(), 0u);
  b->write(lines("srv.public.t", 101, 103));
  b->sync();
  Position p;
  p.resume_lsn = 10;
  b->save(p);
  std::multiset<std::string> want;
  for (int i : {1, 2, 3, 4, 5, 101, 102, 103}) want.insert("{\"id\":" + std::to_string(i) + "}");
  EXPECT_EQ(keys("srv.public.t"), want) << "none of the new records was taken for a replay";
}

TEST_F(TopicSinkTest, BatchesTakeTheTopicsCompressionType) {
  ASSERT_TRUE(store->create("srv.public.z", 1, {{"compression.type", "lz4"}}).topic);
  auto s = sink();
  s->recover();
  s->write(lines("srv.public.z", 1, 50));
  s->sync();
  auto part = store->find("srv.public.z")->partition(0);
  std::string bytes = part->read(0, 1 << 20);
  size_t first = kafka::check_batch(bytes.substr(0, kafka::kBatchHeaderSize)).header.total_size();
  auto c = kafka::check_batch(bytes.substr(0, first));
  ASSERT_TRUE(c.ok()) << c.error;
  EXPECT_EQ(c.header.compression(), int(kafka::Codec::lz4));
  std::string scratch;
  std::vector<kafka::Record> recs;
  EXPECT_EQ(kafka::read_any_records(bytes.substr(0, c.header.total_size()), scratch, recs), "");
  ASSERT_EQ(recs.size(), 50u);
  EXPECT_EQ(*recs[49].key, "{\"id\":50}");
  EXPECT_LT(c.header.total_size(), lines("srv.public.z", 1, 50).size() / 2) << "compressed";
}

TEST_F(TopicSinkTest, RestartOfTheWholeLogRecoversToo) {
  {
    auto a = sink();
    a->recover();
    a->write(lines("srv.public.t", 1, 3));
    a->sync();
    Position p;
    p.resume_lsn = 1;
    a->save(p);
    a->write(lines("srv.public.t", 4, 6));
  }
  open_store();  // as after kill -9 of the server: the log is reopened from disk
  auto b = sink();
  ASSERT_TRUE(b->recover());
  EXPECT_EQ(b->pending_skips(), 3u);
  b->write(lines("srv.public.t", 4, 7));
  b->sync();
  std::multiset<std::string> want;
  for (int i = 1; i <= 7; ++i) want.insert("{\"id\":" + std::to_string(i) + "}");
  EXPECT_EQ(keys("srv.public.t"), want);
}

TEST_F(TopicSinkTest, OtherProducersRecordsAreNotCounted) {
  {
    auto a = sink();
    a->recover();
    a->write(lines("srv.public.t", 1, 2));
    a->sync();
    Position p;
    a->save(p);
  }
  // Someone else writes into the connector's topic after its position.
  auto t = store->find("srv.public.t");
  for (int32_t part = 0; part < 3; ++part) {
    kafka::BatchBuilder b(1);
    b.add(std::string_view("{\"id\":99}"), std::string_view("x"), 1);
    ASSERT_EQ(t->partition(part)->append(b.finish(), t->config()).error, 0);
  }
  auto b = sink();
  b->recover();
  EXPECT_EQ(b->pending_skips(), 0u);
}

}  // namespace
}  // namespace sluice::cdc
