// numeric and money text as Debezium writes them: Connect Decimal bytes, VariableScaleDecimal,
// plain strings or doubles, by decimal.handling.mode.
#pragma once
#include <string>
#include <string_view>

#include "cdc/convert_options.h"

namespace sluice::cdc::convert {

struct DecText {
  bool negative = false;
  std::string_view int_part;   // leading zeros stripped
  std::string_view frac_part;  // as written
};

// Plain decimal text as numeric_out writes it: [-]digits[.digits].
bool split_decimal(std::string_view t, DecText& d);

// The quoted base64 of the unscaled value at `scale` (BigInteger.toByteArray()); extra fraction
// digits are cut, or rounded half up.
void append_decimal_bytes(std::string& out, const DecText& d, int scale, bool half_up);

// numeric in precise mode: Decimal bytes at `scale`, or VariableScaleDecimal when `variable`.
bool append_numeric(std::string& out, std::string_view text, bool variable, int scale);
// numeric in string mode.
bool append_numeric_string(std::string& out, std::string_view text);
// money in any decimal mode; precise mode writes Decimal bytes at `scale`.
bool append_money(std::string& out, std::string_view text, DecimalMode mode, int scale);

}  // namespace sluice::cdc::convert
