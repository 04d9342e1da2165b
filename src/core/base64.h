#pragma once
#include <string>
#include <string_view>

namespace sluice::base64 {

// Appends the base64 form of bytes (RFC 4648; url_safe uses '-' and '_', still padded).
void append(std::string& out, std::string_view bytes, bool url_safe = false);
std::string encode(std::string_view bytes, bool url_safe = false);
// Decodes standard or url-safe base64; returns false on bad input.
bool decode(std::string_view text, std::string& out);

}  // namespace sluice::base64
