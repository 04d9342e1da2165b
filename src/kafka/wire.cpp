#include "kafka/wire.h"

#include <fmt/format.h>

#include "core/varint.h"

namespace sluice::kafka {

void Reader::need(size_t n) const {
  if (n > remaining())
    throw WireError(
        fmt::format("truncated: {} bytes needed at byte {}, {} left", n, pos_, remaining()));
}

std::string_view Reader::raw(size_t n) {
  need(n);
  auto s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

template <typename T>
static T load_be(std::string_view s) {
  using U = std::make_unsigned_t<T>;
  U v = 0;
  for (char c : s) v = U(U(v << 8) | uint8_t(c));
  return T(v);
}

int8_t Reader::i8() { return int8_t(raw(1)[0]); }
int16_t Reader::i16() { return load_be<int16_t>(raw(2)); }
int32_t Reader::i32() { return load_be<int32_t>(raw(4)); }
int64_t Reader::i64() { return load_be<int64_t>(raw(8)); }
uint32_t Reader::u32() { return load_be<uint32_t>(raw(4)); }

uint64_t Reader::uvarint() {
  auto v = varint::read_unsigned(in_, pos_);
  if (!v) throw WireError(fmt::format("bad unsigned varint at byte {}", pos_));
  return *v;
}

std::string_view Reader::string() {
  auto s = nullable_string();
  if (!s) throw WireError(fmt::format("null string where one is required at byte {}", pos_));
  return *s;
}

std::optional<std::string_view> Reader::nullable_string() {
  int16_t n = i16();
  if (n == -1) return std::nullopt;
  if (n < 0) throw WireError(fmt::format("negative string length {}", n));
  return raw(size_t(n));
}

std::optional<std::string_view> Reader::bytes() {
  int32_t n = i32();
  if (n == -1) return std::nullopt;
  if (n < 0) throw WireError(fmt::format("negative bytes length {}", n));
  return raw(size_t(n));
}

std::optional<std::string_view> Reader::compact_string() {
  uint64_t n = uvarint();
  if (n == 0) return std::nullopt;
  if (n - 1 > remaining()) throw WireError(fmt::format("compact length {} past the end", n - 1));
  return raw(size_t(n - 1));
}

std::optional<std::string_view> Reader::compact_bytes() { return compact_string(); }

int32_t Reader::array_count(size_t min_element_size) {
  int32_t n = i32();
  if (n == -1) return -1;
  if (n < 0) throw WireError(fmt::format("negative array count {}", n));
  if (uint64_t(n) * min_element_size > remaining())
    throw WireError(fmt::format("array count {} exceeds the {} bytes left", n, remaining()));
  return n;
}

int32_t Reader::compact_array_count(size_t min_element_size) {
  uint64_t n = uvarint();
  if (n == 0) return -1;
  if ((n - 1) * min_element_size > remaining() || n - 1 > INT32_MAX)
    throw WireError(fmt::format("array count {} exceeds the {} bytes left", n - 1, remaining()));
  return int32_t(n - 1);
}

void Reader::skip_tagged_fields() {
  uint64_t count = uvarint();
  if (count > remaining()) throw WireError("tagged field count past the end");
  for (uint64_t i = 0; i < count; ++i) {
    uvarint();  // tag
    uint64_t size = uvarint();
    if (size > remaining()) throw WireError("tagged field past the end");
    raw(size_t(size));
  }
}

template <typename T>
static void store_be(std::string& out, T v) {
  using U = std::make_unsigned_t<T>;
  U u = U(v);
  char b[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) b[sizeof(T) - 1 - i] = char(uint8_t(u >> (8 * i)));
  out.append(b, sizeof(T));
}

void Writer::i16(int16_t v) { store_be(out_, v); }
void Writer::i32(int32_t v) { store_be(out_, v); }
void Writer::i64(int64_t v) { store_be(out_, v); }
void Writer::u32(uint32_t v) { store_be(out_, v); }
void Writer::uvarint(uint64_t v) { varint::append_unsigned(out_, v); }

void Writer::string(std::string_view s) {
  i16(int16_t(s.size()));
  out_.append(s);
}

void Writer::nullable_string(std::optional<std::string_view> s) {
  if (!s) return i16(-1);
  string(*s);
}

void Writer::bytes(std::optional<std::string_view> b) {
  if (!b) return i32(-1);
  i32(int32_t(b->size()));
  out_.append(*b);
}

void Writer::compact_string(std::optional<std::string_view> s) {
  if (!s) return uvarint(0);
  uvarint(s->size() + 1);
  out_.append(*s);
}

void Writer::compact_bytes(std::optional<std::string_view> b) { compact_string(b); }

size_t Writer::reserve_i32() {
  size_t at = out_.size();
  out_.append(4, '\0');
  return at;
}

void Writer::patch_i32(size_t at, int32_t v) {
  for (int i = 0; i < 4; ++i) out_[at + size_t(i)] = char(uint8_t(uint32_t(v) >> (8 * (3 - i))));
}

}  // namespace sluice::kafka
