// Shared by the data API's files: JSON writing (RapidJSON), parameter parsing, UTF-8 checks and
// the snapshot of the consumer groups taken on the Kafka listener's network thread.
#pragma once
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "http/api_context.h"
#include "http/http_types.h"
#include "http/router.h"
#include "kafka/group/messages.h"

namespace sluice::http::data_api {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void key(JsonWriter& w, std::string_view k) {
  w.Key(k.data(), rapidjson::SizeType(k.size()));
}
inline void str(JsonWriter& w, std::string_view s) {
  w.String(s.data(), rapidjson::SizeType(s.size()));
}

inline Response json_ok(const rapidjson::StringBuffer& buf) {
  return json_body(200, std::string(buf.GetString(), buf.GetSize()));
}

// A query parameter that is not acceptable: the handler answers 400 with its message.
class BadRequest : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The integer parameter `name`, nullopt when absent; BadRequest when it is not an integer in
// [min, max].
std::optional<int64_t> int_param(const Request& req, std::string_view name, int64_t min,
                                 int64_t max);

// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool valid_utf8(std::string_view s);

// A consumer group as the coordinator knows it, copied out on the network thread.
struct GroupSnapshot {
  kafka::group::ListedGroup listed;
  kafka::group::DescribedGroup described;
  kafka::group::OffsetFetchResult offsets;  // every committed offset
};

// Every group, or nullopt when the network thread did not answer in time. Empty when the
// context has no broker or coordinator.
std::optional<std::vector<GroupSnapshot>> snapshot_groups(const ApiContext& ctx);
// Just the group count (nullopt on timeout).
std::optional<size_t> count_groups(const ApiContext& ctx);

void add_topic_routes(Router& router, const ApiContext& ctx);
void add_message_routes(Router& router, const ApiContext& ctx);
void add_group_routes(Router& router, const ApiContext& ctx);

}  // namespace sluice::http::data_api
