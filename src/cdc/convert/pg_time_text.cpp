#include "cdc/convert/pg_time_text.h"

#include <cstring>
#include <limits>

#include "cdc/convert/text_scan.h"
#include "core/json_writer.h"

namespace sluice::cdc::convert {
namespace {

// PGStatement.DATE_POSITIVE_INFINITY / DATE_NEGATIVE_INFINITY read as microseconds: what Debezium
// writes for ±infinity timestamps (MicroTimestamp); Timestamp (millis) gets these / 1000 floored.
constexpr int64_t kInfinityMicros = 9223372036825200000LL;
constexpr int64_t kNegInfinityMicros = -9223372036832400000LL;
// Debezium maps date 'infinity' to LocalDate -5877611-06-21 and '-infinity' to -5877611-06-22.
constexpr int64_t kInfinityDays = -2147472693LL;
constexpr int64_t kNegInfinityDays = -2147472692LL;

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

// Reads [.ffffff] after the seconds into microseconds; digits past the sixth are dropped.
bool parse_fraction(Cursor& c, int64_t& frac) {
  frac = 0;
  if (!c.eat('.')) return true;
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
  return true;
}

// HH:MM:SS[.ffffff] (hour may be 24).
bool parse_clock(Cursor& c, int64_t& micros) {
  int64_t h, m, s;
  if (!c.number(h, 1, 2) || !c.eat(':') || !c.number(m, 2, 2)) return false;
  s = 0;
  if (c.eat(':') && !c.number(s, 2, 2)) return false;
  int64_t frac;
  if (!parse_fraction(c, frac)) return false;
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

}  // namespace

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
    c.i = 19;
    int64_t frac;
    if (!parse_fraction(c, frac)) return false;
    st.micros = ((h * 60 + mi) * 60 + sec) * kMicrosPerSecond + frac;
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

bool parse_time_of_day(std::string_view t, int64_t& micros) {
  Cursor c{t};
  return parse_clock(c, micros) && c.eof();
}

void append_epoch_day(std::string& out, int64_t days) {
  json::append_int(out, int64_t(int32_t(uint32_t(uint64_t(days)))));
}

void append_local_timestamp(std::string& out, const Stamp& st, bool millis) {
  int64_t secs = st.days * kSecondsPerDay + st.micros / kMicrosPerSecond;
  int64_t frac = st.micros % kMicrosPerSecond;
  json::append_int(out, millis ? secs * 1000 + frac / 1000 : epoch_micros(secs, frac));
}

void append_zoned_timestamp(std::string& out, const Stamp& st, int precision) {
  int64_t secs = st.days * kSecondsPerDay + st.micros / kMicrosPerSecond - st.offset;
  int64_t frac = st.micros % kMicrosPerSecond;
  char buf[64];
  char* p = buf;
  *p++ = '"';
  int64_t day = floor_div(secs, kSecondsPerDay);
  p = put_iso_date(p, day);
  *p++ = 'T';
  p = put_iso_clock(p, (secs - day * kSecondsPerDay) * kMicrosPerSecond + frac, precision);
  *p++ = 'Z';
  *p++ = '"';
  out.append(buf, size_t(p - buf));
}

bool append_date(std::string& out, std::string_view text) {
  int64_t days;
  if (text == "infinity")
    days = kInfinityDays;
  else if (text == "-infinity")
    days = kNegInfinityDays;
  else if (!parse_date(text, days))
    return false;
  append_epoch_day(out, days);
  return true;
}

bool append_time(std::string& out, std::string_view text, bool millis, bool java_sql_time) {
  int64_t micros;
  if (!parse_time_of_day(text, micros)) return false;
  if (java_sql_time) micros -= micros % 1000;
  json::append_int(out, millis ? micros / 1000 : micros);
  return true;
}

bool append_timestamp(std::string& out, std::string_view text, bool millis) {
  int64_t micros;
  if (text == "infinity") {
    micros = kInfinityMicros;
  } else if (text == "-infinity") {
    micros = kNegInfinityMicros;
  } else {
    Stamp st;
    if (!parse_timestamp(text, st, false)) return false;
    append_local_timestamp(out, st, millis);
    return true;
  }
  json::append_int(out, millis ? floor_div(micros, 1000) : micros);
  return true;
}

bool append_timestamptz(std::string& out, std::string_view text, int precision) {
  if (text == "infinity" || text == "-infinity") {
    json::append_string(out, text);
    return true;
  }
  Stamp st;
  if (!parse_timestamp(text, st, true)) return false;
  append_zoned_timestamp(out, st, precision);
  return true;
}

bool append_timetz(std::string& out, std::string_view text) {
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
  // ZonedTime: the time moved to UTC, wrapped into the day.
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

}  // namespace sluice::cdc::convert
