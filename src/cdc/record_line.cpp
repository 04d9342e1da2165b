#include "cdc/record_line.h"

#include <fmt/format.h>

#include <cstring>

namespace sluice::cdc {

namespace {

constexpr std::string_view kTopic = "{\"topic\":";
constexpr std::string_view kPartition = ",\"partition\":";
constexpr std::string_view kKey = ",\"key\":";
constexpr std::string_view kValue = ",\"value\":";
constexpr std::string_view kHeaders = ",\"headers\":";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool read_hex4(std::string_view s, size_t i, uint32_t& out) {
  if (i + 4 > s.size()) return false;
  out = 0;
  for (size_t k = 0; k < 4; ++k) {
    int d = hex_digit(s[i + k]);
    if (d < 0) return false;
    out = out << 4 | uint32_t(d);
  }
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | cp >> 6);
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3f));
    out += char(0x80 | (cp >> 6 & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

// The index of the closing quote of the string whose opening quote is at s[i], or npos.
size_t string_end(std::string_view s, size_t i) {
  for (size_t j = i + 1; j < s.size();) {
    const void* q = std::memchr(s.data() + j, '"', s.size() - j);
    if (!q) return std::string_view::npos;
    size_t at = size_t(static_cast<const char*>(q) - s.data());
    size_t backslashes = 0;
    while (at - backslashes > i + 1 && s[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at;
    j = at + 1;
  }
  return std::string_view::npos;
}

}  // namespace

bool json_unescape(std::string_view body, std::string& out) {
  out.clear();
  size_t run = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') continue;
    out.append(body.data() + run, i - run);
    if (++i >= body.size()) return false;
    switch (body[i]) {
      case '"':
      case '\\':
      case '/':
        out += body[i];
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!read_hex4(body, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && i + 2 < body.size() && body[i + 1] == '\\' &&
            body[i + 2] == 'u') {
          uint32_t low = 0;
          if (read_hex4(body, i + 3, low) && low >= 0xdc00 && low < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            i += 6;
          }
        }
        append_utf8(out, cp);
        break;
      }
      default:
        return false;
    }
    run = i + 1;
  }
  out.append(body.data() + run, body.size() - run);
  return true;
}

size_t json_skip_value(std::string_view s, size_t i) {
  constexpr size_t npos = std::string_view::npos;
  if (i >= s.size()) return npos;
  char c = s[i];
  if (c == '"') {
    size_t e = string_end(s, i);
    return e == npos ? npos : e + 1;
  }
  if (c == '{' || c == '[') {
    int depth = 0;
    for (size_t j = i; j < s.size(); ++j) {
      char d = s[j];
      if (d == '"') {
        j = string_end(s, j);
        if (j == npos) return npos;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if (d == '}' || d == ']') {
        if (--depth == 0) return j + 1;
      }
    }
    return npos;
  }
  size_t j = i;
  while (j < s.size() && std::strchr(",}] \t\r\n", s[j]) == nullptr) ++j;
  return j == i ? npos : j;
}

bool RecordLineParser::fail(std::string_view why, size_t at) {
  error_ = fmt::format("malformed record line: {} at byte {}", why, at);
  return false;
}

bool RecordLineParser::parse(std::string_view line, RecordLine& out) {
  constexpr size_t npos = std::string_view::npos;
  out.headers.clear();
  if (!line.starts_with(kTopic) || line.size() <= kTopic.size() || line[kTopic.size()] != '"')
    return fail("no {\"topic\": at the start", 0);
  size_t t0 = kTopic.size();
  size_t t1 = string_end(line, t0);
  if (t1 == npos) return fail("unterminated topic", t0);
  std::string_view topic = line.substr(t0 + 1, t1 - t0 - 1);
  if (topic.find('\\') != npos) {
    if (!json_unescape(topic, topic_scratch_)) return fail("bad escape in topic", t0);
    topic = topic_scratch_;
  }
  out.topic = topic;
  size_t i = t1 + 1;
  if (line.substr(i).starts_with(kPartition)) {
    i += kPartition.size();
    size_t e = json_skip_value(line, i);
    if (e == npos) return fail("bad partition", i);
    i = e;
  }
  if (!line.substr(i).starts_with(kKey)) return fail("no \"key\"", i);
  i += kKey.size();
  size_t key_end = json_skip_value(line, i);
  if (key_end == npos) return fail("bad key JSON", i);
  std::string_view key = line.substr(i, key_end - i);
  out.key = key == "null" ? std::nullopt : std::optional<std::string_view>(key);
  i = key_end;
  if (!line.substr(i).starts_with(kValue)) return fail("no \"value\" after the key", i);
  i += kValue.size();
  // The value is the bulk of the line: rather than walking it, find the headers after it. No
  // ,"headers": can follow inside them (names and values are strings, whose quotes are escaped),
  // so the last one is the real one.
  size_t h = line.rfind(kHeaders);
  if (h == npos || h < i) return fail("no \"headers\" after the value", i);
  std::string_view value = line.substr(i, h - i);
  if (value.empty()) return fail("empty value", i);
  char first = value.front(), last = value.back();
  if ((first == '{' && last != '}') || (first == '[' && last != ']') ||
      (first == '"' && (last != '"' || value.size() < 2)))
    return fail("value JSON is cut short", i);
  out.value = value == "null" ? std::nullopt : std::optional<std::string_view>(value);

  // "headers":{"name":<JSON>,...}}
  i = h + kHeaders.size();
  if (i >= line.size() || line[i] != '{') return fail("headers are not an object", i);
  ++i;
  size_t n = 0;
  while (i < line.size() && line[i] != '}') {
    if (n > 0) {
      if (line[i] != ',') return fail("expected , between headers", i);
      ++i;
    }
    if (i >= line.size() || line[i] != '"') return fail("header name is not a string", i);
    size_t ne = string_end(line, i);
    if (ne == npos || ne + 1 >= line.size() || line[ne + 1] != ':')
      return fail("bad header name", i);
    size_t v0 = ne + 2;
    size_t ve = json_skip_value(line, v0);
    if (ve == npos) return fail("bad header value", v0);
    if (header_scratch_.size() < 2 * (n + 1)) header_scratch_.resize(2 * (n + 1));
    std::string& name = header_scratch_[2 * n];
    std::string& val = header_scratch_[2 * n + 1];
    if (!json_unescape(line.substr(i + 1, ne - i - 1), name))
      return fail("bad escape in header name", i);
    std::string_view raw = line.substr(v0, ve - v0);
    if (header_null_.size() < n + 1) header_null_.resize(n + 1);
    header_null_[n] = raw == "null";
    if (raw.front() == '"') {
      if (!json_unescape(raw.substr(1, raw.size() - 2), val))
        return fail("bad escape in header value", v0);
    } else {
      val.assign(raw);
    }
    ++n;
    i = ve;
  }
  if (line.substr(i) != "}}") return fail("expected }} at the end", i);
  // Views are taken once the scratch strings are in place (a resize moves them).
  for (size_t k = 0; k < n; ++k) {
    std::optional<std::string_view> v;
    if (!header_null_[k]) v = header_scratch_[2 * k + 1];
    out.headers.push_back({header_scratch_[2 * k], v});
  }
  return true;
}

}  // namespace sluice::cdc
