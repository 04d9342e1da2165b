// Binary values: bytea's hex output and bit strings, written in the binary.handling.mode forms.
#pragma once
#include <string>
#include <string_view>

#include "cdc/convert_options.h"

namespace sluice::cdc::convert {

// bytea_output=hex text ("\x0102") as the binary handling mode writes it.
bool append_bytea(std::string& out, std::string_view text, BinaryMode mode);

// Raw bytes as a quoted base64 / lower-case hex JSON string.
void append_quoted_base64(std::string& out, std::string_view bytes, bool url_safe = false);
void append_quoted_hex(std::string& out, std::string_view bytes);

// A bit string ("0101") as io.debezium.data.Bits: java.util.BitSet.toByteArray(), base64.
bool append_bits(std::string& out, std::string_view text);

}  // namespace sluice::cdc::convert
