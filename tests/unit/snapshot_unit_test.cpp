// Pieces of the snapshots that need no database: COPY text rows, the position's incremental
// snapshot state (file and connect-offsets record) and progress lines.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "cdc/position.h"
#include "cdc/position_record.h"
#include "cdc/snapshot_progress.h"
#include "core/crc32c.h"
#include "pg/copy_text.h"

namespace sluice {
namespace {

TEST(CopyText, SplitsColumnsAndReadsNulls) {
  pg::Tuple row;
  std::string scratch;
  ASSERT_TRUE(pg::parse_copy_text_row("1\tabc\t\\N\t\n", row, scratch));
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row[0].kind, 't');
  EXPECT_EQ(row[0].data, "1");
  EXPECT_EQ(row[1].data, "abc");
  EXPECT_EQ(row[2].kind, 'n');
  EXPECT_EQ(row[3].kind, 't');
  EXPECT_EQ(row[3].data, "") << "an empty string is not NULL";
}

TEST(CopyText, Unescapes) {
  pg::Tuple row;
  std::string scratch;
  ASSERT_TRUE(pg::parse_copy_text_row("a\\tb\\nc\\\\d\t\\x41\\101\\N\tplain", row, scratch));
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row[0].data, "a\tb\nc\\d");
  EXPECT_EQ(row[1].data, "AAN") << "\\N inside a value is an escaped N";
  EXPECT_EQ(row[2].data, "plain");
  EXPECT_FALSE(pg::parse_copy_text_row("dangling\\", row, scratch));
}

TEST(Position, IncrementalStateSurvivesAndV1FilesAreRead) {
  char tmpl[] = "/tmp/sluice-pos-XXXXXX";
  int fd = mkstemp(tmpl);
  // A version-1 file: one 64-byte slot.
  struct V1 {
    uint32_t magic, has_partial;
    uint64_t seq, output_size, resume_lsn, last_commit_lsn, partial_count;
    uint32_t partial_xid, crc;
  } v1{0x534c5031, 0, 5, 123, 456, 400, 0, 0, 0};
  v1.crc = crc32c(&v1, offsetof(V1, crc));
  ASSERT_EQ(pwrite(fd, &v1, sizeof v1, 0), ssize_t(sizeof v1));
  close(fd);
  {
    cdc::PositionStore s(tmpl);
    auto p = s.load();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->output_size, 123u);
    EXPECT_EQ(p->resume_lsn, 456u);
    EXPECT_TRUE(p->incremental.empty());
    cdc::Position n = *p;
    n.resume_lsn = 789;
    n.incremental = R"({"tables":[{"name":"public.t","filter":"","last_key":["42"]}]})";
    n.last_xid = 9;
    s.save(n);
  }
  cdc::PositionStore s(tmpl);
  auto p = s.load();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->resume_lsn, 789u) << "the newer version-2 slot wins";
  EXPECT_EQ(p->last_xid, 9u);
  EXPECT_EQ(p->incremental, R"({"tables":[{"name":"public.t","filter":"","last_key":["42"]}]})");
  cdc::Position big;
  big.incremental.assign(20000, 'x');
  EXPECT_THROW(s.save(big), std::runtime_error);
  unlink(tmpl);
}

TEST(Position, IncrementalStateInTheOffsetsRecord) {
  cdc::SinkPosition sp;
  cdc::Position p;
  p.resume_lsn = 10;
  p.incremental = R"({"tables":[{"name":"s.t \"q\"","filter":"a=1","last_key":[]}]})";
  sp.position = p;
  sp.producer_id = 3;
  auto back = cdc::decode_position_record(cdc::encode_position_record(sp));
  ASSERT_TRUE(back.position);
  EXPECT_EQ(back.position->incremental, p.incremental);
  sp.position->incremental.clear();
  EXPECT_EQ(cdc::encode_position_record(sp).find("incremental"), std::string::npos);
}

TEST(SnapshotProgress, LinesShowRunningTablesOnly) {
  cdc::SnapshotProgress pr;
  size_t a = pr.add_table("public.a", 1000, false);
  size_t b = pr.add_table("public.b", -1, false);
  pr.add_rows(a, 250);
  pr.add_rows(b, 7);
  std::string line = pr.line();
  EXPECT_NE(line.find("public.a 250/~1000 rows (25%)"), std::string::npos) << line;
  EXPECT_NE(line.find("public.b 7 rows"), std::string::npos) << line;
  pr.finish(a);
  EXPECT_EQ(pr.line().find("public.a"), std::string::npos);
  auto all = pr.snapshot();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[0].done);
  EXPECT_EQ(all[0].rows, 250u);
}

}  // namespace
}  // namespace sluice
