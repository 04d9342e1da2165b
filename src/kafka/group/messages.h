// The group APIs' requests and responses as plain structs, independent of wire versions: the
// codec translates each version to and from these, and the coordinator works on them only, so
// its logic is testable without encoding anything.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::kafka::group {

struct Protocol {
  std::string name;
  std::string metadata;
};

struct JoinRequest {
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  // v0 has none: the session timeout is used
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string protocol_type;
  std::vector<Protocol> protocols;
  bool require_known_member_id = false;  // v4+: an empty member id gets MEMBER_ID_REQUIRED
  std::string client_id;
  std::string client_host;
};

struct JoinMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string metadata;
};

struct JoinResult {
  int16_t error = 0;
  int32_t generation = -1;
  std::string protocol;
  std::string leader;
  std::string member_id;
  std::vector<JoinMember> members;  // only for the leader
};

struct Assignment {
  std::string member_id;
  std::string assignment;
};

struct SyncRequest {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<Assignment> assignments;  // only from the leader
};

struct SyncResult {
  int16_t error = 0;
  std::string assignment;
};

struct HeartbeatRequest {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
};

struct LeavingMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  int16_t error = 0;  // in results
};

struct LeaveRequest {
  std::string group_id;
  std::vector<LeavingMember> members;  // v0-2 carry exactly one
};

struct LeaveResult {
  int16_t error = 0;
  std::vector<LeavingMember> members;
};

struct CommitPartition {
  int32_t partition = 0;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int16_t error = 0;  // in results
};

struct CommitTopic {
  std::string name;
  std::vector<CommitPartition> partitions;
};

struct CommitRequest {
  std::string group_id;
  int32_t generation = -1;  // v0 has none: a simple (memberless) commit
  std::string member_id;
  std::optional<std::string> instance_id;
  std::vector<CommitTopic> topics;
};

struct CommitResult {
  std::vector<CommitTopic> topics;  // the request's partitions, each with its error
};

struct FetchTopicRequest {
  std::string name;
  std::vector<int32_t> partitions;
};

struct OffsetFetchRequest {
  std::string group_id;
  std::optional<std::vector<FetchTopicRequest>> topics;  // nullopt (v2+): every committed one
};

struct FetchedPartition {
  int32_t partition = 0;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int16_t error = 0;
};

struct FetchedTopic {
  std::string name;
  std::vector<FetchedPartition> partitions;
};

struct OffsetFetchResult {
  int16_t error = 0;
  std::vector<FetchedTopic> topics;
};

struct DescribedMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  std::string metadata;
  std::string assignment;
};

struct DescribedGroup {
  int16_t error = 0;
  std::string group_id;
  std::string state;
  std::string protocol_type;
  std::string protocol;
  std::vector<DescribedMember> members;
  int32_t authorized_operations = INT32_MIN;  // "not requested"
};

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
};

struct DeleteGroupResult {
  std::string group_id;
  int16_t error = 0;
};

}  // namespace sluice::kafka::group
