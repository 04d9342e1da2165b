#include "cdc/convert/text_scan.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <system_error>

namespace sluice::cdc::convert {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_double(std::string_view t, double& v) {
  if (t.empty()) return false;
  const char* b = t.data();
  const char* e = b + t.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, v);
  if (r.ptr != e) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Decide between overflow and underflow from the digits before any exponent.
    bool neg = *b == '-';
    bool big = false;
    const char* p = b + (neg ? 1 : 0);
    while (p < e && (*p == '0')) ++p;
    if (p < e && is_digit(*p)) big = true;
    const char* ex = std::find_if(b, e, [](char c) { return c == 'e' || c == 'E'; });
    if (ex != e) big = ex + 1 < e && ex[1] != '-';
    v = big ? std::numeric_limits<double>::infinity() : 0.0;
    if (neg) v = -v;
    return true;
  }
  return r.ec == std::errc();
}

bool parse_float(std::string_view t, float& v) {
  if (t.empty()) return false;
  const char* b = t.data();
  const char* e = b + t.size();
  if (*b == '+') ++b;
  auto r = std::from_chars(b, e, v);
  if (r.ptr != e) return false;
  if (r.ec == std::errc::result_out_of_range) {
    double d;
    if (!parse_double(t, d)) return false;
    v = float(d);
    return true;
  }
  return r.ec == std::errc();
}

bool parse_int64(std::string_view t, int64_t& v) {
  if (t.empty()) return false;
  const char* b = t.data();
  const char* e = b + t.size();
  if (*b == '+' && e - b > 1 && b[1] != '-') ++b;
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}

}  // namespace sluice::cdc::convert
