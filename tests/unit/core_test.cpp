#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "cdc/position.h"
#include "core/base64.h"
#include "core/crc32c.h"
#include "core/json_writer.h"
#include "core/lsn.h"

namespace sluice {
namespace {

TEST(Core, JsonEscaping) {
  std::string s;
  json::append_string(s, std::string("a\"b\\c\n\x01\x1f") + "\xc3\xa9");
  EXPECT_EQ(s, "\"a\\\"b\\\\c\\n\\u0001\\u001F\xc3\xa9\"") << "upper case, as Jackson";
}

TEST(Core, Lsn) {
  EXPECT_EQ(format_lsn(0x16B3748ull), "0/16B3748");
  EXPECT_EQ(parse_lsn("1/0").value(), 1ull << 32);
  EXPECT_FALSE(parse_lsn("nope"));
  EXPECT_FALSE(parse_lsn("1/"));
}

TEST(Core, Base64) {
  EXPECT_EQ(base64::encode(std::string("\x27\x10", 2)), "JxA=");
  EXPECT_EQ(base64::encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64::encode("\xfb\xff", true), "-_8=");
  std::string out;
  EXPECT_TRUE(base64::decode("aGVsbG8=", out));
  EXPECT_EQ(out, "hello");
}

TEST(Core, Crc32c) {
  // The standard check value of CRC-32C.
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
}

TEST(Core, PositionStoreSurvivesATornSlot) {
  char tmpl[] = "/tmp/sluice-pos-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  {
    cdc::PositionStore s(tmpl);
    EXPECT_FALSE(s.load());
    cdc::Position p;
    p.output_size = 10;
    p.resume_lsn = 100;
    s.save(p);
    p.output_size = 20;
    p.resume_lsn = 200;
    p.has_partial = true;
    p.partial_xid = 7;
    p.partial_count = 3;
    s.save(p);
  }
  {
    cdc::PositionStore s(tmpl);
    auto p = s.load();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->output_size, 20u);
    EXPECT_TRUE(p->has_partial);
    EXPECT_EQ(p->partial_count, 3u);
  }
  // Tear the newer slot: the older position is still there.
  fd = open(tmpl, O_WRONLY);
  ASSERT_EQ(pwrite(fd, "garbage", 7, 0), 7);
  close(fd);
  cdc::PositionStore s(tmpl);
  auto p = s.load();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->output_size, 10u);
  unlink(tmpl);
}

}  // namespace
}  // namespace sluice
