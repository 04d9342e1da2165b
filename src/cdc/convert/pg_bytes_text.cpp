#include "cdc/convert/pg_bytes_text.h"

#include <cstdint>

#include "cdc/convert/text_scan.h"
#include "core/base64.h"

namespace sluice::cdc::convert {
namespace {

constexpr char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHexLower[] = "0123456789abcdef";

// Feeds bytes into base64 output, three at a time, so no byte buffer is needed.
class Base64Appender {
 public:
  Base64Appender(std::string& out, const char* alphabet) : out_(out), t_(alphabet) {}
  void add(uint32_t byte) {
    acc_ = (acc_ << 8) | byte;
    if (++n_ == 3) {
      char q[4] = {t_[acc_ >> 18], t_[(acc_ >> 12) & 63], t_[(acc_ >> 6) & 63], t_[acc_ & 63]};
      out_.append(q, 4);
      acc_ = 0;
      n_ = 0;
    }
  }
  void finish() {
    if (n_ == 1) {
      acc_ <<= 16;
      out_ += t_[acc_ >> 18];
      out_ += t_[(acc_ >> 12) & 63];
      out_ += "==";
    } else if (n_ == 2) {
      acc_ <<= 8;
      out_ += t_[acc_ >> 18];
      out_ += t_[(acc_ >> 12) & 63];
      out_ += t_[(acc_ >> 6) & 63];
      out_ += '=';
    }
  }

 private:
  std::string& out_;
  const char* t_;
  uint32_t acc_ = 0;
  int n_ = 0;
};

// bytea hex digits straight to quoted base64.
bool append_bytea_base64(std::string& out, std::string_view hex, bool url_safe) {
  if (hex.size() % 2) return false;
  out.reserve(out.size() + hex.size() / 6 * 4 + 6);
  out += '"';
  Base64Appender b64(out, url_safe ? kB64Url : kB64Std);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    b64.add(uint32_t(hi << 4 | lo));
  }
  b64.finish();
  out += '"';
  return true;
}

bool append_bytea_hex(std::string& out, std::string_view hex) {
  if (hex.size() % 2) return false;
  out += '"';
  for (char c : hex) {
    int v = hex_value(c);
    if (v < 0) return false;
    out += kHexLower[v];
  }
  out += '"';
  return true;
}

}  // namespace

bool append_bytea(std::string& out, std::string_view text, BinaryMode mode) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return false;
  std::string_view hex = text.substr(2);
  switch (mode) {
    case BinaryMode::bytes:
    case BinaryMode::base64:
      return append_bytea_base64(out, hex, false);
    case BinaryMode::base64_url_safe:
      return append_bytea_base64(out, hex, true);
    case BinaryMode::hex:
      return append_bytea_hex(out, hex);
  }
  return false;
}

void append_quoted_base64(std::string& out, std::string_view bytes, bool url_safe) {
  out += '"';
  base64::append(out, bytes, url_safe);
  out += '"';
}

void append_quoted_hex(std::string& out, std::string_view bytes) {
  out += '"';
  for (unsigned char b : bytes) {
    out += kHexLower[b >> 4];
    out += kHexLower[b & 15];
  }
  out += '"';
}

bool append_bits(std::string& out, std::string_view text) {
  // The last character is bit 0; toByteArray() is little-endian and as long as the highest set
  // bit needs.
  size_t n = text.size();
  size_t highest = 0;
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    char c = text[i];
    if (c != '0' && c != '1') return false;
    if (c == '1' && !any) {
      any = true;
      highest = n - 1 - i;
    }
  }
  size_t nbytes = any ? highest / 8 + 1 : 0;
  out += '"';
  Base64Appender b64(out, kB64Std);
  for (size_t b = 0; b < nbytes; ++b) {
    unsigned byte = 0;
    for (size_t bit = 0; bit < 8; ++bit) {
      size_t idx = b * 8 + bit;
      if (idx < n && text[n - 1 - idx] == '1') byte |= 1u << bit;
    }
    b64.add(byte);
  }
  b64.finish();
  out += '"';
  return true;
}

}  // namespace sluice::cdc::convert
