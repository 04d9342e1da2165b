#include "core/varint.h"

namespace sluice::varint {

void append_unsigned(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += char(uint8_t(v) | 0x80);
    v >>= 7;
  }
  out += char(v);
}

void append_signed(std::string& out, int64_t v) {
  append_unsigned(out, (uint64_t(v) << 1) ^ uint64_t(v >> 63));
}

size_t signed_size(int64_t v) {
  uint64_t u = (uint64_t(v) << 1) ^ uint64_t(v >> 63);
  size_t n = 1;
  while (u >= 0x80) {
    u >>= 7;
    ++n;
  }
  return n;
}

std::optional<uint64_t> read_unsigned(std::string_view in, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos >= in.size()) return std::nullopt;
    uint8_t b = uint8_t(in[pos++]);
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  return std::nullopt;
}

std::optional<int64_t> read_signed(std::string_view in, size_t& pos) {
  auto u = read_unsigned(in, pos);
  if (!u) return std::nullopt;
  return int64_t(*u >> 1) ^ -int64_t(*u & 1);
}

}  // namespace sluice::varint
