// Output lines read back as Kafka records (what the topic and Kafka sinks write), and the
// position record of connect-offsets.
#include "cdc/record_line.h"

#include <gtest/gtest.h>

#include "cdc/connector_config.h"
#include "cdc/event_builder.h"
#include "cdc/position_record.h"

namespace sluice::cdc {
namespace {

TEST(RecordLine, ChangeWithSchemasGivesKeyAndValueJsonVerbatim) {
  std::string key =
      R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"p.public.t.Key"},"payload":{"id":7}})";
  std::string value =
      R"({"schema":{"type":"struct"},"payload":{"before":null,"after":{"id":7,"s":"a \"quoted\" }{ ,\"headers\":{","headers":{"srid":null}},"op":"c"}})";
  std::string line = R"({"topic":"p.public.t","partition":0,"key":)" + key + R"(,"value":)" +
                     value + R"(,"headers":{}})";
  RecordLineParser parser;
  RecordLine r;
  ASSERT_TRUE(parser.parse(line, r)) << parser.error();
  EXPECT_EQ(r.topic, "p.public.t");
  ASSERT_TRUE(r.key);
  EXPECT_EQ(*r.key, key);
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value, value);
  EXPECT_TRUE(r.headers.empty());
}

TEST(RecordLine, TombstoneNullKeyAndHeaders) {
  RecordLineParser parser;
  RecordLine r;
  ASSERT_TRUE(
      parser.parse(R"({"topic":"t","partition":0,"key":{"id":1},"value":null,"headers":{}})", r));
  EXPECT_EQ(*r.key, R"({"id":1})");
  EXPECT_FALSE(r.value) << "a null value is a tombstone";

  ASSERT_TRUE(
      parser.parse(R"({"topic":"t","partition":0,"key":null,"value":{"a":1},"headers":{}})", r));
  EXPECT_FALSE(r.key);
  EXPECT_EQ(*r.value, R"({"a":1})");

  // Debezium's key-change headers carry the key struct's JSON as the header bytes.
  ASSERT_TRUE(parser.parse(
      R"({"topic":"t","partition":0,"key":{"id":2},"value":{"op":"c"},"headers":{"__debezium.oldkey":"{\"id\":1}","x":null,"n":5}})",
      r))
      << parser.error();
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[0].key, "__debezium.oldkey");
  EXPECT_EQ(*r.headers[0].value, R"({"id":1})");
  EXPECT_EQ(r.headers[1].key, "x");
  EXPECT_FALSE(r.headers[1].value);
  EXPECT_EQ(*r.headers[2].value, "5");
  EXPECT_EQ(*r.value, R"({"op":"c"})");
}

TEST(RecordLine, EventBuilderLinesRoundTrip) {
  auto config = ConnectorConfig::from_json(
      R"({"name":"c","config":{"database.hostname":"h","database.user":"u","database.dbname":"d","topic.prefix":"srv"}})");
  EventBuilder b(config);
  std::string out;
  b.heartbeat(out, 1234);
  b.transaction_begin(out, "5:100", 99);
  int lines = 0;
  RecordLineParser parser;
  RecordLine r;
  for_each_line(out, [&](std::string_view line) {
    ASSERT_TRUE(parser.parse(line, r)) << parser.error() << "\n" << line;
    ++lines;
  });
  EXPECT_EQ(lines, 2);
  EXPECT_EQ(r.topic, "srv.transaction");
  EXPECT_NE(r.key->find(R"("payload":{"id":"5:100"})"), std::string_view::npos);
  EXPECT_NE(r.value->find(R"("status":"BEGIN")"), std::string_view::npos);
}

TEST(RecordLine, EscapedTopicAndMalformedLines) {
  RecordLineParser parser;
  RecordLine r;
  ASSERT_TRUE(parser.parse(
      R"({"topic":"a\u002Eb","partition":0,"key":null,"value":null,"headers":{}})", r));
  EXPECT_EQ(r.topic, "a.b");
  for (const char* bad : {
           R"({"topic":"t","key":null,"value":null})",
           R"({"topic":"t","partition":0,"key":{"id":1,"value":null,"headers":{}})",
           R"({"topic":"t","partition":0,"key":null,"value":{"a":1,"headers":{}})",
           R"({"topic":"t","partition":0,"key":null,"value":,"headers":{}})",
           R"({"topic":"t","partition":0,"key":null,"value":null,"headers":{"h":"v"})",
           R"(["topic"])",
           "",
       })
    EXPECT_FALSE(parser.parse(bad, r)) << bad;
}

TEST(RecordLine, CutAndMangledLinesNeverCrash) {
  std::string good =
      R"({"topic":"t","partition":0,"key":{"a":[1,"x\"]"]},"value":{"s":"\\","n":null},"headers":{"h":"{\"id\":1}","k":[1]}})";
  RecordLineParser parser;
  RecordLine r;
  ASSERT_TRUE(parser.parse(good, r)) << parser.error();
  for (size_t n = 0; n < good.size(); ++n) {
    std::string cut = good.substr(0, n);
    EXPECT_FALSE(parser.parse(cut, r)) << cut;
  }
  const char replacements[] = {'"', '\\', '{', '}', '[', ']', ',', ':', 'x', '\0'};
  for (size_t i = 0; i < good.size(); ++i)
    for (char c : replacements) {
      std::string m = good;
      m[i] = c;
      parser.parse(m, r);  // any answer, as long as it is one
    }
}

TEST(RecordLine, ForEachLineSkipsAPartialTail) {
  std::vector<std::string> got;
  for_each_line("a\nbb\nccc", [&](std::string_view l) { got.emplace_back(l); });
  EXPECT_EQ(got, (std::vector<std::string>{"a", "bb"}));
}

TEST(RecordLine, JsonUnescape) {
  std::string out;
  ASSERT_TRUE(json_unescape(R"(a\"b\\c\/\n\u00e9\ud83d\ude00)", out));
  EXPECT_EQ(out, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_FALSE(json_unescape(R"(bad\q)", out));
  EXPECT_FALSE(json_unescape(R"(\u12)", out));
}

TEST(PositionRecord, RoundTripsAndReadsDebeziumOffsets) {
  EXPECT_EQ(position_record_key("inventory-connector", "dbserver1"),
            R"(["inventory-connector",{"server":"dbserver1"}])");
  SinkPosition sp;
  Position p;
  p.resume_lsn = 34488440;
  p.last_commit_lsn = 34488384;
  p.has_partial = true;
  p.partial_xid = 768;
  p.partial_count = 3;
  p.last_xid = 767;
  p.last_commit_us = 1705611235819000;
  sp.position = p;
  sp.producer_id = 42;
  sp.epoch = 7;
  sp.partitions = {{"srv.public.t/0", 10}, {"srv.public.t/1", 0}};
  std::string v = encode_position_record(sp);
  EXPECT_NE(v.find(R"("lsn_proc":34488440,"lsn_commit":34488384,"lsn":34488440,"txId":767)"),
            std::string::npos)
      << v;
  SinkPosition back = decode_position_record(v);
  ASSERT_TRUE(back.position);
  EXPECT_EQ(back.position->resume_lsn, p.resume_lsn);
  EXPECT_EQ(back.position->last_commit_lsn, p.last_commit_lsn);
  EXPECT_TRUE(back.position->has_partial);
  EXPECT_EQ(back.position->partial_xid, 768u);
  EXPECT_EQ(back.position->partial_count, 3u);
  EXPECT_EQ(back.position->last_commit_us, p.last_commit_us);
  EXPECT_EQ(back.producer_id, 42);
  EXPECT_EQ(back.epoch, 7);
  EXPECT_EQ(back.prior_producer_id, -1);
  EXPECT_EQ(back.partitions, sp.partitions);

  SinkPosition none;
  none.producer_id = 5;
  none.epoch = 0;
  EXPECT_FALSE(decode_position_record(encode_position_record(none)).position);

  // Offsets Debezium itself stored.
  auto dbz = decode_position_record(
      R"({"transaction_id":null,"lsn_proc":368,"messageType":"INSERT","lsn_commit":360,"lsn":368,"txId":771,"ts_usec":1705611235819000})");
  ASSERT_TRUE(dbz.position);
  EXPECT_EQ(dbz.position->resume_lsn, 360u);
  EXPECT_EQ(dbz.producer_id, -1);

  std::string topic;
  int32_t part = -1;
  ASSERT_TRUE(split_partition_key("a.b-c/12", topic, part));
  EXPECT_EQ(topic, "a.b-c");
  EXPECT_EQ(part, 12);
  EXPECT_FALSE(split_partition_key("nopartition", topic, part));
}

}  // namespace
}  // namespace sluice::cdc
