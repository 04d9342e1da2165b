#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "core/crc32c.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "log/partition_log.h"

namespace sluice::log {
namespace {

namespace fs = std::filesystem;
using Opt = std::optional<std::string>;
using KV = std::pair<Opt, Opt>;

std::optional<std::string_view> view(const Opt& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

std::string batch(const std::vector<KV>& recs, int64_t ts, int64_t pid = -1, int32_t seq = -1) {
  kafka::BatchBuilder b(ts);
  for (const auto& [k, v] : recs) b.add(view(k), view(v), ts);
  return b.finish(pid, pid < 0 ? -1 : 0, seq);
}

void put_be(std::string& b, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b[at + size_t(i)] = char(uint8_t(v >> (8 * (bytes - 1 - i))));
}

void fix_crc(std::string& b) { put_be(b, 17, crc32c(b.data() + 21, b.size() - 21), 4); }

// The batch with its records compressed by codec.
std::string compressed(std::string b, kafka::Codec codec) {
  std::string body = kafka::compress(codec, std::string_view(b).substr(kafka::kBatchHeaderSize));
  b.resize(kafka::kBatchHeaderSize);
  b += body;
  put_be(b, 8, b.size() - 12, 4);
  put_be(b, 21, uint64_t(codec), 2);
  fix_crc(b);
  return b;
}

kafka::BatchHeader header_of(std::string_view b) { return kafka::check_batch(b).header; }

// "offset:key=value" for every record read, checking each batch's framing and CRC.
std::vector<std::string> dump(std::string_view bytes) {
  std::vector<std::string> out;
  while (bytes.size() >= kafka::kBatchHeaderSize) {
    std::string_view one = bytes.substr(0, header_of(bytes.substr(0, 61)).total_size());
    auto check = kafka::check_batch(one);
    EXPECT_TRUE(check.ok()) << check.error;
    std::string scratch;
    std::vector<kafka::Record> recs;
    EXPECT_EQ(kafka::read_any_records(one, scratch, recs), "");
    for (const auto& r : recs)
      out.push_back(std::to_string(check.header.base_offset + r.offset_delta) + ":" +
                    std::string(r.key.value_or("null")) + "=" +
                    std::string(r.value.value_or("null")));
    bytes.remove_prefix(one.size());
  }
  return out;
}

using Dump = std::vector<std::string>;

class LogCompactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-compact-XXXXXX";
    dir = mkdtemp(tmpl);
    cfg.segment_bytes = 1;  // one batch per segment
    cfg.index_interval_bytes = 1;
  }
  void TearDown() override { fs::remove_all(dir); }
  size_t files(const std::string& ext = ".log") const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().extension() == ext;
    return n;
  }
  Dump all(PartitionLog& log) const { return dump(log.read(log.start_offset(), 1 << 20)); }

  std::string dir;
  LogConfig cfg;
};

TEST_F(LogCompactionTest, KeepsLatestPerKeyWithOffsetsAndExpiresTombstones) {
  auto log = PartitionLog::open(dir, cfg);
  log->append(batch({{"k1", "a"}}, 1000));
  log->append(batch({{"k2", "b"}}, 1001));
  log->append(batch({{"k1", "c"}}, 1002));
  log->append(batch({{"k3", "d"}}, 1003));
  log->append(batch({{"k2", Opt()}}, 1004));  // tombstone
  log->append(batch({{"k4", "e"}, {"k1", "f"}, {"k4", "g"}, {"k5", "h"}}, 1005));
  log->append(batch({{"k5", "i"}}, 1009));  // the active segment: never cleaned
  ASSERT_EQ(files(), 7u);

  CompactionStats st = log->compact(2000, 10000);
  EXPECT_EQ(all(*log), (Dump{"3:k3=d", "4:k2=null", "6:k1=f", "7:k4=g", "9:k5=i"}));
  EXPECT_EQ(st.records_removed, 5);
  EXPECT_EQ(st.tombstones_removed, 0) << "a recent tombstone stays";
  EXPECT_EQ(st.segments_removed, 2u) << "emptied segments go, but the first keeps its name";
  EXPECT_EQ(files(), 5u);
  EXPECT_EQ(files(".cleaned"), 0u);
  EXPECT_EQ(log->start_offset(), 0);
  EXPECT_EQ(log->end_offset(), 10);
  // Reads from an offset in a gap start at the next batch holding a later offset.
  EXPECT_EQ(dump(log->read(0, 1)), (Dump{"3:k3=d"}));
  EXPECT_EQ(dump(log->read(1, 1)), (Dump{"3:k3=d"}));
  EXPECT_EQ(dump(log->read(5, 1)), (Dump{"6:k1=f", "7:k4=g"}));
  EXPECT_EQ(dump(log->read(8, 1)), (Dump{"9:k5=i"}));
  EXPECT_EQ(log->offset_for_timestamp(0), 3);
  EXPECT_EQ(log->offset_for_timestamp(1005), 6);

  // Once older than delete.retention.ms, the tombstone goes too.
  st = log->compact(1004 + 10001, 10000);
  EXPECT_EQ(st.tombstones_removed, 1);
  EXPECT_EQ(all(*log), (Dump{"3:k3=d", "6:k1=f", "7:k4=g", "9:k5=i"}));

  log.reset();
  log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(log->recovered_bytes(), 0u);
  EXPECT_EQ(log->start_offset(), 0);
  EXPECT_EQ(log->end_offset(), 10);
  EXPECT_EQ(all(*log), (Dump{"3:k3=d", "6:k1=f", "7:k4=g", "9:k5=i"}));
  EXPECT_EQ(log->append(batch({{"k6", "j"}}, 1010)), 10);
}

TEST_F(LogCompactionTest, SplitsBatchesIntoGapFreeRunsKeepingProducerFieldsAndCodec) {
  auto log = PartitionLog::open(dir, cfg);
  log->append(compressed(batch({{"a", "1"}, {"b", "1"}, {"c", "1"}, {"d", "1"}}, 100, 7, 10),
                         kafka::Codec::gzip));
  log->append(batch({{"b", "2"}}, 200));
  log->append(batch({{"x", "1"}}, 300));
  log->compact(1000, 1000);
  std::string bytes = log->read(0, 1 << 20);
  EXPECT_EQ(dump(bytes), (Dump{"0:a=1", "2:c=1", "3:d=1", "4:b=2", "5:x=1"}));
  auto first = header_of(bytes.substr(0, 61));
  auto second = header_of(std::string_view(bytes).substr(first.total_size(), 61));
  EXPECT_EQ(first.base_offset, 0);
  EXPECT_EQ(first.record_count, 1);
  EXPECT_EQ(first.base_sequence, 10);
  EXPECT_EQ(second.base_offset, 2);
  EXPECT_EQ(second.record_count, 2);
  EXPECT_EQ(second.last_offset_delta, 1);
  EXPECT_EQ(second.base_sequence, 12) << "sequence follows the record's place in the original";
  EXPECT_EQ(second.producer_id, 7);
  EXPECT_EQ(second.producer_epoch, 0);
  EXPECT_EQ(second.compression(), int(kafka::Codec::gzip));
  EXPECT_EQ(second.max_timestamp, 100);
}

TEST_F(LogCompactionTest, LogAppendTimeAndControlBatchesSurvive) {
  auto log = PartitionLog::open(dir, cfg);
  std::string b = batch({{"a", "1"}, {"b", "1"}}, 100);
  put_be(b, 21, 0x08, 2);  // LogAppendTime
  put_be(b, 35, 5555, 8);
  fix_crc(b);
  log->append(b);
  std::string control = batch({{std::string("\0\0\0\1", 4), "marker"}}, 100, 9, -1);
  put_be(control, 21, 0x30, 2);  // transactional control batch
  fix_crc(control);
  log->append(control);
  log->append(batch({{"a", "2"}}, 200));
  log->append(batch({{"z", "1"}}, 300));
  log->compact(1000, 1000);
  std::string bytes = log->read(0, 1 << 20);
  EXPECT_EQ(dump(bytes).front(), "1:b=1");
  auto h = header_of(bytes.substr(0, 61));
  EXPECT_EQ(h.attributes & 0x08, 0x08);
  EXPECT_EQ(h.max_timestamp, 5555);
  std::string_view rest = std::string_view(bytes).substr(h.total_size());
  EXPECT_EQ(rest.substr(0, control.size()).substr(8), std::string_view(control).substr(8))
      << "control batches are copied byte for byte";
}

TEST_F(LogCompactionTest, MinLagLeavesRecentSegmentsAlone) {
  auto log = PartitionLog::open(dir, cfg);
  log->append(batch({{"k", "a"}}, 1000));
  log->append(batch({{"k", "b"}}, 5000));
  log->append(batch({{"k", "c"}}, 9000));
  log->append(batch({{"k", "d"}}, 9500));
  log->compact(10000, 100000, 3000);
  EXPECT_EQ(all(*log), (Dump{"2:k=c", "3:k=d"}));
}

TEST_F(LogCompactionTest, DirtyRatioSkipsIdlePassesButNotExpiredTombstones) {
  auto log = PartitionLog::open(dir, cfg);
  log->append(batch({{"k", "a"}}, 1000));
  log->append(batch({{"k", Opt()}}, 1001));
  log->append(batch({{"j", "a"}}, 1002));
  EXPECT_EQ(log->compact(2000, 5000, 0, 0.5).records_removed, 1);
  EXPECT_EQ(log->compact(2000, 5000, 0, 0.5).segments_cleaned, 0u) << "nothing new: skipped";
  EXPECT_EQ(all(*log), (Dump{"1:k=null", "2:j=a"}));
  // No new data, but the kept tombstone has expired.
  EXPECT_EQ(log->compact(7000, 5000, 0, 0.5).tombstones_removed, 1);
  EXPECT_EQ(all(*log), (Dump{"2:j=a"}));
}

TEST_F(LogCompactionTest, RecordsBelowTheLogStartAndNullKeysGo) {
  auto log = PartitionLog::open(dir, cfg);
  log->append(batch({{"a", "1"}, {"b", "1"}, {Opt(), "nokey"}, {"c", "1"}}, 100));
  log->append(batch({{"d", "1"}}, 100));
  EXPECT_EQ(log->delete_before(1), 1);  // inside the first batch
  log->compact(1000, 1000);
  EXPECT_EQ(log->start_offset(), 1);
  EXPECT_EQ(all(*log), (Dump{"1:b=1", "3:c=1", "4:d=1"}));
}

TEST_F(LogCompactionTest, LeftoverCleanedFileFromACrashIsDiscarded) {
  {
    auto log = PartitionLog::open(dir, cfg);
    log->append(batch({{"k", "a"}}, 1000));
    log->append(batch({{"k", "b"}}, 1001));
    log->append(batch({{"k", "c"}}, 1002));
    log->sync();
  }
  // A crash while the first segment was being cleaned: a half-written copy beside it.
  std::ofstream(dir + "/00000000000000000000.log.cleaned") << "half a batch";
  auto log = PartitionLog::open(dir, cfg);
  EXPECT_EQ(files(".cleaned"), 0u);
  EXPECT_EQ(all(*log), (Dump{"0:k=a", "1:k=b", "2:k=c"}));
  log->compact(2000, 1000);
  EXPECT_EQ(all(*log), (Dump{"2:k=c"}));
  log.reset();
  EXPECT_EQ(all(*PartitionLog::open(dir, cfg)), (Dump{"2:k=c"}));
}

TEST_F(LogCompactionTest, ManyBatchesPerSegmentWithSparseIndex) {
  cfg.segment_bytes = 2000;
  cfg.index_interval_bytes = 150;
  auto log = PartitionLog::open(dir, cfg);
  // 10 keys, each written 20 times, one record per batch.
  for (int i = 0; i < 200; ++i)
    log->append(batch({{"k" + std::to_string(i % 10), std::to_string(i)}}, 1000 + i));
  auto st = log->compact(5000, 100000);
  EXPECT_GT(st.records_removed, 150);
  Dump d = all(*log);
  Dump want;
  for (int i = 190; i < 200; ++i)
    want.push_back(std::to_string(i) + ":k" + std::to_string(i % 10) + "=" + std::to_string(i));
  // What is left: the latest of each key, plus whatever the active segment holds.
  ASSERT_GE(d.size(), want.size());
  EXPECT_EQ(Dump(d.end() - 10, d.end()), want);
  for (size_t i = 0; i + 1 < d.size(); ++i)
    EXPECT_LT(std::stoll(d[i]), std::stoll(d[i + 1])) << "offsets stay in order";
  // Every offset reads from the batch holding it or the next one.
  for (int64_t o = 0; o < 200; ++o) {
    Dump r = dump(log->read(o, 1));
    ASSERT_FALSE(r.empty()) << o;
    EXPECT_GE(std::stoll(r.front()), o);
  }
  EXPECT_EQ(log->offset_for_timestamp(1195), 195);
}

}  // namespace
}  // namespace sluice::log
