#include "kafka/compression.h"

#include <fmt/format.h>
#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <optional>
#include <span>

#include "core/big_endian.h"
#include "core/varint.h"

namespace sluice::kafka {

namespace {

constexpr char kXerialMagic[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};
constexpr size_t kXerialHeaderSize = 16;       // magic, int32 version, int32 compatible version
constexpr size_t kXerialBlockSize = 32 << 10;  // snappy-java's default, so Java sees familiar input

const char* codec_name(Codec c) {
  switch (c) {
    case Codec::none:
      return "none";
    case Codec::gzip:
      return "gzip";
    case Codec::snappy:
      return "snappy";
    case Codec::lz4:
      return "lz4";
    case Codec::zstd:
      return "zstd";
  }
  return "unknown";
}

[[noreturn]] void fail(Codec c, std::string_view what, std::string_view reason) {
  throw CompressionError(fmt::format("{} {} failed: {}", codec_name(c), what, reason));
}
[[noreturn]] void corrupt(Codec c, std::string_view reason) { fail(c, "decompression", reason); }

// Output that grows geometrically but never past max_size + 1 bytes, so a bomb is caught after
// at most that much work instead of after inflating all of it.
class Sink {
 public:
  Sink(Codec codec, size_t in_size, size_t max_size)
      : codec_(codec), max_(max_size), cap_(max_size == SIZE_MAX ? max_size : max_size + 1) {
    buf_.resize(std::min(cap_, std::max<size_t>(64 << 10, in_size * 4)));
  }
  // Free space after the bytes written so far (never empty: add() throws first).
  std::span<char> room() {
    if (used_ == buf_.size()) buf_.resize(std::min(cap_, buf_.size() * 2));
    return {buf_.data() + used_, buf_.size() - used_};
  }
  void add(size_t n) {
    used_ += n;
    if (used_ > max_) corrupt(codec_, fmt::format("output exceeds the {}-byte limit", max_));
  }
  std::string take() {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  Codec codec_;
  size_t max_, cap_, used_ = 0;
  std::string buf_;
};

uInt clamp_uint(size_t n) { return uInt(std::min<size_t>(n, UINT_MAX)); }

std::string gunzip(std::string_view in, size_t max_size) {
  constexpr Codec c = Codec::gzip;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) corrupt(c, "cannot initialise zlib");
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  Sink out(c, in.size(), max_size);
  const char* next = in.data();
  size_t left = in.size();
  for (;;) {
    if (zs.avail_in == 0 && left > 0) {
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(next));
      zs.avail_in = clamp_uint(left);
      next += zs.avail_in;
      left -= zs.avail_in;
    }
    auto room = out.room();
    zs.next_out = reinterpret_cast<Bytef*>(room.data());
    zs.avail_out = clamp_uint(room.size());
    int rc = inflate(&zs, Z_NO_FLUSH);
    out.add(clamp_uint(room.size()) - zs.avail_out);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0 && left == 0) break;
      inflateReset(&zs);  // another gzip member follows, as Java's GZIPInputStream allows
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) corrupt(c, zs.msg ? zs.msg : "corrupt data");
    if (zs.avail_in == 0 && left == 0 && zs.avail_out > 0) corrupt(c, "truncated stream");
  }
  return out.take();
}

std::string gzip(std::string_view in) {
  constexpr Codec c = Codec::gzip;
  if (in.size() > UINT_MAX) fail(c, "compression", "input too large");
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    fail(c, "compression", "cannot initialise zlib");
  struct End {
    z_stream* zs;
    ~End() { deflateEnd(zs); }
  } end{&zs};
  std::string out(deflateBound(&zs, uLong(in.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = uInt(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = clamp_uint(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) fail(c, "compression", "output bound too small");
  out.resize(zs.total_out);
  return out;
}

// Appends one raw snappy block to out, keeping the total within max_size.
void unsnappy_block(std::string_view block, std::string& out, size_t max_size) {
  constexpr Codec c = Codec::snappy;
  size_t n = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &n))
    corrupt(c, "bad block length header");
  if (n > max_size - out.size())
    corrupt(c, fmt::format("output exceeds the {}-byte limit", max_size));
  size_t at = out.size();
  out.resize(at + n);
  if (!snappy::RawUncompress(block.data(), block.size(), out.data() + at))
    corrupt(c, "corrupt block");
}

std::string unsnappy(std::string_view in, size_t max_size) {
  constexpr Codec c = Codec::snappy;
  std::string out;
  if (in.size() < sizeof kXerialMagic || std::memcmp(in.data(), kXerialMagic, 8) != 0) {
    unsnappy_block(in, out, max_size);  // librdkafka writes one raw block
    return out;
  }
  if (in.size() < kXerialHeaderSize) corrupt(c, "truncated Xerial header");
  for (size_t pos = kXerialHeaderSize; pos < in.size();) {
    if (in.size() - pos < 4) corrupt(c, "truncated Xerial block length");
    uint32_t len = get_be<uint32_t>(in.data() + pos);
    pos += 4;
    if (len > in.size() - pos)
      corrupt(c, fmt::format("Xerial block of {} bytes but {} remain", len, in.size() - pos));
    unsnappy_block(in.substr(pos, len), out, max_size);
    pos += len;
  }
  return out;
}

std::string snappy_xerial(std::string_view in) {
  std::string out(kXerialMagic, sizeof kXerialMagic);
  append_be<uint32_t>(out, 1);  // version
  append_be<uint32_t>(out, 1);  // minimum compatible version
  std::string block;
  for (size_t pos = 0; pos < in.size(); pos += kXerialBlockSize) {
    std::string_view chunk = in.substr(pos, kXerialBlockSize);
    block.resize(snappy::MaxCompressedLength(chunk.size()));
    size_t n = 0;
    snappy::RawCompress(chunk.data(), chunk.size(), block.data(), &n);
    append_be<uint32_t>(out, uint32_t(n));
    out.append(block.data(), n);
  }
  return out;
}

std::string unlz4(std::string_view in, size_t max_size) {
  constexpr Codec c = Codec::lz4;
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
    corrupt(c, "cannot create a decompression context");
  struct End {
    LZ4F_dctx* d;
    ~End() { LZ4F_freeDecompressionContext(d); }
  } end{dctx};
  Sink out(c, in.size(), max_size);
  size_t pos = 0;
  for (;;) {
    auto room = out.room();
    size_t src = in.size() - pos, dst = room.size();
    size_t hint = LZ4F_decompress(dctx, room.data(), &dst, in.data() + pos, &src, nullptr);
    if (LZ4F_isError(hint)) corrupt(c, LZ4F_getErrorName(hint));
    pos += src;
    out.add(dst);
    if (hint == 0 && pos == in.size()) break;  // a frame ended exactly at the end of input
    // With output room to spare, no progress means the frame wants input that is not there.
    if (src == 0 && dst == 0) corrupt(c, "truncated frame");
  }
  return out.take();
}

std::string lz4(std::string_view in) {
  // Independent 64 KiB blocks and no content size: what Kafka's Java client writes and reads.
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  std::string out(LZ4F_compressFrameBound(in.size(), &prefs), '\0');
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) fail(Codec::lz4, "compression", LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

std::string unzstd(std::string_view in, size_t max_size) {
  constexpr Codec c = Codec::zstd;
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) corrupt(c, "cannot create a decompression context");
  struct End {
    ZSTD_DCtx* d;
    ~End() { ZSTD_freeDCtx(d); }
  } end{dctx};
  Sink out(c, in.size(), max_size);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  for (;;) {
    auto room = out.room();
    ZSTD_outBuffer ob{room.data(), room.size(), 0};
    size_t ret = ZSTD_decompressStream(dctx, &ob, &ib);
    if (ZSTD_isError(ret)) corrupt(c, ZSTD_getErrorName(ret));
    out.add(ob.pos);
    if (ib.pos == ib.size && ret == 0) break;  // last frame complete and flushed
    if (ib.pos == ib.size && ob.pos < ob.size) corrupt(c, "truncated frame");
  }
  return out.take();
}

std::string zstd(std::string_view in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), ZSTD_CLEVEL_DEFAULT);
  if (ZSTD_isError(n)) fail(Codec::zstd, "compression", ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

// Inflates a batch's records section when its codec asks; "" or the reason in error.
std::string_view records_of(std::string_view batch, int codec, size_t max_size,
                            std::string& scratch, std::string& error) {
  std::string_view body = batch.substr(kBatchHeaderSize);
  if (codec == 0) return body;
  try {
    scratch = decompress(Codec(codec), body, max_size);
  } catch (const CompressionError& e) {
    error = e.what();
  }
  return scratch;
}

}  // namespace

std::string decompress(Codec codec, std::string_view in, size_t max_size) {
  switch (codec) {
    case Codec::none:
      return std::string(in);
    case Codec::gzip:
      return gunzip(in, max_size);
    case Codec::snappy:
      return unsnappy(in, max_size);
    case Codec::lz4:
      return unlz4(in, max_size);
    case Codec::zstd:
      return unzstd(in, max_size);
  }
  throw CompressionError(fmt::format("unknown compression codec {}", int(codec)));
}

std::string compress(Codec codec, std::string_view in) {
  switch (codec) {
    case Codec::none:
      return std::string(in);
    case Codec::gzip:
      return gzip(in);
    case Codec::snappy:
      return snappy_xerial(in);
    case Codec::lz4:
      return lz4(in);
    case Codec::zstd:
      return zstd(in);
  }
  throw CompressionError(fmt::format("unknown compression codec {}", int(codec)));
}

std::string validate_records(std::string_view batch, size_t max_size) {
  if (batch.size() < kBatchHeaderSize) return "record batch is shorter than its header";
  // The caller has run check_batch; read the few fields needed without a second CRC pass.
  auto be32 = [&](size_t at) { return get_be<int32_t>(batch.data() + at); };
  int codec = uint8_t(batch[22]) & 7;
  int32_t last_offset_delta = be32(23), count = be32(57);
  // Kafka refuses empty batches on produce ("Invalid reported count for record batch").
  if (count <= 0) return fmt::format("record batch declares {} records", count);
  if (last_offset_delta != count - 1)
    return fmt::format("record batch last offset delta {} does not match its {} records",
                       last_offset_delta, count);
  if (codec > 4) return fmt::format("record batch uses unknown compression codec {}", codec);
  std::string scratch, error;
  std::string_view body = records_of(batch, codec, max_size, scratch, error);
  if (!error.empty()) return error;
  return walk_records(body, count, true, nullptr);
}

std::string read_any_records(std::string_view batch, std::string& scratch,
                             std::vector<Record>& out) {
  BatchCheck c = check_batch(batch);
  if (!c.ok()) return c.error;
  std::string error;
  std::string_view body = records_of(batch, c.header.compression(), 256u << 20, scratch, error);
  if (!error.empty()) return error;
  return walk_records(body, c.header.record_count, false, &out);
}

}  // namespace sluice::kafka
