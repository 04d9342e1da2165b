#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "kafka/record_batch.h"
#include "log/partition_log.h"

namespace sluice::log {
namespace {

namespace fs = std::filesystem;

std::string batch_at(int64_t ts) {
  kafka::BatchBuilder b(ts);
  b.add(std::string_view("key"), std::string_view("value-" + std::to_string(ts)), ts);
  b.add(std::string_view("key"), std::string_view("again"), ts + 5);
  return b.finish();
}

// Base offsets of the batches of a read, each of which must pass its checks.
std::vector<int64_t> bases(std::string_view bytes) {
  std::vector<int64_t> out;
  while (bytes.size() >= kafka::kBatchHeaderSize) {
    auto h = kafka::check_batch(bytes.substr(0, kafka::kBatchHeaderSize)).header;
    auto check = kafka::check_batch(bytes.substr(0, h.total_size()));
    EXPECT_TRUE(check.ok()) << check.error;
    out.push_back(h.base_offset);
    bytes.remove_prefix(h.total_size());
  }
  return out;
}

ino_t inode_of_fd(int fd) {
  struct stat st {};
  EXPECT_EQ(fstat(fd, &st), 0);
  return st.st_ino;
}

class LogDurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-durable-XXXXXX";
    dir = mkdtemp(tmpl);
    cfg.segment_bytes = 400;  // ~4 batches per segment
    cfg.index_interval_bytes = 150;
  }
  void TearDown() override { fs::remove_all(dir); }
  std::string last_segment() const {
    std::string last;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".log") last = std::max(last, e.path().string());
    return last;
  }
  // 30 batches of 2 records: batch i has offsets 2i, 2i+1 and timestamps 100i, 100i+5.
  void fill() {
    auto log = PartitionLog::open(dir, cfg);
    for (int i = 0; i < 30; ++i) log->append(batch_at(100 * i));
    log->sync();
  }
  // After a reopen that cut the last n batches: every read and time lookup still right.
  void expect_whole_up_to(PartitionLog& log, int batches) {
    int64_t end = 2 * batches;
    EXPECT_EQ(log.end_offset(), end);
    for (int64_t o = 0; o < end; ++o) {
      auto b = bases(log.read(o, 1));
      ASSERT_EQ(b.size(), 1u) << o;
      EXPECT_EQ(b[0], o - o % 2);
    }
    EXPECT_EQ(bases(log.read(0, 1 << 20)).size(), size_t(batches));
    for (int i = 0; i < batches; ++i) {
      EXPECT_EQ(log.offset_for_timestamp(100 * i), 2 * i);
      EXPECT_EQ(log.offset_for_timestamp(100 * i + 5), 2 * i);
      EXPECT_EQ(log.offset_for_timestamp(100 * i + 6), 2 * i + 2);
    }
    EXPECT_EQ(log.append(batch_at(100 * batches)), end);
    EXPECT_EQ(log.offset_for_timestamp(100 * batches), end);
  }
  std::string dir;
  LogConfig cfg;
};

TEST_F(LogDurabilityTest, TakeUnsyncedFdsGivesTheSegmentsWrittenSinceTheLastCall) {
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_TRUE(log->take_unsynced_fds().empty()) << "nothing written yet";
  log->append(batch_at(0));
  auto fds = log->take_unsynced_fds();
  ASSERT_EQ(fds.size(), 1u);
  struct stat st {};
  ASSERT_EQ(stat(last_segment().c_str(), &st), 0);
  EXPECT_EQ(inode_of_fd(fds[0]), st.st_ino);
  EXPECT_EQ(fdatasync(fds[0]), 0);
  close(fds[0]);
  EXPECT_TRUE(log->take_unsynced_fds().empty()) << "taken already";
  // Across rolls: the segments rolled meanwhile were synced as they rolled; the active one is
  // handed out.
  for (int i = 1; i < 12; ++i) log->append(batch_at(100 * i));
  fds = log->take_unsynced_fds();
  ASSERT_EQ(fds.size(), 1u);
  ASSERT_EQ(stat(last_segment().c_str(), &st), 0);
  EXPECT_EQ(inode_of_fd(fds[0]), st.st_ino);
  // A segment deleted before the caller syncs is harmless: the descriptor keeps it.
  log->delete_before(log->end_offset());
  EXPECT_EQ(fdatasync(fds[0]), 0);
  close(fds[0]);
  // sync() covers what was appended, too.
  log->append(batch_at(5000));
  log->sync();
  EXPECT_TRUE(log->take_unsynced_fds().empty());
  log.reset();
  // What a previous process left may sit in the page cache only: handed out once.
  log = PartitionLog::open(dir, cfg);
  fds = log->take_unsynced_fds();
  EXPECT_EQ(fds.size(), 1u);
  for (int fd : fds) close(fd);
}

TEST_F(LogDurabilityTest, GarbageAtTheTailIsCutAndTheIndexRebuilt) {
  fill();
  std::string seg = last_segment();
  auto size = fs::file_size(seg);
  std::string junk(333, '\0');
  std::mt19937 rng(42);
  for (auto& c : junk) c = char(rng());
  int fd = ::open(seg.c_str(), O_WRONLY | O_APPEND);
  ASSERT_EQ(write(fd, junk.data(), junk.size()), ssize_t(junk.size()));
  close(fd);
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->recovered_bytes(), 333u);
  EXPECT_EQ(fs::file_size(seg), size);
  expect_whole_up_to(*log, 30);
}

TEST_F(LogDurabilityTest, PartialLastBatchIsCut) {
  fill();
  std::string seg = last_segment();
  // A torn write: the header and part of the records of a 31st batch.
  std::string next = batch_at(3000);
  kafka::set_base_offset(next, 60);
  int fd = ::open(seg.c_str(), O_WRONLY | O_APPEND);
  ASSERT_EQ(write(fd, next.data(), next.size() - 7), ssize_t(next.size() - 7));
  close(fd);
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->recovered_bytes(), next.size() - 7);
  expect_whole_up_to(*log, 30);
}

TEST_F(LogDurabilityTest, FlippedByteInTheLastBatchCutsIt) {
  fill();
  std::string seg = last_segment();
  auto size = fs::file_size(seg);
  int fd = ::open(seg.c_str(), O_RDWR);
  char c;
  ASSERT_EQ(pread(fd, &c, 1, off_t(size - 10)), 1);
  c = char(c ^ 0x01);
  ASSERT_EQ(pwrite(fd, &c, 1, off_t(size - 10)), 1);
  close(fd);
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->recovered_bytes(), batch_at(2900).size());
  expect_whole_up_to(*log, 29);
}

}  // namespace
}  // namespace sluice::log
