// CRC-32C (Castagnoli), the checksum Kafka's RecordBatch v2 uses; also guards sluice's own files.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sluice {

uint32_t crc32c(const void* data, size_t len, uint32_t crc = 0);

}  // namespace sluice
