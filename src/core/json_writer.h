// Appending JSON text to a std::string. Events are built by hand into one buffer (no DOM), since
// building a DOM per change would cost more than PostgreSQL spends decoding it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::json {

// Appends s as a quoted JSON string, escaping as RFC 8259 requires.
void append_string(std::string& out, std::string_view s);
// Appends the escaped body of s without the surrounding quotes.
void append_escaped(std::string& out, std::string_view s);
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);

}  // namespace sluice::json
