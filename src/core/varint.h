// Variable-length integers as Kafka writes them: unsigned LEB128 ("uvarint", used for compact
// lengths) and zig-zag signed varints/varlongs (used inside records).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::varint {

void append_unsigned(std::string& out, uint64_t v);
void append_signed(std::string& out, int64_t v);  // zig-zag
size_t signed_size(int64_t v);

// Read from `in` at `pos`, advancing it; nullopt when truncated or longer than 10 bytes.
std::optional<uint64_t> read_unsigned(std::string_view in, size_t& pos);
std::optional<int64_t> read_signed(std::string_view in, size_t& pos);

}  // namespace sluice::varint
