#include "core/decimal.h"

#include <cstdint>
#include <vector>

namespace sluice::decimal {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Magnitude of a decimal digit string as big-endian bytes without leading zero bytes (empty for
// zero). Digits are folded into base-2^32 limbs nine at a time.
std::string magnitude_bytes(std::string_view digits) {
  std::vector<uint32_t> limbs;  // little-endian limbs
  size_t i = 0;
  while (i < digits.size() && digits[i] == '0') ++i;
  while (i < digits.size()) {
    size_t n = digits.size() - i < 9 ? digits.size() - i : 9;
    uint32_t chunk = 0, mul = 1;
    for (size_t k = 0; k < n; ++k) {
      chunk = chunk * 10 + uint32_t(digits[i + k] - '0');
      mul *= 10;
    }
    i += n;
    uint64_t carry = chunk;
    for (auto& limb : limbs) {
      uint64_t v = uint64_t(limb) * mul + carry;
      limb = uint32_t(v);
      carry = v >> 32;
    }
    if (carry) limbs.push_back(uint32_t(carry));
  }
  std::string out;
  out.reserve(limbs.size() * 4);
  for (size_t k = limbs.size(); k-- > 0;) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      char b = char((limbs[k] >> shift) & 0xff);
      if (out.empty() && b == 0) continue;
      out += b;
    }
  }
  return out;
}

}  // namespace

std::optional<Parsed> parse(std::string_view text) {
  Parsed p;
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    p.negative = text[i] == '-';
    ++i;
  }
  size_t int_digits = 0;
  while (i < text.size() && is_digit(text[i])) {
    p.digits += text[i++];
    ++int_digits;
  }
  size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) {
      p.digits += text[i++];
      ++frac_digits;
    }
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
    if (i == text.size()) return std::nullopt;
    while (i < text.size() && is_digit(text[i])) {
      exponent = exponent * 10 + (text[i++] - '0');
      if (exponent > 100000) return std::nullopt;
    }
    if (neg) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  long scale = long(frac_digits) - exponent;
  if (scale < 0) {
    p.digits.append(size_t(-scale), '0');
    scale = 0;
  }
  p.scale = int(scale);
  return p;
}

std::string unscaled_bytes(const Parsed& value, int scale) {
  std::string digits = value.digits;
  if (scale >= value.scale) {
    digits.append(size_t(scale - value.scale), '0');
  } else {
    size_t drop = size_t(value.scale - scale);
    digits.resize(digits.size() > drop ? digits.size() - drop : 0);
  }
  std::string mag = magnitude_bytes(digits);
  if (mag.empty()) return std::string(1, '\0');
  if (!value.negative) {
    if (uint8_t(mag[0]) & 0x80) mag.insert(mag.begin(), '\0');
    return mag;
  }
  // Two's complement of the magnitude in the fewest bytes that hold -magnitude: one more byte
  // than the magnitude needs unless the magnitude is exactly 2^(8n-1).
  bool power_of_two = uint8_t(mag[0]) == 0x80;
  for (size_t k = 1; power_of_two && k < mag.size(); ++k) power_of_two = mag[k] == 0;
  if ((uint8_t(mag[0]) & 0x80) && !power_of_two) mag.insert(mag.begin(), '\0');
  unsigned carry = 1;
  for (size_t k = mag.size(); k-- > 0;) {
    unsigned v = unsigned(uint8_t(~uint8_t(mag[k]))) + carry;
    mag[k] = char(v & 0xff);
    carry = v >> 8;
  }
  return mag;
}

}  // namespace sluice::decimal
