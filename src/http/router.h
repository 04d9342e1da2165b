// Maps method + path pattern to a handler. Patterns are literal segments and "{}" for one
// segment, e.g. "/connectors/{}/status"; the matched segments (URL-decoded) are passed in
// order. An unknown path is 404, a known path with another method 405, both with Kafka
// Connect's error body. Handlers run on the connection's thread and must be thread-safe.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "http/http_types.h"

namespace sluice::http {

using Params = std::vector<std::string>;
using Handler = std::function<Response(const Request&, const Params&)>;

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  // Runs the matching handler; an exception from it becomes a 500 with its message.
  Response handle(const Request& req) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{}" matches any one segment
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace sluice::http
