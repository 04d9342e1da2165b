// One classic consumer group as the coordinator keeps it: its state, generation, members and the
// requests parked while a rebalance is under way. Membership is not persisted (as in Kafka,
// members simply rejoin after a restart).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/group/messages.h"
#include "kafka/server/handler.h"

namespace sluice::kafka::group {

enum class GroupState { Empty, PreparingRebalance, CompletingRebalance, Stable, Dead };

std::string_view state_name(GroupState s);

using JoinCallback = std::function<void(const JoinResult&)>;
using SyncCallback = std::function<void(const SyncResult&)>;

struct Member {
  std::string id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::vector<Protocol> protocols;  // in the member's order of preference
  std::string assignment;
  JoinCallback pending_join;  // set while its JoinGroup waits for the join phase to end
  SyncCallback pending_sync;  // set while its SyncGroup waits for the leader's
  Scheduler::TimerId session_timer = 0;

  const std::string* metadata_for(std::string_view protocol) const;
  bool same_protocols(const std::vector<Protocol>& other) const;
};

struct Group {
  std::string id;
  GroupState state = GroupState::Empty;
  int32_t generation = 0;
  std::string protocol_type;  // kept while Empty, so ListGroups can still show it
  std::string protocol;       // chosen at the end of each join phase
  std::string leader;
  std::map<std::string, Member> members;
  std::vector<std::string> join_order;    // member ids, oldest first (picks a new leader)
  std::set<std::string> pending_members;  // ids handed out with MEMBER_ID_REQUIRED
  std::map<std::string, Scheduler::TimerId> pending_timers;
  Scheduler::TimerId join_timer = 0;
  bool initial_delay = false;     // the join phase is in its initial delay
  bool new_member_added = false;  // a member joined during the initial delay
  int64_t initial_remaining_ms = 0;

  bool has(const std::string& member_id) const { return members.count(member_id) != 0; }
  bool all_joined() const;
  int32_t rebalance_timeout_ms() const;  // the members' largest
  // Protocols every member supports.
  std::set<std::string> candidate_protocols() const;
  bool supports(std::string_view protocol_type, const std::vector<Protocol>& protocols) const;
  // Each member votes for its most preferred candidate; the most votes win.
  std::string select_protocol() const;
};

}  // namespace sluice::kafka::group
