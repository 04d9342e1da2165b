// The classic consumer-group coordinator of a single node (Kafka's GroupCoordinator rules):
// membership and rebalances per group, plus committed offsets (kept by OffsetStore). Everything
// runs on the network thread, so nothing here locks; answers that must wait (a join until the
// join phase ends, a follower's sync until the leader's, a commit until it is durable) are given
// to callbacks, which run on the network thread too. Timers come from the broker's Scheduler.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kafka/group/group_state.h"
#include "kafka/group/messages.h"
#include "kafka/group/offset_store.h"
#include "kafka/server/handler.h"

namespace sluice::kafka::group {

struct CoordinatorOptions {
  // Kafka's group.min/max.session.timeout.ms.
  int32_t min_session_timeout_ms = 6000;
  int32_t max_session_timeout_ms = 1800000;
  int32_t max_metadata_bytes = 4096;  // offset.metadata.max.bytes
};

class Coordinator {
 public:
  // Uses broker.scheduler (required), broker.topics (null: offsets kept in memory only) and
  // broker.config.group_initial_rebalance_delay_ms.
  explicit Coordinator(Broker& broker, CoordinatorOptions options = {});
  ~Coordinator();
  Coordinator(const Coordinator&) = delete;
  Coordinator& operator=(const Coordinator&) = delete;

  // Creates __consumer_offsets when absent and reads the committed offsets back. Call once,
  // before serving. Throws std::runtime_error when the topic cannot be created or read.
  void load();
  // Cancels timers and answers parked requests with NOT_COORDINATOR; later calls are refused
  // the same way. For an orderly stop while the network thread still runs.
  void shutdown();

  void join(const JoinRequest& req, JoinCallback done);
  void sync(const SyncRequest& req, SyncCallback done);
  int16_t heartbeat(const HeartbeatRequest& req);
  LeaveResult leave(const LeaveRequest& req);
  void commit_offsets(const CommitRequest& req, std::function<void(const CommitResult&)> done);
  OffsetFetchResult fetch_offsets(const OffsetFetchRequest& req) const;
  DescribedGroup describe(const std::string& group_id) const;
  std::vector<ListedGroup> list() const;
  void delete_groups(const std::vector<std::string>& group_ids,
                     std::function<void(const std::vector<DeleteGroupResult>&)> done);

  // For tests and DescribeGroups.
  const Group* find(const std::string& group_id) const;

 private:
  Group& get_or_create(const std::string& group_id);
  std::string new_member_id(const std::string& client_id);

  // What a join request sets on its member (new or rejoining), and the answer it waits for.
  static void take_join(Member& m, const JoinRequest& req, JoinCallback done);
  void add_member_and_rebalance(Group& g, const JoinRequest& req, const std::string& member_id,
                                JoinCallback done);
  void update_member_and_rebalance(Group& g, Member& m, const JoinRequest& req, JoinCallback done);
  void maybe_prepare_rebalance(Group& g);
  void prepare_rebalance(Group& g);
  void try_complete_join(Group& g);
  void on_initial_delay(const std::string& group_id);
  void complete_join(Group& g);
  JoinResult join_result(const Group& g, const Member& m) const;
  void remove_member(Group& g, const std::string& member_id);
  void reset_assignments_and_fail_syncs(Group& g, int16_t error);

  void schedule_session(Group& g, Member& m);
  void cancel_session(Member& m);
  void on_session_expired(const std::string& group_id, const std::string& member_id);
  void schedule_pending_expiry(Group& g, const std::string& member_id, int32_t timeout_ms);

  // The membership part of an OffsetCommit's checks (Kafka's doCommitOffsets).
  int16_t check_commit(const CommitRequest& req);
  bool partition_exists(const std::string& topic, int32_t partition) const;

  Broker& broker_;
  Scheduler& scheduler_;
  CoordinatorOptions options_;
  OffsetStore offsets_;
  std::map<std::string, Group> groups_;
  std::mt19937_64 rng_;
  bool stopped_ = false;
  // Timer callbacks hold a weak reference, so one firing after destruction does nothing.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace sluice::kafka::group
