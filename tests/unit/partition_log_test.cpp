#include "log/partition_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "kafka/record_batch.h"

namespace sluice::log {
namespace {

namespace fs = std::filesystem;

std::string batch_of(int n, int64_t ts, const std::string& tag) {
  kafka::BatchBuilder b(ts);
  for (int i = 0; i < n; ++i)
    b.add(std::string_view(tag), std::string_view(tag + std::to_string(i)), ts + i);
  return b.finish();
}

// Base offsets and record values of the batches in a read.
std::vector<std::pair<int64_t, std::string>> contents(std::string_view bytes) {
  std::vector<std::pair<int64_t, std::string>> out;
  while (bytes.size() >= kafka::kBatchHeaderSize) {
    auto h = kafka::check_batch(bytes.substr(0, kafka::kBatchHeaderSize)).header;
    std::string_view one = bytes.substr(0, h.total_size());
    std::vector<kafka::Record> recs;
    EXPECT_EQ(kafka::read_records(one, recs), "");
    for (auto& r : recs) out.emplace_back(h.base_offset + r.offset_delta, std::string(*r.value));
    bytes.remove_prefix(h.total_size());
  }
  return out;
}

class PartitionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-log-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string dir;
};

TEST_F(PartitionLogTest, AppendAssignsOffsetsAndReadsBack) {
  auto log = PartitionLog::open(dir);
  EXPECT_EQ(log->append(batch_of(3, 1000, "a")), 0);
  EXPECT_EQ(log->append(batch_of(2, 2000, "b")), 3);
  EXPECT_EQ(log->end_offset(), 5);
  auto all = contents(log->read(0, 1 << 20));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[3], (std::pair<int64_t, std::string>{3, "b0"}));
  // A read starts at the batch holding the offset.
  auto mid = contents(log->read(4, 1 << 20));
  EXPECT_EQ(mid.front().first, 3);
  EXPECT_TRUE(log->read(5, 100).empty());
  // At least one batch, however small the limit.
  EXPECT_EQ(contents(log->read(0, 1)).size(), 3u);
  EXPECT_EQ(log->offset_for_timestamp(1500), 3);
  EXPECT_EQ(log->offset_for_timestamp(0), 0);
  EXPECT_EQ(log->offset_for_timestamp(9999), 5);
  EXPECT_THROW(log->append("junk"), std::invalid_argument);
}

TEST_F(PartitionLogTest, SegmentsRollAndSurviveReopen) {
  LogConfig cfg;
  cfg.segment_bytes = 300;
  cfg.index_interval_bytes = 100;
  {
    auto log = PartitionLog::open(dir, cfg);
    for (int i = 0; i < 20; ++i) log->append(batch_of(2, 1000 * i, "r" + std::to_string(i)));
    log->sync();
  }
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() == ".log";
  EXPECT_GT(files, 3u);
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->end_offset(), 40);
  EXPECT_EQ(log->recovered_bytes(), 0u);
  auto all = contents(log->read(0, 1 << 20));
  ASSERT_EQ(all.size(), 40u);
  for (int64_t i = 0; i < 40; ++i) EXPECT_EQ(all[size_t(i)].first, i);
  EXPECT_EQ(contents(log->read(33, 1 << 20)).front().first, 32);
  EXPECT_EQ(log->offset_for_timestamp(7000), 14);
  EXPECT_EQ(log->append(batch_of(1, 0, "after")), 40);
}

TEST_F(PartitionLogTest, TornTailAndBadCrcAreCutOnOpen) {
  std::string seg;
  {
    auto log = PartitionLog::open(dir);
    log->append(batch_of(2, 0, "ok"));
    log->append(batch_of(2, 0, "ok2"));
    log->sync();
  }
  for (const auto& e : fs::directory_iterator(dir)) seg = e.path().string();
  auto size = fs::file_size(seg);
  // A torn write: the first 40 bytes of a third batch.
  std::string third = batch_of(5, 0, "torn");
  int fd = ::open(seg.c_str(), O_WRONLY | O_APPEND);
  ASSERT_EQ(write(fd, third.data(), 40), 40);
  close(fd);
  {
    auto log = PartitionLog::open(dir);
    EXPECT_EQ(log->recovered_bytes(), 40u);
    EXPECT_EQ(log->end_offset(), 4);
    EXPECT_EQ(fs::file_size(seg), size);
  }
  // A flipped byte inside the last batch: its CRC fails, so it is cut too.
  fd = ::open(seg.c_str(), O_RDWR);
  char c;
  ASSERT_EQ(pread(fd, &c, 1, off_t(size - 3)), 1);
  c ^= 0x20;
  ASSERT_EQ(pwrite(fd, &c, 1, off_t(size - 3)), 1);
  close(fd);
  auto log = PartitionLog::open(dir);
  EXPECT_EQ(log->end_offset(), 2);
  EXPECT_GT(log->recovered_bytes(), 0u);
  EXPECT_EQ(log->append(batch_of(1, 0, "next")), 2);
  EXPECT_EQ(contents(log->read(0, 1 << 20)).size(), 3u);
}

TEST_F(PartitionLogTest, RetentionDeletesWholeOldSegments) {
  LogConfig cfg;
  cfg.segment_bytes = 200;
  auto log = PartitionLog::open(dir, cfg);
  for (int i = 0; i < 10; ++i) log->append(batch_of(2, 1000 * i, "x" + std::to_string(i)));
  uint64_t before = log->size_bytes();
  // By time: everything older than 4500 goes, in whole segments.
  size_t gone = log->apply_retention(10000, 5500, -1);
  EXPECT_GT(gone, 0u);
  EXPECT_GT(log->start_offset(), 0);
  EXPECT_LE(log->start_offset(), 10) << "records newer than the limit stay";
  EXPECT_THROW(log->read(0, 100), std::out_of_range);
  EXPECT_EQ(contents(log->read(log->start_offset(), 1 << 20)).front().first, log->start_offset());
  // By size: keep at least 300 bytes; the active segment always stays.
  log->apply_retention(10000, -1, 300);
  EXPECT_GE(log->size_bytes(), 300u);
  EXPECT_LT(log->size_bytes(), before);
  EXPECT_EQ(log->end_offset(), 20);
  log->apply_retention(10000, 0, 0);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() == ".log";
  EXPECT_EQ(files, 1u) << "only the active segment is left";
  EXPECT_EQ(contents(log->read(log->start_offset(), 1 << 20)).back().first, 19);
  // Reopening sees the same start.
  int64_t start = log->start_offset();
  log.reset();
  EXPECT_EQ(PartitionLog::open(dir, cfg)->start_offset(), start);
}

}  // namespace
}  // namespace sluice::log
