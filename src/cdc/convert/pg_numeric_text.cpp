#include "cdc/convert/pg_numeric_text.h"

#include <algorithm>
#include <cstdint>

#include "cdc/convert/java_number.h"
#include "cdc/convert/pg_bytes_text.h"
#include "cdc/convert/text_scan.h"
#include "core/decimal.h"
#include "core/json_writer.h"

namespace sluice::cdc::convert {
namespace {

// BigInteger.valueOf(v).toByteArray(), base64 and quoted.
void append_int64_decimal_bytes(std::string& out, int64_t v) {
  unsigned char b[8];
  for (int k = 0; k < 8; ++k) b[k] = (uint64_t(v) >> (56 - 8 * k)) & 0xff;
  int start = 0;
  while (start < 7 && ((b[start] == 0x00 && !(b[start + 1] & 0x80)) ||
                       (b[start] == 0xff && (b[start + 1] & 0x80))))
    ++start;
  append_quoted_base64(out, std::string_view(reinterpret_cast<const char*>(b) + start, 8 - start));
}

// The unscaled integer at `scale` when it has at most 18 digits, so the common case needs no
// big-integer arithmetic.
bool fast_unscaled(const DecText& d, int scale, bool half_up, int64_t& v) {
  if (d.int_part.size() + size_t(scale) > 18) return false;
  v = 0;
  for (char c : d.int_part) v = v * 10 + (c - '0');
  for (int k = 0; k < scale; ++k)
    v = v * 10 + (size_t(k) < d.frac_part.size() ? d.frac_part[k] - '0' : 0);
  if (half_up && d.frac_part.size() > size_t(scale) && d.frac_part[size_t(scale)] >= '5') ++v;
  if (d.negative) v = -v;
  return true;
}

// Same as fast_unscaled for any size, as BigInteger.toByteArray().
std::string slow_unscaled(const DecText& d, int scale, bool half_up) {
  decimal::Parsed p;
  p.negative = d.negative;
  p.digits.assign(d.int_part);
  p.digits.append(d.frac_part);
  p.scale = int(d.frac_part.size());
  if (half_up && p.scale > scale) {
    bool up = p.digits[p.digits.size() - size_t(p.scale - scale)] >= '5';
    p.digits.resize(p.digits.size() - size_t(p.scale - scale));
    p.scale = scale;
    if (up) {
      size_t k = p.digits.size();
      while (k > 0 && p.digits[k - 1] == '9') p.digits[--k] = '0';
      if (k == 0)
        p.digits.insert(p.digits.begin(), '1');
      else
        ++p.digits[k - 1];
    }
  }
  return decimal::unscaled_bytes(p, scale);
}

// VariableScaleDecimal: {"scale":s,"value":bytes} of the value with trailing zeros stripped
// (BigDecimal.stripTrailingZeros, never a negative scale).
void append_variable_decimal(std::string& out, DecText d) {
  while (!d.frac_part.empty() && d.frac_part.back() == '0') d.frac_part.remove_suffix(1);
  bool zero = d.int_part.empty() &&
              std::all_of(d.frac_part.begin(), d.frac_part.end(), [](char c) { return c == '0'; });
  if (zero) d = DecText{};
  out += "{\"scale\":";
  json::append_int(out, int64_t(d.frac_part.size()));
  out += ",\"value\":";
  append_decimal_bytes(out, d, int(d.frac_part.size()), false);
  out += '}';
}

// Money text in the C locale ("$1,234.56", "-$1.00", "($1.00)") to a plain decimal, as
// PostgresMoney.parse: sign, one currency symbol dropped, thousands separators removed.
bool money_to_decimal(std::string_view t, char* buf, size_t cap, std::string_view& plain) {
  if (t.empty()) return false;
  size_t n = 0;
  bool negative = t.front() == '-' || t.front() == '(';
  size_t i = 0;
  if (negative) ++i;
  size_t end = t.size();
  if (t.front() == '(' && end > 0 && t[end - 1] == ')') --end;
  while (i < end && !is_digit(t[i]) && t[i] != '.' && t[i] != '-') ++i;  // currency symbol
  if (i < end && t[i] == '-') {
    negative = true;
    ++i;
  }
  if (negative) buf[n++] = '-';
  for (; i < end; ++i) {
    char c = t[i];
    if (c == ',') continue;
    if (!is_digit(c) && c != '.') return false;
    if (n + 1 >= cap) return false;
    buf[n++] = c;
  }
  plain = std::string_view(buf, n);
  return n > (negative ? 1u : 0u);
}

}  // namespace

bool split_decimal(std::string_view t, DecText& d) {
  size_t i = 0;
  d.negative = false;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) d.negative = t[i++] == '-';
  size_t start = i;
  while (i < t.size() && is_digit(t[i])) ++i;
  d.int_part = t.substr(start, i - start);
  d.frac_part = {};
  if (i < t.size() && t[i] == '.') {
    size_t f = ++i;
    while (i < t.size() && is_digit(t[i])) ++i;
    d.frac_part = t.substr(f, i - f);
  }
  if (i != t.size() || d.int_part.size() + d.frac_part.size() == 0) return false;
  while (!d.int_part.empty() && d.int_part.front() == '0') d.int_part.remove_prefix(1);
  return true;
}

void append_decimal_bytes(std::string& out, const DecText& d, int scale, bool half_up) {
  int64_t v;
  if (fast_unscaled(d, scale, half_up, v)) {
    append_int64_decimal_bytes(out, v);
  } else {
    append_quoted_base64(out, slow_unscaled(d, scale, half_up));
  }
}

bool append_numeric(std::string& out, std::string_view text, bool variable, int scale) {
  DecText d;
  if (!split_decimal(text, d)) {
    // NaN / ±Infinity cannot be a Connect Decimal (Debezium fails the task); write null.
    if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
      out += "null";
      return true;
    }
    return false;
  }
  if (variable)
    append_variable_decimal(out, d);
  else
    append_decimal_bytes(out, d, scale, false);
  return true;
}

bool append_numeric_string(std::string& out, std::string_view text) {
  // SpecialValueDecimal.toString: the enum name for special values, else toPlainString.
  if (text == "NaN") {
    out += "\"NAN\"";
    return true;
  }
  if (text == "Infinity") {
    out += "\"POSITIVE_INFINITY\"";
    return true;
  }
  if (text == "-Infinity") {
    out += "\"NEGATIVE_INFINITY\"";
    return true;
  }
  DecText d;
  if (!split_decimal(text, d)) return false;
  json::append_string(out, text);
  return true;
}

bool append_money(std::string& out, std::string_view text, DecimalMode mode, int scale) {
  char buf[96];
  std::string_view plain;
  DecText d;
  if (!money_to_decimal(text, buf, sizeof buf, plain) || !split_decimal(plain, d)) return false;
  switch (mode) {
    case DecimalMode::precise:
      append_decimal_bytes(out, d, scale, true);  // setScale(money.fraction.digits, HALF_UP)
      return true;
    case DecimalMode::string:
      json::append_string(out, plain);  // BigDecimal.toPlainString of the parsed text
      return true;
    case DecimalMode::double_: {
      double v;
      if (!parse_double(plain, v)) return false;
      append_java_number(out, v);
      return true;
    }
  }
  return false;
}

}  // namespace sluice::cdc::convert
