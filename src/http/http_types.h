// What an HTTP handler sees and returns. Independent of the networking library, so handlers
// compile without Beast's headers (only http_server.cpp includes them).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::http {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // as sent: path and query
  std::string path;    // decoded, without the query
  std::map<std::string, std::string>
      query;  // decoded; a repeated key keeps its values joined by ','
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(std::string_view name) const;  // lower-case name; "" when absent
  std::string param(std::string_view name, std::string_view fallback = "") const;  // from query
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Location, …)
};

// Kafka Connect's error body: {"error_code":status,"message":message}.
Response json_error(int status, std::string_view message);
Response json_body(int status, std::string body);
Response no_content(int status);  // 202/204 with an empty body

// %XX escapes; "+" is a space only in query strings.
std::string url_decode(std::string_view s, bool plus_is_space = false);

}  // namespace sluice::http
