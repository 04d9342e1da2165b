// The position of a connector that writes to topics, kept as a record of the compacted topic
// connect-offsets, keyed as Kafka Connect keys Debezium's PostgreSQL offsets:
//   key   ["<connector name>",{"server":"<topic.prefix>"}]
//   value {"transaction_id":null,"lsn_proc":…,"lsn_commit":…,"lsn":…,"txId":…,"ts_usec":…,
//          "sluice":{…everything Position holds, the producer id and epoch, and "partitions":
//          {"<topic>/<partition>":<offset just past the connector's last record>,…}}}
// The partitions map is cumulative: every partition the connector has written (or found at a
// start), so that on recovery the records past those offsets can be counted.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/position.h"

namespace sluice::cdc {

inline constexpr const char* kOffsetsTopic = "connect-offsets";

struct SinkPosition {
  std::optional<Position> position;  // none: saved before the first position (a first start)
  int64_t producer_id = -1;
  int16_t epoch = -1;
  int64_t prior_producer_id = -1;  // set while records of a replaced producer id may be pending
  std::map<std::string, int64_t> partitions;  // "topic/partition" -> end offset
};

std::string position_record_key(std::string_view connector, std::string_view server);
std::string encode_position_record(const SinkPosition& p);
// Throws FatalError when value is not a position. A Debezium offset (no "sluice" part) gives
// its LSNs and nothing else.
SinkPosition decode_position_record(std::string_view value);

// "topic/partition" and back (topic names cannot hold '/').
std::string partition_key(std::string_view topic, int32_t partition);
bool split_partition_key(std::string_view key, std::string& topic, int32_t& partition);

}  // namespace sluice::cdc
