#include "http/console.h"

#include <fmt/format.h>

#include <string_view>

#include "http/console_files.h"

namespace sluice::http {

namespace {

std::string_view content_type(std::string_view path) {
  struct Type {
    std::string_view ext, type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& t : kTypes)
    if (path.size() >= t.ext.size() && path.substr(path.size() - t.ext.size()) == t.ext)
      return t.type;
  return "application/octet-stream";
}

Response serve(std::string_view path) {
  for (const auto& f : console_files()) {
    if (f.path != path) continue;
    Response r;
    r.content_type = std::string(content_type(path));
    r.body = std::string(f.data);
    r.headers = {{"Cache-Control", "no-cache"}, {"X-Content-Type-Options", "nosniff"}};
    return r;
  }
  return json_error(404, fmt::format("No console file {}", path));
}

}  // namespace

void add_console_routes(Router& router) {
  router.add("GET", "/ui", [](const Request&, const Params&) { return console_index(); });
  router.add("GET", "/ui/{}",
             [](const Request&, const Params& params) { return serve("/" + params[0]); });
}

bool wants_html(const Request& req) {
  return req.header("accept").find("text/html") != std::string::npos;
}

Response console_index() { return serve("/index.html"); }

}  // namespace sluice::http
