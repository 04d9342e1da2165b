#include "core/lsn.h"

#include <fmt/format.h>

#include <charconv>

namespace sluice {

std::string format_lsn(Lsn lsn) {
  return fmt::format("{:X}/{:X}", uint32_t(lsn >> 32), uint32_t(lsn));
}

std::optional<Lsn> parse_lsn(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  uint32_t hi = 0, lo = 0;
  auto a = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || slash == 0 || slash + 1 == text.size())
    return std::nullopt;
  return (uint64_t(hi) << 32) | lo;
}

}  // namespace sluice
