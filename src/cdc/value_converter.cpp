// Value conversion follows Debezium's PostgresValueConverter as it handles pgoutput's text values
// (ReplicationMessageColumnValueResolver, JdbcValueConverters), and the JSON forms follow Kafka
// Connect's JsonConverter serialized by Jackson. Notes on the Debezium behaviour mirrored here sit
// next to the code that mirrors it.
#include "cdc/value_converter.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/base64.h"
#include "core/decimal.h"
#include "core/json_writer.h"

namespace sluice::cdc {

enum class ValueConverter::Kind : uint8_t {
  unsupported,
  boolean,
  bit_bool,  // bit(1), varbit(1)
  int16,
  int32,
  int64,
  float32,
  float64,
  decimal_fixed,     // numeric(p,s), precise
  decimal_variable,  // numeric, precise: io.debezium.data.VariableScaleDecimal
  decimal_string,
  decimal_double,
  money_decimal,
  money_string,
  money_double,
  string,
  json,
  xml,
  uuid,
  ltree,
  tsvector,
  enumeration,
  bytea,
  date,
  time_millis,
  time_micros,
  timestamp_millis,
  timestamp_micros,
  timestamptz,
  timetz,
  interval_micros,
  interval_string,
  bits,
  hstore_json,
  hstore_map,
  point,
  double_vector,
  float_vector,
  array,
};

namespace {

namespace oid = pg::oid;
constexpr uint32_t kMacaddr8 = 774, kTsvector = 3614, kBitArrayElem = 1560, kRefcursor = 1790;

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kMicrosPerDay = kSecondsPerDay * kMicrosPerSecond;

// PGStatement.DATE_POSITIVE_INFINITY / DATE_NEGATIVE_INFINITY read as microseconds: what Debezium
// writes for ±infinity timestamps (MicroTimestamp); Timestamp (millis) gets these / 1000 floored.
constexpr int64_t kInfinityMicros = 9223372036825200000LL;
constexpr int64_t kNegInfinityMicros = -9223372036832400000LL;
// Debezium maps date 'infinity' to LocalDate -5877611-06-21 and '-infinity' to -5877611-06-22.
constexpr int64_t kInfinityDays = -2147472693LL;
constexpr int64_t kNegInfinityDays = -2147472692LL;

constexpr char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

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

void append_int(std::string& out, int64_t v) { json::append_int(out, v); }

// Java's (long) cast of a double: NaN is 0, out-of-range values saturate.
int64_t java_d2l(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return int64_t(d);
}

// ---------------------------------------------------------------------------------------------
// Numbers as Java prints them (Double.toString / Float.toString, as Jackson writes DoubleNode and
// FloatNode): the shortest decimal that reads back to the same value (never fewer than two
// digits), plain between 10^-3 and 10^7, otherwise d.dddE±n.

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
void append_java_number(std::string& out, T v) {
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
  append_int(out, s.exponent);
}

// BigDecimal.valueOf(d).stripTrailingZeros().toPlainString().
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

// Integer text: optional sign and at least one digit, in range.
bool parse_int64(std::string_view t, int64_t& v) {
  if (t.empty()) return false;
  const char* b = t.data();
  const char* e = b + t.size();
  if (*b == '+' && e - b > 1 && b[1] != '-') ++b;
  auto r = std::from_chars(b, e, v);
  return r.ec == std::errc() && r.ptr == e;
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, as java.time).

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool eof() const { return i >= s.size(); }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
  bool eat(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool eat(std::string_view w) {
    if (s.substr(i, w.size()) == w) {
      i += w.size();
      return true;
    }
    return false;
  }
  bool number(int64_t& v, size_t min_digits, size_t max_digits) {
    size_t start = i;
    v = 0;
    while (i < s.size() && is_digit(s[i]) && i - start < max_digits) v = v * 10 + (s[i++] - '0');
    return i - start >= min_digits && !(i < s.size() && is_digit(s[i]));
  }
};

// HH:MM:SS[.ffffff] (hour may be 24); fraction digits past the sixth are dropped.
bool parse_clock(Cursor& c, int64_t& micros) {
  int64_t h, m, s;
  if (!c.number(h, 1, 2) || !c.eat(':') || !c.number(m, 2, 2)) return false;
  s = 0;
  if (c.eat(':') && !c.number(s, 2, 2)) return false;
  int64_t frac = 0;
  if (c.eat('.')) {
    int n = 0;
    while (!c.eof() && is_digit(c.peek())) {
      if (n < 6) {
        frac = frac * 10 + (c.peek() - '0');
        ++n;
      }
      ++c.i;
    }
    if (n == 0) return false;
    for (; n < 6; ++n) frac *= 10;
  }
  if (h > 24 || m > 59 || s > 60) return false;
  micros = ((h * 60 + m) * 60 + s) * kMicrosPerSecond + frac;
  return micros <= kMicrosPerDay;
}

// [+-]HH[:MM[:SS]] or [+-]HHMM.
bool parse_offset(Cursor& c, int& seconds) {
  char sign = c.peek();
  if (sign != '+' && sign != '-') return false;
  ++c.i;
  int64_t h, m = 0, s = 0;
  if (!c.number(h, 2, 2)) return false;
  if (c.eat(':')) {
    if (!c.number(m, 2, 2)) return false;
    if (c.eat(':') && !c.number(s, 2, 2)) return false;
  } else if (is_digit(c.peek())) {
    if (!c.number(m, 2, 2)) return false;
  }
  seconds = int((h * 60 + m) * 60 + s);
  if (sign == '-') seconds = -seconds;
  return true;
}

bool parse_era(Cursor& c, bool& bc) {
  bc = false;
  if (c.eof()) return true;
  if (!c.eat(' ')) return false;
  if (c.eat("BC")) {
    bc = true;
    return true;
  }
  return c.eat("AD");
}

// A date (ISO DateStyle): days since 1970-01-01. 'infinity' is handled by the caller.
bool parse_date(std::string_view t, int64_t& days) {
  Cursor c{t};
  int64_t y, m, d;
  if (!c.number(y, 1, 10) || !c.eat('-') || !c.number(m, 1, 2) || !c.eat('-') || !c.number(d, 1, 2))
    return false;
  bool bc;
  if (!parse_era(c, bc) || !c.eof()) return false;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  if (bc) y = 1 - y;
  days = days_from_civil(y, unsigned(m), unsigned(d));
  return true;
}

struct Stamp {
  int64_t days = 0;    // local date
  int64_t micros = 0;  // local time of day
  int offset = 0;      // seconds east of UTC
};

// YYYY-MM-DD[ HH:MM:SS[.f]][offset][ BC].
bool parse_timestamp(std::string_view t, Stamp& st, bool allow_offset) {
  Cursor c{t};
  int64_t y, m, d;
  st.micros = 0;
  st.offset = 0;
  const char* p = t.data();
  auto digits = [p](size_t from, size_t to) {
    for (size_t k = from; k < to; ++k)
      if (!is_digit(p[k])) return false;
    return true;
  };
  auto num = [p](size_t at, size_t n) {
    int64_t v = 0;
    for (size_t k = at; k < at + n; ++k) v = v * 10 + (p[k] - '0');
    return v;
  };
  if (t.size() >= 19 && p[4] == '-' && p[7] == '-' && p[10] == ' ' && p[13] == ':' &&
      p[16] == ':' && digits(0, 4) && digits(5, 7) && digits(8, 10) && digits(11, 13) &&
      digits(14, 16) && digits(17, 19)) {
    // The usual ISO form, fixed-width up to the seconds.
    y = num(0, 4);
    m = num(5, 2);
    d = num(8, 2);
    int64_t h = num(11, 2), mi = num(14, 2), sec = num(17, 2);
    if (h > 24 || mi > 59 || sec > 60) return false;
    st.micros = ((h * 60 + mi) * 60 + sec) * kMicrosPerSecond;
    c.i = 19;
    if (c.eat('.')) {
      int64_t frac = 0;
      int n = 0;
      while (!c.eof() && is_digit(c.peek())) {
        if (n < 6) {
          frac = frac * 10 + (c.peek() - '0');
          ++n;
        }
        ++c.i;
      }
      if (n == 0) return false;
      for (; n < 6; ++n) frac *= 10;
      st.micros += frac;
    }
    if (allow_offset && (c.peek() == '+' || c.peek() == '-') && !parse_offset(c, st.offset))
      return false;
  } else {
    if (!c.number(y, 1, 10) || !c.eat('-') || !c.number(m, 1, 2) || !c.eat('-') ||
        !c.number(d, 1, 2))
      return false;
    if ((c.peek() == ' ' && c.i + 1 < t.size() && is_digit(t[c.i + 1])) || c.peek() == 'T') {
      ++c.i;
      if (!parse_clock(c, st.micros)) return false;
      if (allow_offset && (c.peek() == '+' || c.peek() == '-') && !parse_offset(c, st.offset))
        return false;
    }
  }
  bool bc;
  if (!parse_era(c, bc) || !c.eof()) return false;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  if (bc) y = 1 - y;
  st.days = days_from_civil(y, unsigned(m), unsigned(d));
  return true;
}

// Instant.toEpochMicros as Debezium computes it: seconds saturate, the micros are added after.
int64_t epoch_micros(int64_t seconds, int64_t micros_of_second) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / kMicrosPerSecond;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min() / kMicrosPerSecond;
  int64_t base = seconds > kMax   ? std::numeric_limits<int64_t>::max()
                 : seconds < kMin ? std::numeric_limits<int64_t>::min()
                                  : seconds * kMicrosPerSecond;
  return int64_t(uint64_t(base) + uint64_t(micros_of_second));
}

// Writes the non-negative v as exactly `width` digits.
char* put_digits(char* p, int64_t v, int width) {
  uint64_t u = uint64_t(v);
  for (int k = width - 1; k >= 0; --k) {
    p[k] = char('0' + u % 10);
    u /= 10;
  }
  return p + width;
}

// ISO_LOCAL_DATE: 4-digit year, '+' prefix past 9999, '-' for negative years.
char* put_iso_date(char* p, int64_t days) {
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (y >= 0 && y <= 9999) {
    p = put_digits(p, y, 4);
  } else {
    *p++ = y > 9999 ? '+' : '-';
    int64_t a = y < 0 ? -y : y;
    int width = 4;
    for (int64_t lim = 10000; a >= lim && width < 18; lim *= 10) ++width;
    p = put_digits(p, a, width);
  }
  *p++ = '-';
  p = put_digits(p, m, 2);
  *p++ = '-';
  return put_digits(p, d, 2);
}

// HH:mm:ss plus the fraction: exactly `width` digits when width is 1..9, else as many as needed
// (none when zero), as java.time's appendFraction does.
char* put_iso_clock(char* p, int64_t micros_of_day, int width) {
  int64_t secs = micros_of_day / kMicrosPerSecond;
  int64_t frac = micros_of_day % kMicrosPerSecond;
  p = put_digits(p, secs / 3600, 2);
  *p++ = ':';
  p = put_digits(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, secs % 60, 2);
  if (width >= 1 && width <= 9) {
    *p++ = '.';
    char digits[9];
    put_digits(digits, frac * 1000, 9);
    std::memcpy(p, digits, size_t(width));
    p += width;
  } else if (frac != 0) {
    *p++ = '.';
    char digits[9];
    put_digits(digits, frac * 1000, 9);
    int n = 9;
    while (n > 0 && digits[n - 1] == '0') --n;
    std::memcpy(p, digits, size_t(n));
    p += n;
  }
  return p;
}

// "<date>T<time>Z" for an instant given as UTC seconds and microseconds, quoted.
void append_zoned_timestamp(std::string& out, int64_t secs, int64_t frac, int width) {
  char buf[64];
  char* p = buf;
  *p++ = '"';
  int64_t day = floor_div(secs, kSecondsPerDay);
  p = put_iso_date(p, day);
  *p++ = 'T';
  p = put_iso_clock(p, (secs - day * kSecondsPerDay) * kMicrosPerSecond + frac, width);
  *p++ = 'Z';
  *p++ = '"';
  out.append(buf, size_t(p - buf));
}

// ---------------------------------------------------------------------------------------------
// Bytes.

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// bytea_output=hex text ("\x0102") straight to quoted base64, without a byte buffer.
bool append_bytea_base64(std::string& out, std::string_view hex, bool url_safe) {
  if (hex.size() % 2) return false;
  const char* t = url_safe ? kB64Url : kB64Std;
  out.reserve(out.size() + hex.size() / 6 * 4 + 6);
  out += '"';
  uint32_t acc = 0;
  int n = 0;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    acc = (acc << 8) | uint32_t(hi << 4 | lo);
    if (++n == 3) {
      char q[4] = {t[acc >> 18], t[(acc >> 12) & 63], t[(acc >> 6) & 63], t[acc & 63]};
      out.append(q, 4);
      acc = 0;
      n = 0;
    }
  }
  if (n == 1) {
    acc <<= 16;
    out += t[acc >> 18];
    out += t[(acc >> 12) & 63];
    out += "==";
  } else if (n == 2) {
    acc <<= 8;
    out += t[acc >> 18];
    out += t[(acc >> 12) & 63];
    out += t[(acc >> 6) & 63];
    out += '=';
  }
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

void append_quoted_base64(std::string& out, std::string_view bytes, bool url_safe = false) {
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

// ---------------------------------------------------------------------------------------------
// Decimals.

struct DecText {
  bool negative = false;
  std::string_view int_part;   // leading zeros stripped
  std::string_view frac_part;  // as written
};

// Plain decimal text as numeric_out writes it: [-]digits[.digits].
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

// The unscaled integer at `scale` when it has at most 18 digits; extra fraction digits are cut
// (or rounded half up).
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

void append_decimal_bytes(std::string& out, const DecText& d, int scale, bool half_up) {
  int64_t v;
  if (fast_unscaled(d, scale, half_up, v)) {
    append_int64_decimal_bytes(out, v);
  } else {
    append_quoted_base64(out, slow_unscaled(d, scale, half_up));
  }
}

// VariableScaleDecimal: {"scale":s,"value":bytes} of the value with trailing zeros stripped
// (BigDecimal.stripTrailingZeros, never a negative scale).
void append_variable_decimal(std::string& out, DecText d) {
  while (!d.frac_part.empty() && d.frac_part.back() == '0') d.frac_part.remove_suffix(1);
  bool zero = d.int_part.empty() &&
              std::all_of(d.frac_part.begin(), d.frac_part.end(), [](char c) { return c == '0'; });
  if (zero) d = DecText{};
  out += "{\"scale\":";
  append_int(out, int64_t(d.frac_part.size()));
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

// ---------------------------------------------------------------------------------------------
// JSON text as Jackson's JsonGenerator writes it (used for hstore's JSON rendering): control
// characters escaped, \uXXXX in upper case.

void append_jackson_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHexUpper[c >> 4];
          out += kHexUpper[c & 15];
        } else {
          out += char(c);
        }
    }
  }
  out += '"';
}

// ---------------------------------------------------------------------------------------------
// hstore. pgjdbc's HStoreConverter.fromString fills a java.util.HashMap, so Debezium emits the
// pairs in HashMap iteration order; that order is reproduced from String.hashCode.

struct HstorePair {
  std::string key;
  std::string value;
  bool null = false;
  uint32_t bucket_hash = 0;
};

uint32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;
  for (size_t i = 0; i < utf8.size();) {
    unsigned char c = utf8[i];
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6 && i + 1 < utf8.size()) {
      cp = (c & 0x1fu) << 6 | (utf8[i + 1] & 0x3fu);
      len = 2;
    } else if ((c >> 4) == 14 && i + 2 < utf8.size()) {
      cp = (c & 0x0fu) << 12 | (utf8[i + 1] & 0x3fu) << 6 | (utf8[i + 2] & 0x3fu);
      len = 3;
    } else if ((c >> 3) == 30 && i + 3 < utf8.size()) {
      cp = (c & 0x07u) << 18 | (utf8[i + 1] & 0x3fu) << 12 | (utf8[i + 2] & 0x3fu) << 6 |
           (utf8[i + 3] & 0x3fu);
      len = 4;
    } else {
      cp = 0xfffd;
      len = 1;
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      h = 31 * h + (0xd800 + (cp >> 10));
      h = 31 * h + (0xdc00 + (cp & 0x3ff));
    } else {
      h = 31 * h + cp;
    }
  }
  return h;
}

// Reads a double-quoted hstore token starting at s[pos] == '"'; returns the closing quote index.
bool hstore_quoted(std::string_view s, size_t pos, std::string& into, size_t& end) {
  if (pos >= s.size() || s[pos] != '"') return false;
  for (++pos; pos < s.size(); ++pos) {
    char ch = s[pos];
    if (ch == '"') {
      end = pos;
      return true;
    }
    if (ch == '\\') {
      if (++pos >= s.size()) return false;
      ch = s[pos];
    }
    into += ch;
  }
  return false;
}

bool parse_hstore(std::string_view s, std::vector<HstorePair>& pairs) {
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = s.find('"', pos);
    if (start == std::string_view::npos) {
      if (trim(s.substr(pos)).empty()) break;
      return false;
    }
    HstorePair p;
    size_t end;
    if (!hstore_quoted(s, start, p.key, end)) return false;
    pos = end + 1;
    while (pos < s.size() && s[pos] == ' ') ++pos;
    if (s.substr(pos, 2) != "=>") return false;
    pos += 2;
    while (pos < s.size() && s[pos] == ' ') ++pos;
    if (s.substr(pos, 4) == "NULL") {
      p.null = true;
      pos += 4;
    } else {
      if (!hstore_quoted(s, pos, p.value, end)) return false;
      pos = end + 1;
    }
    uint32_t h = java_string_hash(p.key);
    p.bucket_hash = h ^ (h >> 16);
    bool replaced = false;
    for (auto& q : pairs)
      if (q.key == p.key) {
        q.value = std::move(p.value);
        q.null = p.null;
        replaced = true;
      }
    if (!replaced) pairs.push_back(std::move(p));
    while (pos < s.size() && (s[pos] == ',' || s[pos] == ' ')) ++pos;
  }
  // HashMap: 16 buckets, doubling whenever the size passes three quarters of the table.
  size_t cap = 16;
  while (pairs.size() > cap * 3 / 4) cap *= 2;
  std::stable_sort(pairs.begin(), pairs.end(), [cap](const HstorePair& a, const HstorePair& b) {
    return (a.bucket_hash & (cap - 1)) < (b.bucket_hash & (cap - 1));
  });
  return true;
}

// The hstore as a JSON object; `jackson` selects Jackson's escaping (text inside a JSON string)
// over the event writer's (a Connect map).
void append_hstore_object(std::string& out, const std::vector<HstorePair>& pairs, bool jackson) {
  out += '{';
  bool first = true;
  for (const auto& p : pairs) {
    if (!first) out += ',';
    first = false;
    if (jackson)
      append_jackson_string(out, p.key);
    else
      json::append_string(out, p.key);
    out += ':';
    if (p.null)
      out += "null";
    else if (jackson)
      append_jackson_string(out, p.value);
    else
      json::append_string(out, p.value);
  }
  out += '}';
}

// ---------------------------------------------------------------------------------------------
// MD5, for UUID.nameUUIDFromBytes (the unchanged-TOAST placeholder of uuid[] columns).

std::array<uint8_t, 16> md5(std::string_view msg) {
  static constexpr uint32_t K[64] = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
      0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
      0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
      0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
      0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
      0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
      0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
      0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
      0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
      0xeb86d391};
  static constexpr int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  std::string m(msg);
  uint64_t bit_len = uint64_t(msg.size()) * 8;
  m += char(0x80);
  while (m.size() % 64 != 56) m += '\0';
  for (int i = 0; i < 8; ++i) m += char((bit_len >> (8 * i)) & 0xff);
  uint32_t a0 = 0x67452301, b0 = 0xefcdab89, c0 = 0x98badcfe, d0 = 0x10325476;
  for (size_t off = 0; off < m.size(); off += 64) {
    uint32_t w[16];
    for (int i = 0; i < 16; ++i)
      w[i] = uint32_t(uint8_t(m[off + 4 * i])) | uint32_t(uint8_t(m[off + 4 * i + 1])) << 8 |
             uint32_t(uint8_t(m[off + 4 * i + 2])) << 16 |
             uint32_t(uint8_t(m[off + 4 * i + 3])) << 24;
    uint32_t a = a0, b = b0, c = c0, d = d0;
    for (int i = 0; i < 64; ++i) {
      uint32_t f;
      int g;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      uint32_t tmp = d;
      d = c;
      c = b;
      uint32_t x = a + f + K[i] + w[g];
      b = b + ((x << R[i]) | (x >> (32 - R[i])));
      a = tmp;
    }
    a0 += a;
    b0 += b;
    c0 += c;
    d0 += d;
  }
  std::array<uint8_t, 16> out{};
  uint32_t parts[4] = {a0, b0, c0, d0};
  for (int i = 0; i < 4; ++i)
    for (int k = 0; k < 4; ++k) out[size_t(4 * i + k)] = uint8_t(parts[i] >> (8 * k));
  return out;
}

std::string name_uuid_from_bytes(std::string_view bytes) {
  auto h = md5(bytes);
  h[6] = uint8_t((h[6] & 0x0f) | 0x30);
  h[8] = uint8_t((h[8] & 0x3f) | 0x80);
  std::string s;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += kHexLower[h[i] >> 4];
    s += kHexLower[h[i] & 15];
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Intervals, read the way pgjdbc's PGInterval reads them.

struct IntervalParts {
  int64_t years = 0, months = 0, days = 0, hours = 0, minutes = 0;
  int64_t whole_seconds = 0, micros = 0;  // same sign
};

// [-]digits[.digits] seconds into whole seconds and microseconds (rounded half up).
bool parse_seconds(std::string_view t, int64_t& whole, int64_t& micros) {
  bool neg = false;
  size_t i = 0;
  if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg = t[i++] == '-';
  size_t start = i;
  whole = 0;
  while (i < t.size() && is_digit(t[i])) {
    whole = whole * 10 + (t[i++] - '0');
    if (whole > int64_t(1) << 50) return false;
  }
  bool any = i > start;
  micros = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int n = 0;
    bool round_up = false;
    while (i < t.size() && is_digit(t[i])) {
      if (n < 6)
        micros = micros * 10 + (t[i] - '0');
      else if (n == 6)
        round_up = t[i] >= '5';
      ++n;
      ++i;
      any = true;
    }
    for (; n < 6; ++n) micros *= 10;
    if (round_up && ++micros == kMicrosPerSecond) {
      micros = 0;
      ++whole;
    }
  }
  if (!any || i != t.size()) return false;
  if (neg) {
    whole = -whole;
    micros = -micros;
  }
  return true;
}

// IntervalStyle=iso_8601: P[nY][nM][nD][T[nH][nM][n.nS]], each part signed on its own.
bool parse_iso_interval(std::string_view t, IntervalParts& p) {
  if (t.empty() || t[0] != 'P') return false;
  p = IntervalParts{};
  bool time = false;
  size_t i = 1;
  while (i < t.size()) {
    if (t[i] == 'T') {
      time = true;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < t.size() && (is_digit(t[i]) || t[i] == '-' || t[i] == '+' || t[i] == '.')) ++i;
    if (i == t.size() || i == start) return false;
    std::string_view num = t.substr(start, i - start);
    char unit = t[i++];
    if (time && unit == 'S') {
      if (!parse_seconds(num, p.whole_seconds, p.micros)) return false;
      continue;
    }
    int64_t v;
    if (!parse_int64(num, v)) return false;
    if (!time && unit == 'Y')
      p.years = v;
    else if (!time && unit == 'M')
      p.months = v;
    else if (!time && unit == 'W')
      p.days = v * 7;
    else if (!time && unit == 'D')
      p.days = v;
    else if (time && unit == 'H')
      p.hours = v;
    else if (time && unit == 'M')
      p.minutes = v;
    else
      return false;
  }
  return true;
}

// The postgres / postgres_verbose styles ("1 year 2 mons 3 days 04:05:06.78", "@ 1 day ago"),
// token by token as PGInterval.setValue does; only needed for column defaults.
bool parse_verbose_interval(std::string_view t, IntervalParts& p) {
  p = IntervalParts{};
  bool verbose = !t.empty() && t[0] == '@';
  std::string s(t);
  for (char& c : s) {
    if (c == '+' || c == '@') c = ' ';
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  std::vector<std::string_view> tokens;
  std::string_view rest(s);
  while (true) {
    rest = trim(rest);
    if (rest.empty()) break;
    size_t e = rest.find_first_of(" \t\n\r\f");
    tokens.push_back(rest.substr(0, e));
    if (e == std::string_view::npos) break;
    rest.remove_prefix(e);
  }
  std::string_view value;
  bool have_value = false;
  double seconds = 0;
  bool seconds_set = false;
  for (size_t k = 0; k < tokens.size(); ++k) {
    std::string_view tok = tokens[k];
    if (k % 2 == 0) {
      size_t colon = tok.find(':');
      if (colon == std::string_view::npos) {
        value = tok;
        have_value = true;
        continue;
      }
      bool neg = tok[0] == '-';
      size_t off = neg ? 1 : 0;
      int64_t h, m;
      if (!parse_int64(tok.substr(off, colon - off), h)) return false;
      if (!parse_int64(tok.substr(colon + 1, 2), m)) return false;
      double sec = 0;
      size_t colon2 = tok.find(':', colon + 1);
      if (colon2 != std::string_view::npos && !parse_double(tok.substr(colon2 + 1), sec))
        return false;
      p.hours = neg ? -h : h;
      p.minutes = neg ? -m : m;
      seconds = neg ? -sec : sec;
      seconds_set = true;
      have_value = false;
    } else {
      int64_t iv = 0;
      auto int_value = [&]() { return !have_value || parse_int64(value, iv); };
      if (tok.rfind("year", 0) == 0) {
        if (!int_value()) return false;
        p.years = iv;
      } else if (tok.rfind("mon", 0) == 0) {
        if (!int_value()) return false;
        p.months = iv;
      } else if (tok.rfind("day", 0) == 0) {
        if (!int_value()) return false;
        p.days = iv;
      } else if (tok.rfind("hour", 0) == 0) {
        if (!int_value()) return false;
        p.hours = iv;
      } else if (tok.rfind("min", 0) == 0) {
        if (!int_value()) return false;
        p.minutes = iv;
      } else if (tok.rfind("sec", 0) == 0) {
        double d = 0;
        if (have_value && !parse_double(value, d)) return false;
        seconds = d;
        seconds_set = true;
      }
    }
  }
  (void)seconds_set;
  if (verbose && t.size() >= 3 && t.substr(t.size() - 3) == "ago") {
    p.years = -p.years;
    p.months = -p.months;
    p.days = -p.days;
    p.hours = -p.hours;
    p.minutes = -p.minutes;
    seconds = -seconds;
  }
  int64_t total = java_d2l(std::round(seconds * 1e6));
  p.whole_seconds = total / kMicrosPerSecond;
  p.micros = total % kMicrosPerSecond;
  return true;
}

// PGInterval.getSeconds().
double interval_seconds(const IntervalParts& p) {
  return double(p.whole_seconds) + double(p.micros) / double(kMicrosPerSecond);
}

// MicroDuration.durationMicros(years, months, days, hours, minutes, seconds, 365.25 / 12),
// evaluated step by step in doubles exactly as the Java expression is.
int64_t micro_duration(const IntervalParts& p) {
  const double days_per_month = 365.25 / 12.0;
  int32_t months = int32_t(uint32_t(uint64_t(p.years) * 12 + uint64_t(p.months)));
  double days = double(months) * days_per_month;
  days = days + double(p.days);
  double secs = days * 24;
  secs = secs + double(p.hours);
  secs = secs * 60;
  secs = secs + double(p.minutes);
  secs = secs * 60;
  secs = secs + interval_seconds(p);
  double micros = secs * 1e6;
  micros = micros + 0.0;
  return java_d2l(micros);
}

// Interval.toIsoString: every component, seconds without trailing zeros.
void append_interval_iso(std::string& out, const IntervalParts& p) {
  out += "\"P";
  append_int(out, p.years);
  out += 'Y';
  append_int(out, p.months);
  out += 'M';
  append_int(out, p.days);
  out += "DT";
  append_int(out, p.hours);
  out += 'H';
  append_int(out, p.minutes);
  out += 'M';
  append_plain_stripped(out, interval_seconds(p));
  out += "S\"";
}

// ---------------------------------------------------------------------------------------------
// Column defaults, as PostgresDefaultValueConverter extracts them.

// FUNCTION_DEFAULT_PATTERN ^[(]?[A-Za-z0-9_.]+\((?:.+(?:, ?.+)*)?\) or a CURRENT_* keyword.
bool is_generated_default(std::string_view v) {
  static constexpr std::string_view kKeywords[] = {"current_timestamp", "current_time",
                                                   "current_date", "localtime", "localtimestamp"};
  for (auto k : kKeywords)
    if (iequals(v, k)) return true;
  size_t i = 0;
  if (i < v.size() && v[i] == '(') ++i;
  size_t start = i;
  while (i < v.size() &&
         (std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '_' || v[i] == '.'))
    ++i;
  if (i == start || i >= v.size() || v[i] != '(') return false;
  for (++i; i < v.size() && v[i] != '\n'; ++i)
    if (v[i] == ')') return true;
  return false;
}

// extractDefault(value, placeholder): the placeholder for generated values, the first quoted
// literal (with '' unescaped) for casts, NULL::… as nothing, else the raw text.
bool extract_default(std::string_view v, std::string_view placeholder, std::string& out) {
  if (is_generated_default(v)) {
    out.assign(placeholder);
    return true;
  }
  size_t q = v.find('\'');
  if (q == std::string_view::npos) {
    if (v.substr(0, 6) == "NULL::") return false;
    out.assign(v);
    return true;
  }
  out.clear();
  for (size_t i = q + 1; i < v.size(); ++i) {
    if (v[i] == '\'') {
      if (i + 1 < v.size() && v[i + 1] == '\'') {
        out += '\'';
        ++i;
        continue;
      }
      return true;
    }
    out += v[i];
  }
  return false;  // unterminated literal
}

// Java's Integer/Short/Long.parseInt: optional sign and digits only, in range.
bool java_parse_int(std::string_view t, int64_t lo, int64_t hi, int64_t& v) {
  if (t.empty()) return false;
  size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
  if (i == t.size()) return false;
  for (size_t k = i; k < t.size(); ++k)
    if (!is_digit(t[k])) return false;
  if (!parse_int64(t, v)) return false;
  return v >= lo && v <= hi;
}

}  // namespace

// =============================================================================================

ValueConverter::ValueConverter(const pg::TypeInfo& type, int32_t typmod,
                               const ConvertOptions& options)
    : kind_(Kind::unsupported), typmod_(typmod), options_(options), type_(type) {
  const bool connect = options.time == TimePrecisionMode::connect;
  const int time_precision = typmod < 0 ? 6 : typmod;
  if (type.element) {
    kind_ = Kind::array;
    auto element = std::make_shared<ValueConverter>(*type.element, typmod, options);
    element->in_array_ = true;
    const uint32_t e = type.element->oid;
    // PostgresValueConverter has no schema for these arrays (DBZ-459), and bit[] gets a scalar
    // schema with array values; Debezium leaves them out.
    bool ok = element->supported_ && element->kind_ != Kind::array && e != oid::kMoney &&
              e != oid::kName && e != oid::kInterval && e != oid::kVarbit && e != oid::kXml &&
              e != oid::kPoint && e != kBitArrayElem && e != kRefcursor;
    // Enum arrays use the element schema as built (required), and so does the generic array path
    // taken by element types without an explicit array case (tsvector, isbn, pgvector).
    items_optional_ = element->kind_ != Kind::enumeration && element->kind_ != Kind::tsvector &&
                      element->kind_ != Kind::double_vector &&
                      element->kind_ != Kind::float_vector && type.element->name != "isbn";
    supported_ = ok;
    element_ = std::move(element);
    return;
  }
  if (type.typtype == 'e') {
    kind_ = Kind::enumeration;
    for (size_t i = 0; i < type.enum_labels.size(); ++i) {
      if (i) allowed_ += ',';
      allowed_ += type.enum_labels[i];
    }
    return;
  }
  switch (type.oid) {
    case oid::kBool:
      kind_ = Kind::boolean;
      break;
    case oid::kBytea:
      kind_ = Kind::bytea;
      break;
    case oid::kChar:
    case oid::kName:
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kInet:
    case oid::kCidr:
    case oid::kMacaddr:
    case kMacaddr8:
    case oid::kInt4range:
    case oid::kNumrange:
    case oid::kTsrange:
    case oid::kTstzrange:
    case oid::kDaterange:
    case oid::kInt8range:
      kind_ = Kind::string;
      break;
    case oid::kInt2:
      kind_ = Kind::int16;
      break;
    case oid::kInt4:
      kind_ = Kind::int32;
      break;
    case oid::kInt8:
    case oid::kOid:
      kind_ = Kind::int64;
      break;
    case oid::kFloat4:
      kind_ = Kind::float32;
      break;
    case oid::kFloat8:
      kind_ = Kind::float64;
      break;
    case oid::kJson:
    case oid::kJsonb:
      kind_ = Kind::json;
      break;
    case oid::kXml:
      kind_ = Kind::xml;
      break;
    case oid::kUuid:
      kind_ = Kind::uuid;
      break;
    case kTsvector:
      kind_ = Kind::tsvector;
      break;
    case oid::kPoint:
      kind_ = Kind::point;
      break;
    case oid::kNumeric:
      if (typmod >= 4) {
        precision_ = ((typmod - 4) >> 16) & 0xffff;
        scale_ = (typmod - 4) & 0xffff;
      }
      switch (options.decimal) {
        case DecimalMode::precise:
          kind_ = typmod >= 4 ? Kind::decimal_fixed : Kind::decimal_variable;
          break;
        case DecimalMode::string:
          kind_ = Kind::decimal_string;
          break;
        case DecimalMode::double_:
          kind_ = Kind::decimal_double;
          break;
      }
      break;
    case oid::kMoney:
      scale_ = options.money_fraction_digits;
      kind_ = options.decimal == DecimalMode::precise  ? Kind::money_decimal
              : options.decimal == DecimalMode::string ? Kind::money_string
                                                       : Kind::money_double;
      break;
    case oid::kDate:
      kind_ = Kind::date;
      break;
    case oid::kTime:
      precision_ = time_precision;
      kind_ = options.time == TimePrecisionMode::adaptive_time_microseconds ? Kind::time_micros
              : connect || time_precision <= 3                              ? Kind::time_millis
                                                                            : Kind::time_micros;
      break;
    case oid::kTimestamp:
      precision_ = time_precision;
      kind_ = connect || time_precision <= 3 ? Kind::timestamp_millis : Kind::timestamp_micros;
      break;
    case oid::kTimestamptz:
      precision_ = time_precision;
      kind_ = Kind::timestamptz;
      break;
    case oid::kTimetz:
      precision_ = time_precision;
      kind_ = Kind::timetz;
      break;
    case oid::kInterval:
      kind_ =
          options.interval == IntervalMode::numeric ? Kind::interval_micros : Kind::interval_string;
      break;
    case oid::kBit:
    case oid::kVarbit:
      // pgjdbc reports the declared length; an unconstrained varbit is Integer.MAX_VALUE.
      bits_length_ = typmod < 0 ? (type.oid == oid::kBit ? 1 : 2147483647) : typmod;
      kind_ = bits_length_ > 1 ? Kind::bits : Kind::bit_bool;
      break;
    default:
      if (type.name == "citext" || type.name == "isbn")
        kind_ = Kind::string;
      else if (type.name == "hstore")
        kind_ = options.hstore == HstoreMode::json ? Kind::hstore_json : Kind::hstore_map;
      else if (type.name == "ltree")
        kind_ = Kind::ltree;
      else if (type.name == "vector")
        kind_ = Kind::double_vector;
      else if (type.name == "halfvec")
        kind_ = Kind::float_vector;
      break;
  }
  // Types without a Debezium converter (pg_lsn, tsquery, composites, box, custom ranges, …) are
  // left out of events unless include.unknown.datatypes is set.
  supported_ = kind_ != Kind::unsupported;
}

// ---------------------------------------------------------------------------------------------
// Schemas.

void ValueConverter::append_schema_open(std::string& out, bool optional) const {
  auto open = [&](const char* type) {
    out += "{\"type\":\"";
    out += type;
    out += '"';
  };
  auto opt = [&] { out += optional ? ",\"optional\":true" : ",\"optional\":false"; };
  auto name = [&](const char* n) {
    out += ",\"name\":\"";
    out += n;
    out += "\",\"version\":1";
  };
  switch (kind_) {
    case Kind::boolean:
    case Kind::bit_bool:
      open("boolean"), opt();
      break;
    case Kind::int16:
      open("int16"), opt();
      break;
    case Kind::int32:
      open("int32"), opt();
      break;
    case Kind::int64:
      open("int64"), opt();
      break;
    case Kind::float32:
      open("float"), opt();
      break;
    case Kind::float64:
    case Kind::decimal_double:
    case Kind::money_double:
      open("double"), opt();
      break;
    case Kind::decimal_fixed:
      open("bytes"), opt();
      name("org.apache.kafka.connect.data.Decimal");
      out += ",\"parameters\":{\"scale\":\"";
      append_int(out, scale_);
      out += "\",\"connect.decimal.precision\":\"";
      append_int(out, precision_);
      out += "\"}";
      break;
    case Kind::money_decimal:
      open("bytes"), opt();
      name("org.apache.kafka.connect.data.Decimal");
      out += ",\"parameters\":{\"scale\":\"";
      append_int(out, scale_);
      out += "\"}";
      break;
    case Kind::decimal_variable:
      open("struct");
      out +=
          ",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"scale\"},"
          "{\"type\":\"bytes\",\"optional\":false,\"field\":\"value\"}]";
      opt();
      name("io.debezium.data.VariableScaleDecimal");
      out += ",\"doc\":\"Variable scaled decimal\"";
      break;
    case Kind::unsupported:
    case Kind::decimal_string:
    case Kind::money_string:
    case Kind::string:
      open("string"), opt();
      break;
    case Kind::json:
    case Kind::hstore_json:
      open("string"), opt(), name("io.debezium.data.Json");
      break;
    case Kind::xml:
      open("string"), opt(), name("io.debezium.data.Xml");
      break;
    case Kind::uuid:
      open("string"), opt(), name("io.debezium.data.Uuid");
      break;
    case Kind::ltree:
      open("string"), opt(), name("io.debezium.data.Ltree");
      break;
    case Kind::tsvector:
      open("string"), opt(), name("io.debezium.data.Tsvector");
      break;
    case Kind::enumeration:
      open("string"), opt(), name("io.debezium.data.Enum");
      out += ",\"parameters\":{\"allowed\":";
      json::append_string(out, allowed_);
      out += '}';
      break;
    case Kind::bytea:
      open(options_.binary == BinaryMode::bytes ? "bytes" : "string"), opt();
      break;
    case Kind::date:
      open("int32"), opt();
      name(options_.time == TimePrecisionMode::connect ? "org.apache.kafka.connect.data.Date"
                                                       : "io.debezium.time.Date");
      break;
    case Kind::time_millis:
      open("int32"), opt();
      name(options_.time == TimePrecisionMode::connect ? "org.apache.kafka.connect.data.Time"
                                                       : "io.debezium.time.Time");
      break;
    case Kind::time_micros:
      open("int64"), opt(), name("io.debezium.time.MicroTime");
      break;
    case Kind::timestamp_millis:
      open("int64"), opt();
      name(options_.time == TimePrecisionMode::connect ? "org.apache.kafka.connect.data.Timestamp"
                                                       : "io.debezium.time.Timestamp");
      break;
    case Kind::timestamp_micros:
      open("int64"), opt(), name("io.debezium.time.MicroTimestamp");
      break;
    case Kind::timestamptz:
      open("string"), opt(), name("io.debezium.time.ZonedTimestamp");
      break;
    case Kind::timetz:
      open("string"), opt(), name("io.debezium.time.ZonedTime");
      break;
    case Kind::interval_micros:
      open("int64"), opt(), name("io.debezium.time.MicroDuration");
      break;
    case Kind::interval_string:
      open("string"), opt(), name("io.debezium.time.Interval");
      break;
    case Kind::bits:
      open("bytes"), opt(), name("io.debezium.data.Bits");
      out += ",\"parameters\":{\"length\":\"";
      append_int(out, bits_length_);
      out += "\"}";
      break;
    case Kind::hstore_map:
      open("map");
      out +=
          ",\"keys\":{\"type\":\"string\",\"optional\":false},"
          "\"values\":{\"type\":\"string\",\"optional\":true}";
      opt();
      break;
    case Kind::point:
      open("struct");
      out +=
          ",\"fields\":[{\"type\":\"double\",\"optional\":false,\"field\":\"x\"},"
          "{\"type\":\"double\",\"optional\":false,\"field\":\"y\"},"
          "{\"type\":\"bytes\",\"optional\":true,\"field\":\"wkb\"},"
          "{\"type\":\"int32\",\"optional\":true,\"field\":\"srid\"}]";
      opt();
      name("io.debezium.data.geometry.Point");
      out += ",\"doc\":\"Geometry (POINT)\"";
      break;
    case Kind::double_vector:
      open("array");
      out += ",\"items\":{\"type\":\"double\",\"optional\":false}";
      opt(), name("io.debezium.data.DoubleVector");
      break;
    case Kind::float_vector:
      open("array");
      out += ",\"items\":{\"type\":\"float\",\"optional\":false}";
      opt(), name("io.debezium.data.FloatVector");
      break;
    case Kind::array:
      open("array");
      out += ",\"items\":";
      element_->append_schema_open(out, items_optional_);
      out += '}';
      opt();
      break;
  }
}

void ValueConverter::append_field_schema(std::string& out, std::string_view field, bool optional,
                                         const std::string* default_json) const {
  append_schema_open(out, optional);
  if (default_json) {
    out += ",\"default\":";
    out += *default_json;
  }
  out += ",\"field\":";
  json::append_string(out, field);
  out += '}';
}

// ---------------------------------------------------------------------------------------------
// Values.

bool ValueConverter::append_value(std::string& out, std::string_view text) const {
  const size_t mark = out.size();
  if (append_value_impl(out, text)) return true;
  out.resize(mark);
  return false;
}

bool ValueConverter::append_value_impl(std::string& out, std::string_view text) const {
  switch (kind_) {
    case Kind::unsupported:
      return false;

    case Kind::boolean:
      // PgOutputColumnValue.asBoolean: "t" (any case) is true, anything else false.
      out += (text.size() == 1 && (text[0] == 't' || text[0] == 'T')) ? "true" : "false";
      return true;

    case Kind::bit_bool: {
      // Integer.valueOf(bits, 2) != 0
      if (text.empty()) return false;
      bool any = false;
      for (char c : text) {
        if (c != '0' && c != '1') return false;
        any |= c == '1';
      }
      out += any ? "true" : "false";
      return true;
    }

    case Kind::int16:
    case Kind::int32:
    case Kind::int64: {
      // int2out/int4out/int8out/oidout text is already the JSON number.
      size_t i = (!text.empty() && text[0] == '-') ? 1 : 0;
      if (i == text.size() || text.size() > 20) return false;
      for (size_t k = i; k < text.size(); ++k)
        if (!is_digit(text[k])) return false;
      out.append(text);
      return true;
    }

    case Kind::float32: {
      float f;
      if (!parse_float(text, f)) return false;
      append_java_number(out, f);
      return true;
    }

    case Kind::float64: {
      double d;
      if (!parse_double(text, d)) return false;
      append_java_number(out, d);
      return true;
    }

    case Kind::decimal_fixed:
    case Kind::decimal_variable: {
      DecText d;
      if (!split_decimal(text, d)) {
        // NaN / ±Infinity cannot be a Connect Decimal (Debezium fails the task); write null.
        if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
          out += "null";
          return true;
        }
        return false;
      }
      if (kind_ == Kind::decimal_variable)
        append_variable_decimal(out, d);
      else
        append_decimal_bytes(out, d, scale_, false);
      return true;
    }

    case Kind::decimal_string: {
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

    case Kind::decimal_double: {
      double v;
      if (!parse_double(text, v)) return false;
      append_java_number(out, v);
      return true;
    }

    case Kind::money_decimal:
    case Kind::money_string:
    case Kind::money_double: {
      char buf[96];
      std::string_view plain;
      DecText d;
      if (!money_to_decimal(text, buf, sizeof buf, plain) || !split_decimal(plain, d)) return false;
      if (kind_ == Kind::money_decimal) {
        // setScale(money.fraction.digits, HALF_UP)
        append_decimal_bytes(out, d, scale_, true);
      } else if (kind_ == Kind::money_string) {
        json::append_string(out, plain);  // BigDecimal.toPlainString of the parsed text
      } else {
        double v;
        if (!parse_double(plain, v)) return false;
        append_java_number(out, v);
      }
      return true;
    }

    case Kind::string:
    case Kind::json:
    case Kind::xml:
    case Kind::uuid:
    case Kind::ltree:
    case Kind::tsvector:
    case Kind::enumeration:
      json::append_string(out, text);
      return true;

    case Kind::bytea: {
      if (text.size() < 2 || text[0] != '\\' || text[1] != 'x') return false;
      std::string_view hex = text.substr(2);
      switch (options_.binary) {
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

    case Kind::date: {
      int64_t days;
      if (text == "infinity")
        days = kInfinityDays;
      else if (text == "-infinity")
        days = kNegInfinityDays;
      else if (!parse_date(text, days))
        return false;
      append_int(out, int64_t(int32_t(uint32_t(uint64_t(days)))));  // (int) epochDay
      return true;
    }

    case Kind::time_millis:
    case Kind::time_micros: {
      Cursor c{text};
      int64_t micros;
      if (!parse_clock(c, micros) || !c.eof()) return false;
      // pgjdbc decodes time[] elements into java.sql.Time, which keeps milliseconds only.
      if (in_array_) micros -= micros % 1000;
      append_int(out, kind_ == Kind::time_millis ? micros / 1000 : micros);
      return true;
    }

    case Kind::timestamp_millis:
    case Kind::timestamp_micros: {
      int64_t micros;
      if (text == "infinity") {
        micros = kInfinityMicros;
      } else if (text == "-infinity") {
        micros = kNegInfinityMicros;
      } else {
        Stamp st;
        if (!parse_timestamp(text, st, false)) return false;
        int64_t secs = st.days * kSecondsPerDay + st.micros / kMicrosPerSecond;
        int64_t frac = st.micros % kMicrosPerSecond;
        if (kind_ == Kind::timestamp_millis) {
          append_int(out, secs * 1000 + frac / 1000);
          return true;
        }
        micros = epoch_micros(secs, frac);
      }
      append_int(out, kind_ == Kind::timestamp_millis ? floor_div(micros, 1000) : micros);
      return true;
    }

    case Kind::timestamptz: {
      if (text == "infinity" || text == "-infinity") {
        json::append_string(out, text);
        return true;
      }
      Stamp st;
      if (!parse_timestamp(text, st, true)) return false;
      // ZonedTimestamp: the column's precision as the fraction width (scale 6 when unset).
      append_zoned_timestamp(out,
                             st.days * kSecondsPerDay + st.micros / kMicrosPerSecond - st.offset,
                             st.micros % kMicrosPerSecond, precision_);
      return true;
    }

    case Kind::timetz: {
      Cursor c{text};
      int64_t micros;
      int offset = 0;
      if (!parse_clock(c, micros)) return false;
      if (!c.eof() && !parse_offset(c, offset)) return false;
      if (!c.eof()) return false;
      if (micros == kMicrosPerDay && offset == 0) {
        out += "\"24:00:00Z\"";  // PostgresTimeBoundary
        return true;
      }
      int64_t utc = micros - int64_t(offset) * kMicrosPerSecond;
      utc = ((utc % kMicrosPerDay) + kMicrosPerDay) % kMicrosPerDay;
      char buf[32];
      char* p = buf;
      *p++ = '"';
      p = put_iso_clock(p, utc, 0);
      *p++ = 'Z';
      *p++ = '"';
      out.append(buf, size_t(p - buf));
      return true;
    }

    case Kind::interval_micros:
    case Kind::interval_string: {
      // IntervalStyle=iso_8601; other styles are read as PGInterval would, as a fallback.
      IntervalParts p;
      bool ok = !text.empty() && text[0] == 'P' ? parse_iso_interval(text, p)
                                                : std::any_of(text.begin(), text.end(), is_digit) &&
                                                      parse_verbose_interval(text, p);
      if (!ok) return false;
      if (kind_ == Kind::interval_micros)
        append_int(out, micro_duration(p));
      else
        append_interval_iso(out, p);
      return true;
    }

    case Kind::bits: {
      // Bit string -> BitSet (last character is bit 0) -> toByteArray(): little-endian, as many
      // bytes as the highest set bit needs.
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
      uint32_t acc = 0;
      int have = 0;
      const char* t = kB64Std;
      for (size_t b = 0; b < nbytes; ++b) {
        unsigned byte = 0;
        for (size_t bit = 0; bit < 8; ++bit) {
          size_t idx = b * 8 + bit;
          if (idx < n && text[n - 1 - idx] == '1') byte |= 1u << bit;
        }
        acc = (acc << 8) | byte;
        if (++have == 3) {
          out += t[acc >> 18];
          out += t[(acc >> 12) & 63];
          out += t[(acc >> 6) & 63];
          out += t[acc & 63];
          acc = 0;
          have = 0;
        }
      }
      if (have == 1) {
        acc <<= 16;
        out += t[acc >> 18];
        out += t[(acc >> 12) & 63];
        out += "==";
      } else if (have == 2) {
        acc <<= 8;
        out += t[acc >> 18];
        out += t[(acc >> 12) & 63];
        out += t[(acc >> 6) & 63];
        out += '=';
      }
      out += '"';
      return true;
    }

    case Kind::hstore_json:
    case Kind::hstore_map: {
      std::vector<HstorePair> pairs;
      if (!parse_hstore(text, pairs)) return false;
      if (kind_ == Kind::hstore_map) {
        append_hstore_object(out, pairs, false);
      } else {
        std::string json_text;
        append_hstore_object(json_text, pairs, true);
        json::append_string(out, json_text);
      }
      return true;
    }

    case Kind::point: {
      // PGpoint: "(x,y)"
      std::string_view t = trim(text);
      if (t.size() < 5 || t.front() != '(' || t.back() != ')') return false;
      t = t.substr(1, t.size() - 2);
      size_t comma = t.find(',');
      if (comma == std::string_view::npos) return false;
      double x, y;
      if (!parse_double(trim(t.substr(0, comma)), x) || !parse_double(trim(t.substr(comma + 1)), y))
        return false;
      unsigned char wkb[21];
      wkb[0] = 1;
      wkb[1] = 1, wkb[2] = 0, wkb[3] = 0, wkb[4] = 0;
      uint64_t bx, by;
      std::memcpy(&bx, &x, 8);
      std::memcpy(&by, &y, 8);
      for (int k = 0; k < 8; ++k) {
        wkb[5 + k] = uint8_t(bx >> (8 * k));
        wkb[13 + k] = uint8_t(by >> (8 * k));
      }
      out += "{\"x\":";
      append_java_number(out, x);
      out += ",\"y\":";
      append_java_number(out, y);
      out += ",\"wkb\":";
      append_quoted_base64(out, std::string_view(reinterpret_cast<const char*>(wkb), 21));
      out += ",\"srid\":null}";
      return true;
    }

    case Kind::double_vector:
    case Kind::float_vector: {
      std::string_view t = trim(text);
      if (t.size() < 2 || t.front() != '[' || t.back() != ']') return false;
      t = t.substr(1, t.size() - 2);
      out += '[';
      bool first = true;
      while (true) {
        size_t comma = t.find(',');
        std::string_view item = trim(t.substr(0, comma));
        if (!first) out += ',';
        first = false;
        if (kind_ == Kind::double_vector) {
          double d;
          if (!parse_double(item, d)) return false;
          append_java_number(out, d);
        } else {
          float f;
          if (!parse_float(item, f)) return false;
          append_java_number(out, f);
        }
        if (comma == std::string_view::npos) break;
        t.remove_prefix(comma + 1);
      }
      out += ']';
      return true;
    }

    case Kind::array: {
      size_t pos = 0;
      if (!text.empty() && text[0] == '[') {  // explicit bounds: [1:3]={…}
        pos = text.find('=');
        if (pos == std::string_view::npos) return false;
        ++pos;
      }
      if (pos >= text.size() || text[pos] != '{') return false;
      if (!append_array(out, text, pos, 0)) return false;
      return pos == text.size();
    }
  }
  return false;
}

// One level of a PostgreSQL array literal starting at text[pos] == '{'; nested levels become
// nested JSON arrays.
bool ValueConverter::append_array(std::string& out, std::string_view text, size_t& pos,
                                  int depth) const {
  if (depth > 6) return false;
  thread_local std::string scratch;
  ++pos;
  out += '[';
  if (pos < text.size() && text[pos] == '}') {
    ++pos;
    out += ']';
    return true;
  }
  for (bool first = true;; first = false) {
    if (!first) out += ',';
    if (pos >= text.size()) return false;
    char c = text[pos];
    if (c == '{') {
      if (!append_array(out, text, pos, depth + 1)) return false;
    } else {
      bool quoted = c == '"';
      if (quoted) ++pos;
      size_t start = pos;
      bool escaped = false;
      while (pos < text.size()) {
        char ch = text[pos];
        if (ch == '\\') {
          escaped = true;
          pos += 2;
          continue;
        }
        if (quoted ? ch == '"' : (ch == ',' || ch == '}')) break;
        ++pos;
      }
      if (pos >= text.size()) return false;
      std::string_view item = text.substr(start, pos - start);
      if (quoted) ++pos;
      if (!quoted && !escaped && iequals(item, "NULL")) {
        out += "null";
      } else {
        if (escaped) {
          scratch.clear();
          for (size_t k = 0; k < item.size(); ++k) {
            if (item[k] == '\\' && k + 1 < item.size()) ++k;
            scratch += item[k];
          }
          item = scratch;
        }
        if (!element_->append_value_impl(out, item)) return false;
      }
    }
    if (pos >= text.size()) return false;
    if (text[pos] == ',') {
      ++pos;
      continue;
    }
    if (text[pos] == '}') {
      ++pos;
      out += ']';
      return true;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Defaults.

std::optional<std::string> ValueConverter::default_value(std::string_view expr) const {
  std::string out;
  if (!append_default_impl(out, expr)) return std::nullopt;
  return out;
}

bool ValueConverter::append_default_impl(std::string& out, std::string_view expr) const {
  // Mappers exist for a fixed set of type names only (bytea, money, char, name, citext, inet,
  // timetz, arrays, hstore, … get no default).
  const uint32_t o = type_.oid;
  std::string v;
  const bool trimmed_type = o == oid::kBit || o == oid::kVarbit || o == oid::kBool ||
                            o == oid::kNumeric || o == oid::kFloat4 || o == oid::kFloat8 ||
                            o == oid::kInt2 || o == oid::kInt4 || o == oid::kInt8 ||
                            o == oid::kUuid || o == oid::kDate || o == oid::kTime ||
                            o == oid::kTimestamp || o == oid::kTimestamptz || o == oid::kInterval;
  if (trimmed_type) expr = trim(expr);
  const bool null_default = expr.substr(0, 6) == "NULL::";

  if (kind_ == Kind::enumeration) {
    // extractEnumDefault: '<label>'::<type>, the cast naming this type.
    size_t cast = expr.rfind("::");
    if (cast == std::string_view::npos) return false;
    std::string_view suffix = expr.substr(cast + 2);
    size_t dot = suffix.rfind('.');
    if (dot != std::string_view::npos) suffix.remove_prefix(dot + 1);
    if (suffix.size() >= 2 && suffix.front() == '"' && suffix.back() == '"')
      suffix = suffix.substr(1, suffix.size() - 2);
    if (suffix != type_.name) return false;
    std::string_view lit = expr.substr(0, cast);
    if (lit.size() < 2 || lit.front() != '\'' || lit.back() != '\'') return false;
    json::append_string(out, lit.substr(1, lit.size() - 2));
    return true;
  }
  if (type_.element) return false;

  switch (o) {
    case oid::kBool:
      if (null_default || !extract_default(expr, "false", v)) return false;
      out += iequals(v, "true") ? "true" : "false";  // Boolean.parseBoolean
      return true;
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8: {
      int64_t n;
      int64_t lo = o == oid::kInt2   ? -32768
                   : o == oid::kInt4 ? int64_t(std::numeric_limits<int32_t>::min())
                                     : std::numeric_limits<int64_t>::min();
      int64_t hi = o == oid::kInt2   ? 32767
                   : o == oid::kInt4 ? int64_t(std::numeric_limits<int32_t>::max())
                                     : std::numeric_limits<int64_t>::max();
      if (null_default || !extract_default(expr, "0", v) || !java_parse_int(v, lo, hi, n))
        return false;
      append_int(out, n);
      return true;
    }
    case oid::kFloat4:
    case oid::kFloat8: {
      if (null_default || !extract_default(expr, "0.0", v)) return false;
      std::string_view t = trim(v);
      double d;
      if (t == "NaN" || t == "Infinity" || t == "-Infinity" || t == "+Infinity") {
        d = t == "NaN"    ? std::numeric_limits<double>::quiet_NaN()
            : t[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
      } else {
        if (!t.empty() &&
            (t.back() == 'f' || t.back() == 'F' || t.back() == 'd' || t.back() == 'D'))
          t.remove_suffix(1);
        if (!parse_double(t, d)) return false;
      }
      if (o == oid::kFloat4) {
        float f;
        if (std::isnan(d) || std::isinf(d) || !parse_float(t, f)) f = float(d);
        append_java_number(out, f);
      } else {
        append_java_number(out, d);
      }
      return true;
    }
    case oid::kNumeric: {
      if (null_default || !extract_default(expr, "0.0", v)) return false;
      auto parsed = decimal::parse(v);  // new BigDecimal(text); NaN and junk fail
      if (!parsed) return false;
      // Back to plain text (exponent applied) for the value converters.
      std::string plain;
      bool zero = std::all_of(parsed->digits.begin(), parsed->digits.end(),
                              [](char c) { return c == '0'; });
      if (parsed->negative && !zero) plain += '-';  // BigDecimal has no negative zero
      size_t int_len = parsed->digits.size() - size_t(parsed->scale);
      plain.append(parsed->digits, 0, int_len);
      if (int_len == 0) plain += '0';
      if (parsed->scale > 0) {
        plain += '.';
        plain.append(parsed->digits, int_len, std::string::npos);
      }
      DecText d;
      if (!split_decimal(plain, d)) return false;
      if (kind_ == Kind::decimal_variable) return false;  // a Struct default is dropped
      if (kind_ == Kind::decimal_fixed || (kind_ == Kind::decimal_string && typmod_ >= 4)) {
        // setScale(column scale) without rounding: extra non-zero digits make it fail.
        for (size_t k = size_t(scale_); k < d.frac_part.size(); ++k)
          if (d.frac_part[k] != '0') return false;
        if (kind_ == Kind::decimal_fixed) {
          append_decimal_bytes(out, d, scale_, false);
          return true;
        }
        std::string s;
        if (d.negative) s += '-';
        s.append(d.int_part.empty() ? std::string_view("0") : d.int_part);
        if (scale_ > 0) {
          s += '.';
          for (int k = 0; k < scale_; ++k)
            s += size_t(k) < d.frac_part.size() ? d.frac_part[size_t(k)] : '0';
        }
        json::append_string(out, s);
        return true;
      }
      if (kind_ == Kind::decimal_string) {
        json::append_string(out, plain);
        return true;
      }
      double dv;
      if (!parse_double(plain, dv)) return false;
      append_java_number(out, dv);
      return true;
    }
    case oid::kBpchar:
    case oid::kVarchar:
    case oid::kText:
    case oid::kXml:
      if (!extract_default(expr, "", v)) return false;
      json::append_string(out, v);
      return true;
    case oid::kJson:
    case oid::kJsonb:
      if (!extract_default(expr, "{}", v)) return false;
      json::append_string(out, v);
      return true;
    case oid::kUuid: {
      if (!extract_default(expr, "00000000-0000-0000-0000-000000000000", v)) return false;
      if (v.size() != 36) return false;
      for (size_t k = 0; k < 36; ++k) {
        bool dash = k == 8 || k == 13 || k == 18 || k == 23;
        if (dash ? v[k] != '-' : hex_value(v[k]) < 0) return false;
        if (v[k] >= 'A' && v[k] <= 'F') v[k] = char(v[k] - 'A' + 'a');
      }
      json::append_string(out, v);
      return true;
    }
    case oid::kBit:
    case oid::kVarbit: {
      if (!extract_default(expr, o == oid::kBit ? "00" : "0", v)) return false;
      if (o == oid::kBit && v.size() == 1 && kind_ == Kind::bits) {
        // The "bit" mapper turns one-character defaults into a Boolean: one byte 1 or 0.
        out += v == "1" ? "\"AQ==\"" : "\"AA==\"";
        return true;
      }
      return append_value_impl(out, v);
    }
    case oid::kDate: {
      if (!extract_default(expr, "1970-01-01", v)) return false;
      int64_t days;
      if (v == "infinity" || v == "-infinity") {
        // LocalDateTime.MAX / MIN through (int) toEpochDay()
        days = v == "infinity" ? 365241780471LL : -365243219162LL;
      } else {
        Stamp st;
        if (!parse_timestamp(v, st, true)) return false;
        days = st.days;
      }
      append_int(out, int64_t(int32_t(uint32_t(uint64_t(days)))));
      return true;
    }
    case oid::kTime: {
      if (!extract_default(expr, "00:00", v)) return false;
      int64_t micros;
      if (v == "24:00:00") {
        micros = kMicrosPerDay - 1;  // LocalTime.MAX, floored
      } else {
        Cursor c{v};
        if (!parse_clock(c, micros) || !c.eof() || micros >= kMicrosPerDay) return false;
      }
      append_int(out, kind_ == Kind::time_millis ? micros / 1000 : micros);
      return true;
    }
    case oid::kTimestamp:
    case oid::kTimestamptz: {
      if (!extract_default(expr, "1970-01-01", v)) return false;
      Stamp st;
      if (!parse_timestamp(v, st, true)) return false;  // ±infinity has no usable default
      if (o == oid::kTimestamp) {
        // TimestampUtils.toOffsetDateTime, then the local date-time of that value.
        int64_t secs = st.days * kSecondsPerDay + st.micros / kMicrosPerSecond;
        int64_t frac = st.micros % kMicrosPerSecond;
        append_int(out, kind_ == Kind::timestamp_millis ? secs * 1000 + frac / 1000
                                                        : epoch_micros(secs, frac));
        return true;
      }
      append_zoned_timestamp(out,
                             st.days * kSecondsPerDay + st.micros / kMicrosPerSecond - st.offset,
                             st.micros % kMicrosPerSecond, precision_);
      return true;
    }
    case oid::kInterval: {
      if (!extract_default(expr, "epoch", v)) return false;
      IntervalParts p;
      if (!(v.size() > 0 && v[0] == 'P' ? parse_iso_interval(v, p) : parse_verbose_interval(v, p)))
        return false;
      if (kind_ == Kind::interval_micros)
        append_int(out, micro_duration(p));
      else
        append_interval_iso(out, p);
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Unchanged TOAST values (UnchangedToastedPlaceholder).

void ValueConverter::append_unavailable(std::string& out, std::string_view placeholder) const {
  switch (kind_) {
    case Kind::bytea:
      switch (options_.binary) {
        case BinaryMode::bytes:
          append_quoted_base64(out, placeholder);
          return;
        case BinaryMode::hex:
          json::append_string(out, placeholder);
          return;
        default:
          // convertBinaryToBase64 has no case for the marker and delivers null.
          out += "null";
          return;
      }
    case Kind::hstore_json:
    case Kind::hstore_map: {
      std::string obj = "{";
      (kind_ == Kind::hstore_json ? append_jackson_string : json::append_string)(obj, placeholder);
      obj += ':';
      (kind_ == Kind::hstore_json ? append_jackson_string : json::append_string)(obj, placeholder);
      obj += '}';
      if (kind_ == Kind::hstore_json)
        json::append_string(out, obj);
      else
        out += obj;
      return;
    }
    case Kind::array: {
      const uint32_t e = type_.element->oid;
      if (e == oid::kText || e == oid::kVarchar || e == oid::kBpchar || e == oid::kJson ||
          e == oid::kJsonb) {
        out += '[';
        json::append_string(out, placeholder);
        out += ']';
        return;
      }
      if (e == oid::kBytea) {
        out += '[';
        switch (options_.binary) {
          case BinaryMode::bytes:
          case BinaryMode::base64:
            append_quoted_base64(out, placeholder);
            break;
          case BinaryMode::base64_url_safe:
            append_quoted_base64(out, placeholder, true);
            break;
          case BinaryMode::hex:
            append_quoted_hex(out, placeholder);
            break;
        }
        out += ']';
        return;
      }
      if (e == oid::kInt4 || e == oid::kDate || e == oid::kInt8) {
        out += '[';
        for (size_t i = 0; i < placeholder.size(); ++i) {
          if (i) out += ',';
          append_int(out, int64_t(int8_t(placeholder[i])));  // Java bytes are signed
        }
        out += ']';
        return;
      }
      if (e == oid::kUuid) {
        out += '[';
        json::append_string(out, name_uuid_from_bytes(placeholder));
        out += ']';
        return;
      }
      json::append_string(out, placeholder);
      return;
    }
    default:
      json::append_string(out, placeholder);
      return;
  }
}

}  // namespace sluice::cdc
