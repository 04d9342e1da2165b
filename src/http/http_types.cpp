#include "http/http_types.h"

#include "core/json_writer.h"

namespace sluice::http {

std::string Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::string Request::param(std::string_view name, std::string_view fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? std::string(fallback) : it->second;
}

Response json_error(int status, std::string_view message) {
  std::string body = "{\"error_code\":";
  json::append_int(body, status);
  body += ",\"message\":";
  json::append_string(body, message);
  body += '}';
  return json_body(status, std::move(body));
}

Response json_body(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response no_content(int status) {
  Response r;
  r.status = status;
  r.content_type.clear();
  return r;
}

std::string url_decode(std::string_view s, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += char(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i] == '+' && plus_is_space ? ' ' : s[i];
  }
  return out;
}

}  // namespace sluice::http
