// Kafka's batch compression codecs (attributes bits 0-2): gzip, snappy (raw or Xerial-framed,
// as the Java client writes it), lz4 (frame format) and zstd. The broker stores batches as they
// came; it decompresses only to validate them, to find a record by timestamp and to compact.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/record_batch.h"

namespace sluice::kafka {

enum class Codec : int { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

class CompressionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws CompressionError (naming the codec and fault) on corrupt input, an unknown codec, or
// output beyond max_size (a decompression bomb).
std::string decompress(Codec codec, std::string_view in, size_t max_size = 256u << 20);
std::string compress(Codec codec, std::string_view in);

// Checks every record of a checked batch (decompressing when needed): record framing, count
// equal to the header's, offset deltas 0..n-1 in order. "" when valid, else the reason.
std::string validate_records(std::string_view batch, size_t max_size = 256u << 20);
// Reads the records of any checked batch; compressed ones are inflated into scratch, which the
// returned views point into. "" on success, else the reason.
std::string read_any_records(std::string_view batch, std::string& scratch,
                             std::vector<Record>& out);

}  // namespace sluice::kafka
