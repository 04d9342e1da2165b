// "HOST:PORT" as the listeners take it ("[::1]:9092" for IPv6; an empty host is 127.0.0.1).
#pragma once
#include <cstdint>
#include <string>
#include <utility>

namespace sluice {

// Throws std::invalid_argument naming what is wrong.
std::pair<std::string, uint16_t> parse_host_port(const std::string& s);

}  // namespace sluice
