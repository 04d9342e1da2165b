// ValueConverter::default_value: column defaults as PostgresDefaultValueConverter extracts them
// from pg_get_expr text and converts them to the schema's "default".
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "cdc/convert/java_number.h"
#include "cdc/convert/pg_interval_text.h"
#include "cdc/convert/pg_numeric_text.h"
#include "cdc/convert/pg_time_text.h"
#include "cdc/convert/text_scan.h"
#include "cdc/convert/value_kind.h"
#include "core/decimal.h"
#include "core/json_writer.h"

namespace sluice::cdc {
namespace {

namespace oid = pg::oid;
using convert::iequals;
using convert::is_digit;

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
  if (!convert::parse_int64(t, v)) return false;
  return v >= lo && v <= hi;
}

// extractEnumDefault: '<label>'::<type>, the cast naming this type.
bool append_enum_default(std::string& out, std::string_view expr, std::string_view type_name) {
  size_t cast = expr.rfind("::");
  if (cast == std::string_view::npos) return false;
  std::string_view suffix = expr.substr(cast + 2);
  size_t dot = suffix.rfind('.');
  if (dot != std::string_view::npos) suffix.remove_prefix(dot + 1);
  if (suffix.size() >= 2 && suffix.front() == '"' && suffix.back() == '"')
    suffix = suffix.substr(1, suffix.size() - 2);
  if (suffix != type_name) return false;
  std::string_view lit = expr.substr(0, cast);
  if (lit.size() < 2 || lit.front() != '\'' || lit.back() != '\'') return false;
  json::append_string(out, lit.substr(1, lit.size() - 2));
  return true;
}

// new BigDecimal(text) back to plain text (exponent applied); NaN and junk fail.
bool bigdecimal_plain(std::string_view v, std::string& plain) {
  auto parsed = decimal::parse(v);
  if (!parsed) return false;
  // An exponent can leave fewer digits than the scale ("1e-5"): add the leading zeros.
  if (size_t(parsed->scale) > parsed->digits.size())
    parsed->digits.insert(0, size_t(parsed->scale) - parsed->digits.size(), '0');
  bool zero =
      std::all_of(parsed->digits.begin(), parsed->digits.end(), [](char c) { return c == '0'; });
  if (parsed->negative && !zero) plain += '-';  // BigDecimal has no negative zero
  size_t int_len = parsed->digits.size() - size_t(parsed->scale);
  plain.append(parsed->digits, 0, int_len);
  if (int_len == 0) plain += '0';
  if (parsed->scale > 0) {
    plain += '.';
    plain.append(parsed->digits, int_len, std::string::npos);
  }
  return true;
}

// d at exactly `scale` fraction digits, as BigDecimal.setScale(scale).toPlainString().
std::string plain_at_scale(const convert::DecText& d, int scale) {
  std::string s;
  if (d.negative) s += '-';
  s.append(d.int_part.empty() ? std::string_view("0") : d.int_part);
  if (scale > 0) {
    s += '.';
    for (int k = 0; k < scale; ++k)
      s += size_t(k) < d.frac_part.size() ? d.frac_part[size_t(k)] : '0';
  }
  return s;
}

}  // namespace

std::optional<std::string> ValueConverter::default_value(std::string_view expr) const {
  std::string out;
  if (!append_default_impl(out, expr)) return std::nullopt;
  return out;
}

bool ValueConverter::append_default_impl(std::string& out, std::string_view expr) const {
  // Mappers exist for a fixed set of type names only (bytea, money, char, name, citext, inet,
  // timetz, arrays, hstore, types without a Debezium mapping, … get no default).
  const uint32_t o = type_.oid;
  std::string v;
  const bool trimmed_type = o == oid::kBit || o == oid::kVarbit || o == oid::kBool ||
                            o == oid::kNumeric || o == oid::kFloat4 || o == oid::kFloat8 ||
                            o == oid::kInt2 || o == oid::kInt4 || o == oid::kInt8 ||
                            o == oid::kUuid || o == oid::kDate || o == oid::kTime ||
                            o == oid::kTimestamp || o == oid::kTimestamptz || o == oid::kInterval;
  if (trimmed_type) expr = convert::trim(expr);
  const bool null_default = expr.substr(0, 6) == "NULL::";

  if (kind_ == Kind::enumeration) return append_enum_default(out, expr, type_.name);
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
      json::append_int(out, n);
      return true;
    }
    case oid::kFloat4:
    case oid::kFloat8: {
      if (null_default || !extract_default(expr, "0.0", v)) return false;
      std::string_view t = convert::trim(v);
      double d;
      if (t == "NaN" || t == "Infinity" || t == "-Infinity" || t == "+Infinity") {
        d = t == "NaN"    ? std::numeric_limits<double>::quiet_NaN()
            : t[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
      } else {
        // Java's parseDouble accepts a trailing type suffix.
        if (!t.empty() &&
            (t.back() == 'f' || t.back() == 'F' || t.back() == 'd' || t.back() == 'D'))
          t.remove_suffix(1);
        if (!convert::parse_double(t, d)) return false;
      }
      if (o == oid::kFloat4) {
        float f;
        if (std::isnan(d) || std::isinf(d) || !convert::parse_float(t, f)) f = float(d);
        convert::append_java_number(out, f);
      } else {
        convert::append_java_number(out, d);
      }
      return true;
    }
    case oid::kNumeric: {
      if (null_default || !extract_default(expr, "0.0", v)) return false;
      std::string plain;
      convert::DecText d;
      if (!bigdecimal_plain(v, plain) || !convert::split_decimal(plain, d)) return false;
      if (kind_ == Kind::decimal_variable) return false;  // a Struct default is dropped
      if (kind_ == Kind::decimal_fixed || (kind_ == Kind::decimal_string && typmod_ >= 4)) {
        // setScale(column scale) without rounding: extra non-zero digits make it fail.
        for (size_t k = size_t(scale_); k < d.frac_part.size(); ++k)
          if (d.frac_part[k] != '0') return false;
        if (kind_ == Kind::decimal_fixed)
          convert::append_decimal_bytes(out, d, scale_, false);
        else
          json::append_string(out, plain_at_scale(d, scale_));
        return true;
      }
      if (kind_ == Kind::decimal_string) {
        json::append_string(out, plain);
        return true;
      }
      double dv;
      if (!convert::parse_double(plain, dv)) return false;
      convert::append_java_number(out, dv);
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
        if (dash ? v[k] != '-' : convert::hex_value(v[k]) < 0) return false;
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
        convert::Stamp st;
        if (!convert::parse_timestamp(v, st, true)) return false;
        days = st.days;
      }
      convert::append_epoch_day(out, days);
      return true;
    }
    case oid::kTime: {
      if (!extract_default(expr, "00:00", v)) return false;
      int64_t micros;
      if (v == "24:00:00") {
        micros = convert::kMicrosPerDay - 1;  // LocalTime.MAX, floored
      } else if (!convert::parse_time_of_day(v, micros) || micros >= convert::kMicrosPerDay) {
        return false;
      }
      json::append_int(out, kind_ == Kind::time_millis ? micros / 1000 : micros);
      return true;
    }
    case oid::kTimestamp:
    case oid::kTimestamptz: {
      if (!extract_default(expr, "1970-01-01", v)) return false;
      convert::Stamp st;
      if (!convert::parse_timestamp(v, st, true)) return false;  // ±infinity has no default
      if (o == oid::kTimestamp)  // TimestampUtils.toOffsetDateTime, then its local date-time
        convert::append_local_timestamp(out, st, kind_ == Kind::timestamp_millis);
      else
        convert::append_zoned_timestamp(out, st, precision_);
      return true;
    }
    case oid::kInterval: {
      if (!extract_default(expr, "epoch", v)) return false;
      convert::IntervalParts p;
      bool iso = !v.empty() && v[0] == 'P';
      if (!(iso ? convert::parse_iso_interval(v, p) : convert::parse_verbose_interval(v, p)))
        return false;
      convert::append_interval(out, p, kind_ == Kind::interval_micros);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace sluice::cdc
