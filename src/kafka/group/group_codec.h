// Wire forms of the group APIs at their non-flexible versions (field layouts per Kafka's message
// JSON definitions): decode_* read a request body after its header, encode_* write a response
// body after its header. Decoders throw WireError on malformed input.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kafka/group/messages.h"
#include "kafka/wire.h"

namespace sluice::kafka::group {

// Highest versions served: each API's last version before its first flexible one.
inline constexpr int16_t kOffsetCommitMax = 7;
inline constexpr int16_t kOffsetFetchMax = 5;
inline constexpr int16_t kFindCoordinatorMax = 2;
inline constexpr int16_t kJoinGroupMax = 5;
inline constexpr int16_t kHeartbeatMax = 3;
inline constexpr int16_t kLeaveGroupMax = 3;
inline constexpr int16_t kSyncGroupMax = 3;
inline constexpr int16_t kDescribeGroupsMax = 4;
inline constexpr int16_t kListGroupsMax = 2;
inline constexpr int16_t kDeleteGroupsMax = 1;

struct FindCoordinatorRequest {
  std::string key;
  int8_t key_type = 0;  // 0 group, 1 transaction
};

struct FindCoordinatorResult {
  int16_t error = 0;
  std::optional<std::string> message;
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;
};

struct DescribeGroupsRequest {
  std::vector<std::string> groups;
  bool include_authorized_operations = false;
};

FindCoordinatorRequest decode_find_coordinator(Reader& r, int16_t v);
std::string encode_find_coordinator(const FindCoordinatorResult& res, int16_t v);

JoinRequest decode_join_group(Reader& r, int16_t v);  // client id and host are not on the body
std::string encode_join_group(const JoinResult& res, int16_t v);

SyncRequest decode_sync_group(Reader& r, int16_t v);
std::string encode_sync_group(const SyncResult& res, int16_t v);

HeartbeatRequest decode_heartbeat(Reader& r, int16_t v);
std::string encode_heartbeat(int16_t error, int16_t v);

LeaveRequest decode_leave_group(Reader& r, int16_t v);
std::string encode_leave_group(const LeaveResult& res, int16_t v);

CommitRequest decode_offset_commit(Reader& r, int16_t v);
std::string encode_offset_commit(const CommitResult& res, int16_t v);

OffsetFetchRequest decode_offset_fetch(Reader& r, int16_t v);
std::string encode_offset_fetch(const OffsetFetchResult& res, int16_t v);

DescribeGroupsRequest decode_describe_groups(Reader& r, int16_t v);
std::string encode_describe_groups(const std::vector<DescribedGroup>& groups,
                                   bool include_authorized_operations, int16_t v);

// ListGroups v0-2 requests have an empty body.
std::string encode_list_groups(int16_t error, const std::vector<ListedGroup>& groups, int16_t v);

std::vector<std::string> decode_delete_groups(Reader& r, int16_t v);
std::string encode_delete_groups(const std::vector<DeleteGroupResult>& results, int16_t v);

}  // namespace sluice::kafka::group
