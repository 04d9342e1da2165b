#include "kafka/compression.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zstd.h>

#include <random>

#include "core/crc32c.h"
#include "core/varint.h"

namespace sluice::kafka {
namespace {

constexpr Codec kCodecs[] = {Codec::gzip, Codec::snappy, Codec::lz4, Codec::zstd};

std::string name(Codec c) {
  const char* names[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  return names[int(c)];
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& ch : s) ch = char(rng());
  return s;
}

std::string text(size_t n) {
  std::string s;
  for (size_t i = 0; s.size() < n; ++i) s += "row " + std::to_string(i % 977) + " of sluice; ";
  s.resize(n);
  return s;
}

void put_be32(std::string& b, size_t at, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) b[at + size_t(i)] = char(v & 0xff);
}

// Replaces a batch's records section with `body` under `codec`, fixing count, length and CRC.
std::string rebatch(const std::string& batch, Codec codec, std::string_view body, int32_t count) {
  std::string b = batch.substr(0, kBatchHeaderSize);
  b += body;
  put_be32(b, 8, uint32_t(b.size() - 12));
  b[21] = 0;
  b[22] = char((b[22] & ~7) | int(codec));
  put_be32(b, 23, uint32_t(count - 1));
  put_be32(b, 57, uint32_t(count));
  put_be32(b, 17, crc32c(b.data() + 21, b.size() - 21));
  return b;
}

std::string compressed_batch(const std::string& batch, Codec codec) {
  auto c = check_batch(batch);
  return rebatch(batch, codec, compress(codec, std::string_view(batch).substr(kBatchHeaderSize)),
                 c.header.record_count);
}

std::string sample_batch() {
  BatchBuilder b(1000);
  b.add(std::string_view("k1"), std::string_view("v1"), 1000);
  b.add(std::nullopt, std::string_view(text(5000)), 1005, {{"h", std::string_view("x")}});
  b.add(std::string_view("k1"), std::nullopt, 1002, {{"a", std::nullopt}, {"b", "c"}});
  for (int i = 0; i < 200; ++i) b.add(std::string_view("key"), std::string_view("val"), 1003);
  return b.finish(7, 1, 0);
}

// One raw record with the given offset delta (the records-section format of a v2 batch).
std::string record(int64_t offset_delta, std::string_view value) {
  std::string body(1, '\0');
  varint::append_signed(body, 0);
  varint::append_signed(body, offset_delta);
  varint::append_signed(body, -1);
  varint::append_signed(body, int64_t(value.size()));
  body += value;
  varint::append_signed(body, 0);
  std::string out;
  varint::append_signed(out, int64_t(body.size()));
  return out + body;
}

TEST(Compression, RoundTripsEveryCodec) {
  const std::string inputs[] = {"", "x", text(100), text(1 << 20), random_bytes(200 << 10, 1)};
  for (Codec c : {Codec::none, Codec::gzip, Codec::snappy, Codec::lz4, Codec::zstd}) {
    for (const auto& in : inputs) {
      std::string z = compress(c, in);
      EXPECT_EQ(decompress(c, z), in) << name(c) << " " << in.size();
    }
  }
  EXPECT_LT(compress(Codec::zstd, text(1 << 20)).size(), size_t(100 << 10));
}

TEST(Compression, UnknownCodecThrows) {
  EXPECT_THROW(decompress(Codec(7), "abc"), CompressionError);
  EXPECT_THROW(compress(Codec(5), "abc"), CompressionError);
}

TEST(Compression, SnappyXerialAndRawBlocks) {
  std::string in = text(100 << 10);
  std::string z = compress(Codec::snappy, in);
  ASSERT_GE(z.size(), 16u);
  EXPECT_EQ(z.substr(0, 16), std::string("\x82SNAPPY\0\0\0\0\1\0\0\0\1", 16));
  // Four 32 KiB blocks, as snappy-java frames them.
  size_t blocks = 0;
  for (size_t pos = 16; pos < z.size(); ++blocks) {
    uint32_t len = uint32_t(uint8_t(z[pos])) << 24 | uint32_t(uint8_t(z[pos + 1])) << 16 |
                   uint32_t(uint8_t(z[pos + 2])) << 8 | uint8_t(z[pos + 3]);
    pos += 4 + len;
  }
  EXPECT_EQ(blocks, 4u);
  std::string raw;
  snappy::Compress(in.data(), in.size(), &raw);  // what librdkafka writes
  EXPECT_EQ(decompress(Codec::snappy, raw), in);
  EXPECT_EQ(decompress(Codec::snappy, z.substr(0, 16)), "") << "header only: no blocks";
  EXPECT_THROW(decompress(Codec::snappy, z.substr(0, 12)), CompressionError);
  EXPECT_THROW(decompress(Codec::snappy, z.substr(0, 18)), CompressionError);
}

TEST(Compression, GzipConcatenatedMembers) {
  std::string a = text(3000), b = random_bytes(500, 2);
  EXPECT_EQ(decompress(Codec::gzip, compress(Codec::gzip, a) + compress(Codec::gzip, b)), a + b);
}

TEST(Compression, ZstdWithoutContentSizeAndLz4Variants) {
  std::string in = text(300 << 10);
  // A frame without its content size, as streaming writers (zstd-jni) may produce.
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  std::string z(ZSTD_compressBound(in.size()), '\0');
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  ZSTD_outBuffer ob{z.data(), z.size(), 0};
  ASSERT_EQ(ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_end), 0u);
  ZSTD_freeCCtx(cctx);
  z.resize(ob.pos);
  ASSERT_EQ(ZSTD_getFrameContentSize(z.data(), z.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  EXPECT_EQ(decompress(Codec::zstd, z), in);
  EXPECT_EQ(decompress(Codec::zstd, z + compress(Codec::zstd, "tail")), in + "tail");
  // lz4 frames with content size, content checksum, linked 4 MiB blocks (librdkafka-style).
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max4MB;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.blockChecksumFlag = LZ4F_blockChecksumEnabled;
  prefs.frameInfo.contentSize = in.size();
  std::string l(LZ4F_compressFrameBound(in.size(), &prefs), '\0');
  size_t n = LZ4F_compressFrame(l.data(), l.size(), in.data(), in.size(), &prefs);
  ASSERT_FALSE(LZ4F_isError(n));
  l.resize(n);
  EXPECT_EQ(decompress(Codec::lz4, l), in);
  std::string bad = l;
  bad[bad.size() - 2] ^= 1;  // the content checksum
  EXPECT_THROW(decompress(Codec::lz4, bad), CompressionError);
}

TEST(Compression, CorruptInputsThrowNamedErrors) {
  std::string in = text(50 << 10) + random_bytes(10 << 10, 3);
  for (Codec c : kCodecs) {
    std::string z = compress(c, in);
    for (size_t cut : {size_t(0), size_t(1), size_t(10), z.size() / 2, z.size() - 1}) {
      try {
        decompress(c, z.substr(0, cut));
        ADD_FAILURE() << name(c) << " accepted a stream cut at " << cut;
      } catch (const CompressionError& e) {
        EXPECT_NE(std::string(e.what()).find(name(c)), std::string::npos) << e.what();
      }
    }
    EXPECT_THROW(decompress(c, random_bytes(1000, 4)), CompressionError) << name(c);
    EXPECT_THROW(decompress(c, z + "junk"), CompressionError) << name(c);
    // Flipped bytes must never crash (they may still decode when they hit literal data).
    for (size_t i = 0; i < z.size(); i += 97) {
      std::string m = z;
      m[i] = char(m[i] ^ 0x5a);
      try {
        (void)decompress(c, m);
      } catch (const CompressionError&) {
      }
    }
  }
}

TEST(Compression, DecompressionBombIsBounded) {
  std::string zeros(8 << 20, '\0');
  for (Codec c : kCodecs) {
    std::string z = compress(c, zeros);
    try {
      decompress(c, z, 1 << 20);
      ADD_FAILURE() << name(c) << " inflated past the limit";
    } catch (const CompressionError& e) {
      EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(name(c)), std::string::npos) << e.what();
    }
    EXPECT_EQ(decompress(c, z, zeros.size()).size(), zeros.size()) << "exactly at the limit";
  }
}

TEST(Compression, CompressedBatchesValidateAndReadBack) {
  std::string plain = sample_batch();
  std::vector<Record> want;
  ASSERT_EQ(read_records(plain, want), "");
  EXPECT_EQ(validate_records(plain), "");
  for (Codec c : {Codec::none, Codec::gzip, Codec::snappy, Codec::lz4, Codec::zstd}) {
    std::string batch = compressed_batch(plain, c);
    auto check = check_batch(batch);
    ASSERT_TRUE(check.ok()) << check.error;
    EXPECT_EQ(check.header.compression(), int(c));
    EXPECT_EQ(check.header.producer_id, 7);
    EXPECT_EQ(validate_records(batch), "") << name(c);
    std::string scratch;
    std::vector<Record> got;
    ASSERT_EQ(read_any_records(batch, scratch, got), "") << name(c);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].offset_delta, want[i].offset_delta);
      EXPECT_EQ(got[i].timestamp_delta, want[i].timestamp_delta);
      EXPECT_EQ(got[i].key, want[i].key);
      EXPECT_EQ(got[i].value, want[i].value);
      ASSERT_EQ(got[i].headers.size(), want[i].headers.size());
      for (size_t j = 0; j < got[i].headers.size(); ++j) {
        EXPECT_EQ(got[i].headers[j].key, want[i].headers[j].key);
        EXPECT_EQ(got[i].headers[j].value, want[i].headers[j].value);
      }
    }
    EXPECT_EQ(got[2].headers[0].value, std::nullopt);
  }
}

TEST(Compression, ValidationRefusesBadRecords) {
  std::string plain = sample_batch();
  std::string good = record(0, "a") + record(1, "b") + record(2, "c");
  for (Codec c : {Codec::none, Codec::gzip, Codec::snappy, Codec::lz4, Codec::zstd}) {
    auto make = [&](std::string_view body, int32_t count) {
      return rebatch(plain, c, compress(c, body), count);
    };
    auto refused = [&](const std::string& batch, std::string_view why) {
      std::string err = validate_records(batch);
      EXPECT_NE(err.find(why), std::string::npos) << name(c) << ": " << err;
    };
    EXPECT_EQ(validate_records(make(good, 3)), "");
    refused(make(good, 4), "ends after 3 of 4");
    refused(make(good, 2), "stray bytes");
    refused(make(good + "\x07", 3), "stray bytes");
    refused(make(record(0, "a") + record(2, "b"), 2), "offset delta 2");
    refused(make(record(1, "a") + record(0, "b"), 2), "offset delta 1");
    refused(make("", 0), "declares 0 records");
    // A record whose length says one byte more than its fields take.
    std::string r = record(0, "abc");
    r[0] = char(r[0] + 2);  // zig-zag: +1
    refused(make(r + "z", 1), "fields take");
    std::string cut = record(0, "abc");
    refused(make(cut.substr(0, cut.size() - 1), 1), "remain");
    if (c != Codec::none) {
      refused(rebatch(plain, c, "not compressed at all", 1), name(c));
      std::string bomb = rebatch(plain, c, compress(c, std::string(4 << 20, 'r')), 1);
      EXPECT_NE(validate_records(bomb, 1 << 20).find("limit"), std::string::npos) << name(c);
    }
  }
  // A small max_size bounds validation too.
  std::string big = compressed_batch(plain, Codec::zstd);
  EXPECT_NE(validate_records(big, 100).find("limit"), std::string::npos);
  // Count and last offset delta that disagree are named.
  std::string skew = compressed_batch(plain, Codec::lz4);
  put_be32(skew, 23, 5);
  EXPECT_NE(validate_records(skew).find("last offset delta 5"), std::string::npos);
  std::string codec = compressed_batch(plain, Codec::lz4);
  codec[22] = char(codec[22] | 7);
  EXPECT_NE(validate_records(codec).find("unknown compression codec 7"), std::string::npos);
  EXPECT_NE(validate_records(plain.substr(0, 20)), "");
}

TEST(Compression, ReadAnyRecordsReportsCorruption) {
  std::string plain = sample_batch();
  std::string scratch;
  std::vector<Record> out;
  std::string batch = compressed_batch(plain, Codec::gzip);
  std::string flipped = batch;
  flipped.back() ^= 1;
  EXPECT_NE(read_any_records(flipped, scratch, out).find("CRC"), std::string::npos);
  std::string garbage = rebatch(plain, Codec::snappy, random_bytes(300, 5), 3);
  EXPECT_NE(read_any_records(garbage, scratch, out).find("snappy"), std::string::npos);
  EXPECT_TRUE(out.empty());
  // Every single-byte flip of a compressed batch's payload, CRC fixed, is refused or read safely.
  std::string body = compress(Codec::zstd, std::string_view(plain).substr(kBatchHeaderSize));
  for (size_t i = 0; i < body.size(); i += 7) {
    std::string m = body;
    m[i] = char(m[i] ^ 0x5a);
    std::string b = rebatch(plain, Codec::zstd, m, 203);
    (void)validate_records(b);
    out.clear();
    (void)read_any_records(b, scratch, out);
  }
}

}  // namespace
}  // namespace sluice::kafka
