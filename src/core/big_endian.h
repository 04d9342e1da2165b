// Fixed-width big-endian integers, as Kafka's wire format and record batches lay them out.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace sluice {

template <typename T>
void put_be(char* p, T v) {
  using U = std::make_unsigned_t<T>;
  U u = U(v);
  for (int i = int(sizeof(T)) - 1; i >= 0; --i) {
    p[i] = char(u & 0xff);
    u = U(u >> 8);
  }
}

template <typename T>
T get_be(const char* p) {
  using U = std::make_unsigned_t<T>;
  U u = 0;
  for (size_t i = 0; i < sizeof(T); ++i) u = U((u << 8) | uint8_t(p[i]));
  return T(u);
}

// Appends v to out.
template <typename T>
void append_be(std::string& out, T v) {
  char b[sizeof(T)];
  put_be(b, v);
  out.append(b, sizeof b);
}

}  // namespace sluice
