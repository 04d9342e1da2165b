#include "pg/pgoutput.h"

#include <gtest/gtest.h>

namespace sluice::pg {
namespace {

struct Recorder : PgOutputHandler {
  std::vector<std::string> seen;
  RelationMessage rel;
  Tuple last;
  char old_kind = 0;
  void on_begin(const BeginMessage& m) override {
    seen.push_back("B" + std::to_string(m.xid) + "@" + std::to_string(m.final_lsn));
  }
  void on_commit(const CommitMessage& m) override {
    seen.push_back("C" + std::to_string(m.end_lsn));
  }
  void on_relation(const RelationMessage& m) override {
    rel = m;
    seen.push_back("R" + m.schema + "." + m.table);
  }
  void on_type(uint32_t, std::string_view, std::string_view n) override {
    seen.push_back("Y" + std::string(n));
  }
  void on_insert(uint32_t, const Tuple& t) override {
    last = t;
    seen.push_back("I");
  }
  void on_update(uint32_t, char k, const Tuple&, const Tuple& t) override {
    old_kind = k;
    last = t;
    seen.push_back("U");
  }
  void on_delete(uint32_t, char k, const Tuple&) override {
    old_kind = k;
    seen.push_back("D");
  }
  void on_truncate(const std::vector<uint32_t>& r, uint8_t) override {
    seen.push_back("T" + std::to_string(r.size()));
  }
  void on_message(const LogicalMessage& m) override {
    seen.push_back("M" + std::string(m.prefix) + ":" + std::string(m.content));
  }
};

struct Msg {
  std::string b;
  Msg& c(char v) {
    b += v;
    return *this;
  }
  Msg& u16(uint16_t v) {
    b += char(v >> 8);
    b += char(v);
    return *this;
  }
  Msg& u32(uint32_t v) {
    for (int i = 3; i >= 0; --i) b += char(v >> (8 * i));
    return *this;
  }
  Msg& u64(uint64_t v) {
    for (int i = 7; i >= 0; --i) b += char(v >> (8 * i));
    return *this;
  }
  Msg& s(const std::string& v) {
    b += v;
    b += '\0';
    return *this;
  }
  Msg& raw(const std::string& v) {
    b += v;
    return *this;
  }
};

TEST(PgOutput, DecodesTransactionRelationAndTuples) {
  PgOutputDecoder d;
  Recorder r;
  d.decode(Msg().c('B').u64(0x100).u64(5).u32(42).b, r);
  d.decode(Msg()
               .c('R')
               .u32(16384)
               .s("")
               .s("t")
               .c('d')
               .u16(2)
               .c(1)
               .s("id")
               .u32(23)
               .u32(0xffffffff)
               .c(0)
               .s("v")
               .u32(25)
               .u32(0xffffffff)
               .b,
           r);
  EXPECT_EQ(r.rel.schema, "pg_catalog") << "an empty namespace means pg_catalog";
  EXPECT_TRUE(r.rel.columns[0].is_key);
  EXPECT_EQ(r.rel.columns[1].typmod, -1);
  // Tuple values are views into the message: keep it alive while they are read.
  std::string insert =
      Msg().c('I').u32(16384).c('N').u16(3).c('t').u32(2).raw("42").c('n').c('u').b;
  d.decode(insert, r);
  ASSERT_EQ(r.last.size(), 3u);
  EXPECT_EQ(r.last[0].data, "42");
  EXPECT_EQ(r.last[1].kind, 'n');
  EXPECT_EQ(r.last[2].kind, 'u');
  d.decode(Msg().c('U').u32(16384).c('O').u16(1).c('n').c('N').u16(1).c('t').u32(1).raw("x").b, r);
  EXPECT_EQ(r.old_kind, 'O');
  d.decode(Msg().c('D').u32(16384).c('K').u16(1).c('t').u32(1).raw("1").b, r);
  EXPECT_EQ(r.old_kind, 'K');
  d.decode(Msg().c('T').u32(2).c(0).u32(1).u32(2).b, r);
  d.decode(Msg().c('M').c(1).u64(7).s("pfx").u32(3).raw("abc").b, r);
  d.decode(Msg().c('C').c(0).u64(0x100).u64(0x130).u64(5).b, r);
  std::vector<std::string> want{"B42@256", "Rpg_catalog.t", "I",   "U", "D",
                                "T2",      "Mpfx:abc",      "C304"};
  EXPECT_EQ(r.seen, want);
}

TEST(PgOutput, MalformedInputIsAnErrorThatNamesIt) {
  PgOutputDecoder d;
  Recorder r;
  EXPECT_THROW(d.decode("", r), ProtocolError);
  try {
    d.decode("Z", r);
    FAIL();
  } catch (const ProtocolError& e) {
    EXPECT_NE(std::string(e.what()).find("0x5a"), std::string::npos) << e.what();
  }
  EXPECT_THROW(d.decode(Msg().c('B').u64(1).b, r), ProtocolError);         // truncated
  EXPECT_THROW(d.decode(Msg().c('I').u32(1).c('X').b, r), ProtocolError);  // bad marker
  EXPECT_THROW(d.decode(Msg().c('I').u32(1).c('N').u16(1).c('t').u32(1000).raw("ab").b, r),
               ProtocolError);  // value longer than the message
  EXPECT_THROW(d.decode(Msg().c('I').u32(1).c('N').u16(1).c('q').b, r), ProtocolError);
  EXPECT_THROW(d.decode(Msg().c('R').u32(1).raw("noterminator").b, r), ProtocolError);
  EXPECT_THROW(d.decode(Msg().c('C').c(0).u64(1).u64(2).u64(3).c('x').b, r), ProtocolError);
  // Random bytes never crash the decoder.
  uint32_t seed = 1;
  for (int i = 0; i < 20000; ++i) {
    std::string m;
    int len = int(seed % 40);
    for (int j = 0; j < len; ++j) {
      seed = seed * 1103515245 + 12345;
      m += char(seed >> 16);
    }
    if (!m.empty()) m[0] = "BCORYIUDTM"[seed % 10];
    try {
      d.decode(m, r);
    } catch (const ProtocolError&) {
    }
  }
}

}  // namespace
}  // namespace sluice::pg
