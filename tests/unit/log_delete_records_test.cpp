#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "kafka/record_batch.h"
#include "log/partition_log.h"

namespace sluice::log {
namespace {

namespace fs = std::filesystem;

std::string batch_of(int n, int64_t ts) {
  kafka::BatchBuilder b(ts);
  for (int i = 0; i < n; ++i) b.add(std::string_view("k"), std::string_view("v"), ts + i);
  return b.finish();
}

// Base offset of the first batch of a read.
int64_t first_base(const std::string& bytes) {
  return bytes.empty() ? -1 : kafka::check_batch(bytes.substr(0, 61)).header.base_offset;
}

class LogDeleteRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-delrec-XXXXXX";
    dir = mkdtemp(tmpl);
    cfg.segment_bytes = 300;  // a few 2-record batches per segment
  }
  void TearDown() override { fs::remove_all(dir); }
  size_t segment_files() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ".log";
    return n;
  }
  std::unique_ptr<PartitionLog> filled() {
    auto log = PartitionLog::open(dir, cfg);
    for (int i = 0; i < 20; ++i) log->append(batch_of(2, 1000 * i));  // offsets 0..39
    return log;
  }
  std::string dir;
  LogConfig cfg;
};

TEST_F(LogDeleteRecordsTest, MovesTheStartDropsWholeSegmentsAndPersists) {
  auto log = filled();
  size_t before = segment_files();
  ASSERT_GT(before, 4u);
  EXPECT_EQ(log->delete_before(25), 25);
  EXPECT_EQ(log->start_offset(), 25);
  EXPECT_LT(segment_files(), before);
  EXPECT_THROW(log->read(24, 100), std::out_of_range);
  EXPECT_EQ(first_base(log->read(25, 1)), 24) << "the batch holding the start";
  EXPECT_EQ(log->offset_for_timestamp(0), 25) << "never below the start";
  EXPECT_EQ(log->offset_for_timestamp(15000), 30);
  // Below the start or past the end is clamped.
  EXPECT_EQ(log->delete_before(3), 25);
  log.reset();
  log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->start_offset(), 25);
  EXPECT_EQ(log->end_offset(), 40);
  EXPECT_EQ(log->append(batch_of(1, 0)), 40);
  // Retention moves the start consistently, past what delete_before set.
  log->apply_retention(100000, 0, -1);
  int64_t start = log->start_offset();
  EXPECT_GT(start, 25);
  EXPECT_EQ(first_base(log->read(start, 1)), start);
  log.reset();
  EXPECT_EQ(PartitionLog::open(dir, cfg)->start_offset(), start);
}

TEST_F(LogDeleteRecordsTest, DeletingEverythingRollsTheActiveSegment) {
  auto log = filled();
  EXPECT_EQ(log->delete_before(1000), 40);
  EXPECT_EQ(log->start_offset(), 40);
  EXPECT_EQ(log->end_offset(), 40);
  EXPECT_EQ(segment_files(), 1u);
  EXPECT_EQ(log->size_bytes(), 0u);
  EXPECT_TRUE(log->read(40, 100).empty());
  log.reset();
  log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->start_offset(), 40);
  EXPECT_EQ(log->append(batch_of(1, 0)), 40);
}

TEST_F(LogDeleteRecordsTest, CrashBeforeSegmentsWereDeletedIsFinishedOnOpen) {
  filled().reset();
  size_t before = segment_files();
  // As if delete_before(25) had persisted the start and then crashed.
  std::ofstream(dir + "/log-start-offset") << "25\n";
  std::ofstream(dir + "/log-start-offset.tmp") << "3";
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->start_offset(), 25);
  EXPECT_LT(segment_files(), before);
  EXPECT_FALSE(fs::exists(dir + "/log-start-offset.tmp"));
  EXPECT_EQ(first_base(log->read(25, 1)), 24);
}

TEST_F(LogDeleteRecordsTest, StartBeyondALostTailRestartsTheLogThere) {
  filled().reset();
  // The start was persisted, but the records up to it never reached the disk.
  std::ofstream(dir + "/log-start-offset") << "55\n";
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->start_offset(), 55);
  EXPECT_EQ(log->end_offset(), 55);
  EXPECT_EQ(segment_files(), 1u);
  EXPECT_EQ(log->append(batch_of(1, 0)), 55);
}

TEST_F(LogDeleteRecordsTest, MalformedStartFileIsAnError) {
  filled().reset();
  std::ofstream(dir + "/log-start-offset") << "garbage";
  EXPECT_THROW(PartitionLog::open(dir, cfg), std::runtime_error);
}

}  // namespace
}  // namespace sluice::log
