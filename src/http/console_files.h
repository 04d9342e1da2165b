// The web console's files (the console/ folder), compiled into the binary at build time.
#pragma once
#include <string_view>
#include <vector>

namespace sluice::http {

struct EmbeddedFile {
  std::string_view path;  // "/index.html", "/app.js", …
  std::string_view data;
};

const std::vector<EmbeddedFile>& console_files();

}  // namespace sluice::http
