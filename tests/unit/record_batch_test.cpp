#include "kafka/record_batch.h"

#include <gtest/gtest.h>

#include "core/varint.h"

namespace sluice::kafka {
namespace {

TEST(Varint, ZigZagAndUnsigned) {
  std::string s;
  varint::append_signed(s, -1);
  EXPECT_EQ(s, std::string("\x01", 1));
  s.clear();
  varint::append_signed(s, 150);  // zig-zag 300 = 0xAC 0x02
  EXPECT_EQ(s, "\xac\x02");
  size_t pos = 0;
  EXPECT_EQ(varint::read_signed(s, pos), 150);
  for (int64_t v : {int64_t(0), int64_t(-64), int64_t(63), INT64_MIN, INT64_MAX}) {
    std::string b;
    varint::append_signed(b, v);
    EXPECT_EQ(b.size(), varint::signed_size(v));
    size_t p = 0;
    EXPECT_EQ(varint::read_signed(b, p), v);
  }
  pos = 0;
  EXPECT_FALSE(varint::read_unsigned("\x80\x80", pos)) << "truncated";
  pos = 0;
  EXPECT_FALSE(varint::read_unsigned(std::string(11, '\xff'), pos)) << "too long";
}

TEST(RecordBatch, BuildCheckAndReadBack) {
  BatchBuilder b(1000);
  b.add(std::string_view("k1"), std::string_view("v1"), 1000);
  b.add(std::nullopt, std::string_view("no key"), 1005, {{"h", std::string_view("x")}});
  b.add(std::string_view("k1"), std::nullopt, 1002);  // a tombstone
  std::string batch = b.finish();
  set_base_offset(batch, 42);  // outside the CRC: still valid
  auto c = check_batch(batch);
  ASSERT_TRUE(c.ok()) << c.error;
  EXPECT_EQ(c.header.base_offset, 42);
  EXPECT_EQ(c.header.record_count, 3);
  EXPECT_EQ(c.header.last_offset_delta, 2);
  EXPECT_EQ(c.header.max_timestamp, 1005);
  std::vector<Record> recs;
  ASSERT_EQ(read_records(batch, recs), "");
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(*recs[0].key, "k1");
  EXPECT_FALSE(recs[1].key);
  EXPECT_EQ(recs[1].timestamp_delta, 5);
  EXPECT_EQ(recs[1].headers[0].key, "h");
  EXPECT_EQ(*recs[1].headers[0].value, "x");
  EXPECT_FALSE(recs[2].value);
  EXPECT_EQ(recs[2].offset_delta, 2);
}

TEST(RecordBatch, CorruptionAndTruncationAreNamed) {
  BatchBuilder b(0);
  b.add(std::string_view("k"), std::string_view("value"), 0);
  std::string batch = b.finish();
  std::string flipped = batch;
  flipped.back() ^= 1;
  EXPECT_NE(check_batch(flipped).error.find("CRC"), std::string::npos);
  EXPECT_NE(check_batch(batch.substr(0, batch.size() - 1)).error.find("arrived"),
            std::string::npos);
  EXPECT_NE(check_batch(batch.substr(0, 30)).error.find("header"), std::string::npos);
  std::string magic = batch;
  magic[16] = 1;
  EXPECT_NE(check_batch(magic).error.find("magic"), std::string::npos);
  // Every single-byte truncation or flip is refused or read safely, never crashes.
  for (size_t i = 0; i < batch.size(); ++i) {
    std::string m = batch;
    m[i] = char(m[i] ^ 0x5a);
    std::vector<Record> out;
    (void)read_records(m, out);
    (void)read_records(batch.substr(0, i), out);
  }
}

}  // namespace
}  // namespace sluice::kafka
