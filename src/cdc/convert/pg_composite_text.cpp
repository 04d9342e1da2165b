#include "cdc/convert/pg_composite_text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cdc/convert/java_number.h"
#include "cdc/convert/pg_bytes_text.h"
#include "cdc/convert/text_scan.h"
#include "core/json_writer.h"

namespace sluice::cdc::convert {
namespace {

// One level of an array literal starting at text[pos] == '{'.
bool append_array_level(std::string& out, std::string_view text, size_t& pos, int depth,
                        const ElementWriter& element) {
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
      if (!append_array_level(out, text, pos, depth + 1, element)) return false;
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
        if (!element(out, item)) return false;
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
    // Java strings hash UTF-16 code units.
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
      json::append_string(out, p.key);
    else
      json::append_string(out, p.key);
    out += ':';
    if (p.null)
      out += "null";
    else if (jackson)
      json::append_string(out, p.value);
    else
      json::append_string(out, p.value);
  }
  out += '}';
}

}  // namespace

bool append_array_literal(std::string& out, std::string_view text, const ElementWriter& element) {
  size_t pos = 0;
  if (!text.empty() && text[0] == '[') {  // explicit bounds: [1:3]={…}
    pos = text.find('=');
    if (pos == std::string_view::npos) return false;
    ++pos;
  }
  if (pos >= text.size() || text[pos] != '{') return false;
  if (!append_array_level(out, text, pos, 0, element)) return false;
  return pos == text.size();
}

bool append_hstore(std::string& out, std::string_view text, bool as_map) {
  std::vector<HstorePair> pairs;
  if (!parse_hstore(text, pairs)) return false;
  if (as_map) {
    append_hstore_object(out, pairs, false);
  } else {
    std::string json_text;
    append_hstore_object(json_text, pairs, true);
    json::append_string(out, json_text);
  }
  return true;
}

bool append_point(std::string& out, std::string_view text) {
  std::string_view t = trim(text);
  if (t.size() < 5 || t.front() != '(' || t.back() != ')') return false;
  t = t.substr(1, t.size() - 2);
  size_t comma = t.find(',');
  if (comma == std::string_view::npos) return false;
  double x, y;
  if (!parse_double(trim(t.substr(0, comma)), x) || !parse_double(trim(t.substr(comma + 1)), y))
    return false;
  // WKB: little-endian byte order, type 1 (Point), then x and y.
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

bool append_vector(std::string& out, std::string_view text, bool single_precision) {
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
    if (single_precision) {
      float f;
      if (!parse_float(item, f)) return false;
      append_java_number(out, f);
    } else {
      double d;
      if (!parse_double(item, d)) return false;
      append_java_number(out, d);
    }
    if (comma == std::string_view::npos) break;
    t.remove_prefix(comma + 1);
  }
  out += ']';
  return true;
}

}  // namespace sluice::cdc::convert
