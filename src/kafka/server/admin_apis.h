// The admin APIs as functions from a request body to a response body (after the response
// header), kept apart from their handlers so tests can drive them without a server. Each throws
// WireError on a malformed request. Versions are the non-flexible ones register_admin_apis
// advertises.
#pragma once
#include <string>

#include "kafka/server/handler.h"

namespace sluice::kafka::admin {

std::string create_topics(const RequestHeader& h, Reader& in, Broker& b);              // 19, v0-4
std::string delete_topics(const RequestHeader& h, Reader& in, Broker& b);              // 20, v0-3
std::string delete_records(const RequestHeader& h, Reader& in, Broker& b);             // 21, v0-1
std::string describe_configs(const RequestHeader& h, Reader& in, Broker& b);           // 32, v0-3
std::string alter_configs(const RequestHeader& h, Reader& in, Broker& b);              // 33, v0-1
std::string create_partitions(const RequestHeader& h, Reader& in, Broker& b);          // 37, v0-1
std::string incremental_alter_configs(const RequestHeader& h, Reader& in, Broker& b);  // 44, v0

// DescribeConfigs resource types, and IncrementalAlterConfigs operations.
constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;
constexpr int8_t kOpSet = 0;
constexpr int8_t kOpDelete = 1;
constexpr int8_t kOpAppend = 2;
constexpr int8_t kOpSubtract = 3;

}  // namespace sluice::kafka::admin
