#include "http/router.h"

#include <fmt/format.h>

#include <exception>

namespace sluice::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  routes_.push_back({std::move(method), split_path(pattern), std::move(handler)});
}

Response Router::handle(const Request& req) const {
  // Match on the raw path so an encoded '/' inside a name stays inside its segment.
  std::string raw = req.target.substr(0, req.target.find('?'));
  std::vector<std::string> segs = split_path(raw);
  bool path_known = false;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    Params params;
    bool match = true;
    for (size_t i = 0; i < segs.size() && match; ++i) {
      if (r.segments[i] == "{}")
        params.push_back(url_decode(segs[i]));
      else
        match = r.segments[i] == segs[i];
    }
    if (!match) continue;
    path_known = true;
    if (r.method != req.method) continue;
    try {
      return r.handler(req, params);
    } catch (const std::exception& e) {
      return json_error(500, e.what());
    }
  }
  if (path_known) return json_error(405, fmt::format("HTTP {} is not allowed here", req.method));
  return json_error(404, fmt::format("Unknown path {}", req.path));
}

}  // namespace sluice::http
