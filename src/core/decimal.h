// Arbitrary-precision decimals as Kafka Connect carries them: the unscaled value as a big-endian
// two's-complement byte string of minimal length (java.math.BigInteger#toByteArray).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace sluice::decimal {

struct Parsed {
  bool negative = false;
  std::string digits;  // all digits, integer part then fraction, no sign or point
  int scale = 0;       // number of fraction digits
};

// Parses PostgreSQL's numeric text ("-12.340", "7", "1.5e3" is not produced by numeric_out).
// Returns nullopt for NaN, infinities and malformed text.
std::optional<Parsed> parse(std::string_view text);

// Unscaled bytes of the value rescaled to `scale` (pads zeros or truncates extra digits).
std::string unscaled_bytes(const Parsed& value, int scale);

}  // namespace sluice::decimal
