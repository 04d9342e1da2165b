#include "cdc/convert/pg_interval_text.h"

#include <cmath>
#include <vector>

#include "cdc/convert/java_number.h"
#include "cdc/convert/pg_time_text.h"
#include "cdc/convert/text_scan.h"
#include "core/json_writer.h"

namespace sluice::cdc::convert {
namespace {

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
  json::append_int(out, p.years);
  out += 'Y';
  json::append_int(out, p.months);
  out += 'M';
  json::append_int(out, p.days);
  out += "DT";
  json::append_int(out, p.hours);
  out += 'H';
  json::append_int(out, p.minutes);
  out += 'M';
  append_plain_stripped(out, interval_seconds(p));
  out += "S\"";
}

}  // namespace

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
  for (size_t k = 0; k < tokens.size(); ++k) {
    std::string_view tok = tokens[k];
    if (k % 2 == 0) {
      // A number for the unit that follows, or an hh:mm[:ss] clock.
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
      }
    }
  }
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

void append_interval(std::string& out, const IntervalParts& p, bool micros) {
  if (micros)
    json::append_int(out, micro_duration(p));
  else
    append_interval_iso(out, p);
}

}  // namespace sluice::cdc::convert
