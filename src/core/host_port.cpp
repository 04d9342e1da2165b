#include "core/host_port.h"

#include <fmt/format.h>

#include <stdexcept>

namespace sluice {

std::pair<std::string, uint16_t> parse_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos)
    throw std::invalid_argument(fmt::format("'{}' is not HOST:PORT", s));
  std::string host = s.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    size_t used = 0;
    port = std::stoi(s.substr(colon + 1), &used);
    if (used != s.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
  }
  if (port < 0 || port > 65535)
    throw std::invalid_argument(fmt::format("'{}' has no valid port", s));
  return {host.empty() ? "127.0.0.1" : host, uint16_t(port)};
}

}  // namespace sluice
