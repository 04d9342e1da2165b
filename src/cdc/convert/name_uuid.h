// Java's UUID.nameUUIDFromBytes, which Debezium applies to the unchanged-TOAST placeholder of
// uuid[] columns.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::cdc::convert {

// RFC 1321 MD5 digest.
std::array<uint8_t, 16> md5(std::string_view msg);

// The version 3 UUID of bytes, in lower-case 8-4-4-4-12 form.
std::string name_uuid_from_bytes(std::string_view bytes);

}  // namespace sluice::cdc::convert
