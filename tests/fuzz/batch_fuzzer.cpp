// libFuzzer target: record batches and compressed data as a producer may send them, through
// check_batch, validate_records, read_any_records, read_records and every codec's decompressor.
//
// The first input byte picks what to do with the rest (and a codec, (byte >> 2) % 5):
//   op 0  the rest is a batch as received: check_batch, then when it passes what produce does
//         (validate_records) and what readers do (read_any_records, read_records).
//   op 1  the same after fixing up magic, length and CRC (bit 7: and the last offset delta), so
//         mutations reach the record parsing instead of stopping at the CRC.
//   op 2  the rest is compressed data for the codec: decompress it; also compress the rest and
//         check that it decompresses back to itself.
//   op 3  the rest is a record count byte and an uncompressed records section: wrapped into a
//         batch plain and into one compressed with the codec, which must read the same.
// Besides sanitizer reports, the harness aborts when the readers disagree: a batch that
// validate_records accepts must read back (read_any_records) with the declared records, and
// read_records and read_any_records must agree on uncompressed batches.
#include <stdint.h>
#include <stdlib.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/crc32c.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"

namespace {

using namespace sluice;
using namespace sluice::kafka;

constexpr size_t kMaxInflate = 16u << 20;

[[noreturn]] void fail(const char* what, const std::string& detail = "") {
  fprintf(stderr, "[batch_fuzzer] CHECK FAILED: %s %s\n", what, detail.c_str());
  abort();
}

void put_be32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + size_t(i)] = char(v >> (24 - 8 * i));
}

void fix_crc(std::string& b) { put_be32(b, 17, crc32c(b.data() + 21, b.size() - 21)); }

// Reads every byte a record's views point at (ASan checks they are in bounds).
uint64_t touch(const std::vector<Record>& records) {
  uint64_t h = 0;
  auto add = [&](std::optional<std::string_view> v) {
    if (!v) return;
    for (char c : *v) h = h * 31 + uint8_t(c);
  };
  for (const auto& r : records) {
    add(r.key);
    add(r.value);
    for (const auto& hd : r.headers) {
      add(hd.key);
      add(hd.value);
    }
  }
  return h;
}

bool same(const Record& a, const Record& b) {
  if (a.offset_delta != b.offset_delta || a.timestamp_delta != b.timestamp_delta ||
      a.key != b.key || a.value != b.value || a.headers.size() != b.headers.size())
    return false;
  for (size_t i = 0; i < a.headers.size(); ++i)
    if (a.headers[i].key != b.headers[i].key || a.headers[i].value != b.headers[i].value)
      return false;
  return true;
}

bool same(const std::vector<Record>& a, const std::vector<Record>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

struct Outcome {
  std::string batch;  // the records' views point here, or into scratch
  bool checked = false;
  std::string valid;  // validate_records
  std::string read;   // read_any_records
  std::vector<Record> records;
  std::string scratch;  // records' views may point here
};

// What the broker does with a produced batch, and what a reader does with a stored one.
void run_batch(std::string batch, Outcome& o) {
  o.batch = std::move(batch);
  std::string_view b = o.batch;
  BatchCheck c = check_batch(b);
  if (!c.ok()) return;
  o.checked = true;
  const BatchHeader& h = c.header;
  o.valid = validate_records(b, kMaxInflate);
  o.read = read_any_records(b, o.scratch, o.records);
  (void)touch(o.records);
  if (o.valid.empty()) {
    // Accepted on produce: it must read back as the records the header declares.
    if (!o.read.empty())
      fail("validate_records accepted a batch read_any_records refuses:", o.read);
    if (o.records.size() != size_t(h.record_count)) fail("record count differs from the header");
    for (size_t i = 0; i < o.records.size(); ++i)
      if (o.records[i].offset_delta != int64_t(i)) fail("offset deltas out of order");
  }
  if (h.compression() == 0) {
    std::vector<Record> plain;
    std::string e = read_records(b, plain);
    (void)touch(plain);
    if (e.empty() != o.read.empty())
      fail("read_records and read_any_records disagree:", "'" + e + "' vs '" + o.read + "'");
    if (e.empty() && !same(plain, o.records))
      fail("read_records and read_any_records read different records");
  }
}

std::string make_batch(int32_t count, int codec, std::string_view records) {
  std::string b(kBatchHeaderSize, '\0');
  b += records;
  put_be32(b, 8, uint32_t(b.size() - 12));
  put_be32(b, 12, uint32_t(-1));
  b[16] = 2;
  b[22] = char(codec);
  put_be32(b, 23, uint32_t(count - 1));
  for (size_t i = 43; i < 51; ++i) b[i] = char(0xff);  // producer id -1
  b[51] = b[52] = char(0xff);                          // producer epoch -1
  put_be32(b, 53, uint32_t(-1));                       // base sequence
  put_be32(b, 57, uint32_t(count));
  fix_crc(b);
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  const int op = sel & 3;
  const Codec codec = Codec((sel >> 2) % 5);
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  switch (op) {
    case 0: {
      Outcome o;
      run_batch(std::string(rest), o);
      break;
    }
    case 1: {
      if (rest.size() < kBatchHeaderSize) return 0;
      std::string b(rest);
      b[16] = 2;
      put_be32(b, 8, uint32_t(b.size() - 12));
      if (sel & 0x80) {
        uint32_t count = uint32_t(uint8_t(b[57])) << 24 | uint32_t(uint8_t(b[58])) << 16 |
                         uint32_t(uint8_t(b[59])) << 8 | uint32_t(uint8_t(b[60]));
        put_be32(b, 23, count - 1);
      }
      fix_crc(b);
      Outcome o;
      run_batch(std::move(b), o);
      break;
    }
    case 2: {
      try {
        std::string out = decompress(codec, rest, kMaxInflate);
        if (out.size() > kMaxInflate) fail("decompress exceeded its limit");
      } catch (const CompressionError&) {
      }
      std::string packed = compress(codec, rest);
      std::string back;
      try {
        back = decompress(codec, packed, rest.size());
      } catch (const CompressionError& e) {
        fail("own compressed data does not decompress:", e.what());
      }
      if (back != rest) fail("compression round trip changed the data");
      break;
    }
    case 3: {
      if (rest.empty()) return 0;
      int32_t count = uint8_t(rest[0]);
      std::string_view records = rest.substr(1);
      if (count == 0) count = 1;
      Outcome plain, packed;
      run_batch(make_batch(count, 0, records), plain);
      std::string body = compress(codec, records);
      run_batch(make_batch(count, int(codec), body), packed);
      if (!plain.checked || !packed.checked) fail("a well-framed batch failed check_batch");
      if (plain.valid != packed.valid)
        fail("validation differs once compressed:",
             "'" + plain.valid + "' vs '" + packed.valid + "'");
      if (plain.read != packed.read)
        fail("reading differs once compressed:", "'" + plain.read + "' vs '" + packed.read + "'");
      if (!same(plain.records, packed.records)) fail("records differ once compressed");
      break;
    }
  }
  return 0;
}
