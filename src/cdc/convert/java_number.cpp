#include "cdc/convert/java_number.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "cdc/convert/text_scan.h"
#include "core/json_writer.h"

namespace sluice::cdc::convert {
namespace {

struct SciDigits {
  bool negative = false;
  char digits[40];
  int count = 0;
  int exponent = 0;  // value = d[0].d[1..] * 10^exponent
};

template <typename T>
void sci_digits(T v, SciDigits& s, int precision = -1) {
  char buf[64];
  auto r = precision < 0
               ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific)
               : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, precision);
  const char* p = buf;
  s.negative = *p == '-';
  if (s.negative) ++p;
  s.count = 0;
  for (; p < r.ptr && *p != 'e'; ++p)
    if (is_digit(*p)) s.digits[s.count++] = *p;
  int e = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), r.ptr, e);
  s.exponent = e;
}

template <typename T>
void shortest_digits(T v, SciDigits& s) {
  sci_digits(v, s);
  // Java picks the closest two-digit decimal when one digit would do (4.9E-324, not 5e-324).
  if (s.count == 1) sci_digits(v, s, 1);
  while (s.count > 1 && s.digits[s.count - 1] == '0') --s.count;
}

template <typename T>
void append_java(std::string& out, T v) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  SciDigits s;
  shortest_digits(v, s);
  if (s.negative) out += '-';
  // Plain notation for 10^-3 <= |v| < 10^7, decided on the decimal chosen (as FloatToDecimal).
  if (v == 0 || (s.exponent >= -3 && s.exponent < 7)) {
    int e = v == 0 ? 0 : s.exponent;
    if (e >= 0) {
      for (int i = 0; i <= e; ++i) out += i < s.count ? s.digits[i] : '0';
      out += '.';
      if (e + 1 < s.count)
        out.append(s.digits + e + 1, size_t(s.count - e - 1));
      else
        out += '0';
    } else {
      out += "0.";
      for (int i = 0; i < -e - 1; ++i) out += '0';
      out.append(s.digits, size_t(s.count));
    }
    return;
  }
  out += s.digits[0];
  out += '.';
  if (s.count > 1)
    out.append(s.digits + 1, size_t(s.count - 1));
  else
    out += '0';
  out += 'E';
  json::append_int(out, s.exponent);
}

}  // namespace

void append_java_number(std::string& out, double v) { append_java(out, v); }
void append_java_number(std::string& out, float v) { append_java(out, v); }

void append_plain_stripped(std::string& out, double d) {
  if (d == 0) {
    out += '0';
    return;
  }
  SciDigits s;
  shortest_digits(d, s);
  if (s.negative) out += '-';
  int e = s.exponent;
  if (e >= s.count - 1) {
    out.append(s.digits, size_t(s.count));
    for (int i = s.count - 1; i < e; ++i) out += '0';
  } else if (e >= 0) {
    out.append(s.digits, size_t(e + 1));
    out += '.';
    out.append(s.digits + e + 1, size_t(s.count - e - 1));
  } else {
    out += "0.";
    for (int i = 0; i < -e - 1; ++i) out += '0';
    out.append(s.digits, size_t(s.count));
  }
}

int64_t java_d2l(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return int64_t(d);
}

}  // namespace sluice::cdc::convert
