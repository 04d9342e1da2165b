// PostgreSQL log sequence numbers: 64-bit WAL positions written as "X/X".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

using Lsn = uint64_t;

std::string format_lsn(Lsn lsn);
std::optional<Lsn> parse_lsn(std::string_view text);

}  // namespace sluice
