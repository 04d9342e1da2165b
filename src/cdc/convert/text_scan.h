// Small readers of PostgreSQL's text output shared by the value converters.
#pragma once
#include <cstdint>
#include <string_view>

namespace sluice::cdc::convert {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

// s without leading and trailing whitespace.
std::string_view trim(std::string_view s);

// The value of one hex digit, or -1.
int hex_value(char c);

// float4out/float8out text ("1.5", "-1e+300", "NaN", "Infinity"); magnitudes past the type's
// range read as infinity or zero instead of failing.
bool parse_double(std::string_view t, double& v);
bool parse_float(std::string_view t, float& v);

// Integer text: optional sign and at least one digit, in range.
bool parse_int64(std::string_view t, int64_t& v);

}  // namespace sluice::cdc::convert
