// Offsets and group administration: OffsetCommit, OffsetFetch, DescribeGroups, ListGroups,
// DeleteGroups.
#include <set>

#include "core/clock.h"
#include "kafka/errors.h"
#include "kafka/group/coordinator.h"
#include "log/topic_store.h"

namespace sluice::kafka::group {

namespace {

// READ, DELETE and DESCRIBE on a group (Kafka's AclOperation codes as bits): without ACLs every
// client may do all of them.
constexpr int32_t kGroupOperations = (1 << 3) | (1 << 6) | (1 << 8);

}  // namespace

int16_t Coordinator::check_commit(const CommitRequest& req) {
  if (stopped_) return err::kNotCoordinator;
  if (req.group_id.empty()) return err::kInvalidGroupId;
  auto it = groups_.find(req.group_id);
  // No membership since we started: either a group used only to store offsets (assign() users,
  // generation -1) or members from before a restart, whose generation we cannot check since
  // membership is not persisted. Kafka would still know them, so their commits are accepted
  // (nobody else holds the partitions yet) rather than lost.
  if (it == groups_.end()) return err::kNone;
  Group& g = it->second;
  if (g.state == GroupState::Dead) return err::kCoordinatorNotAvailable;
  if (req.generation < 0 && g.state == GroupState::Empty) return err::kNone;
  if (g.state == GroupState::CompletingRebalance) return err::kRebalanceInProgress;
  auto mit = g.members.find(req.member_id);
  if (mit == g.members.end()) return err::kUnknownMemberId;
  if (req.generation != g.generation) return err::kIllegalGeneration;
  // A commit shows the member is alive (members commit before rejoining a rebalance).
  if (!mit->second.pending_join && !mit->second.pending_sync) schedule_session(g, mit->second);
  return err::kNone;
}

bool Coordinator::partition_exists(const std::string& topic, int32_t partition) const {
  if (!broker_.topics) return true;  // no log (unit tests): nothing to check against
  auto t = broker_.topics->find(topic);
  return t && t->partition(partition) != nullptr;
}

void Coordinator::commit_offsets(const CommitRequest& req,
                                 std::function<void(const CommitResult&)> done) {
  CommitResult res;
  res.topics = req.topics;
  const int16_t error = check_commit(req);
  const int64_t ts = unix_millis();
  std::vector<OffsetChange> changes;
  for (auto& t : res.topics) {
    for (auto& p : t.partitions) {
      if (error != err::kNone) {
        p.error = error;
      } else if (!partition_exists(t.name, p.partition)) {
        p.error = err::kUnknownTopicOrPartition;  // as Kafka: no offsets for what is not there
      } else if (p.metadata && p.metadata->size() > size_t(options_.max_metadata_bytes)) {
        p.error = err::kOffsetMetadataTooLarge;
      } else {
        p.error = err::kNone;
        changes.push_back({t.name, p.partition,
                           CommittedOffset{p.offset, p.leader_epoch, p.metadata.value_or(""), ts}});
      }
    }
  }
  if (changes.empty()) return done(res);
  offsets_.write(req.group_id, std::move(changes),
                 [res = std::move(res), done = std::move(done)](bool ok) mutable {
                   // Retriable, so the client finds us again and retries the commit.
                   if (!ok)
                     for (auto& t : res.topics)
                       for (auto& p : t.partitions)
                         if (p.error == err::kNone) p.error = err::kCoordinatorNotAvailable;
                   done(res);
                 });
}

OffsetFetchResult Coordinator::fetch_offsets(const OffsetFetchRequest& req) const {
  OffsetFetchResult res;
  const int16_t error = stopped_ ? err::kNotCoordinator : err::kNone;
  res.error = error;
  auto fetched = [&](const std::string& topic, int32_t partition) {
    FetchedPartition p;
    p.partition = partition;
    p.error = error;
    if (error != err::kNone) return p;
    if (auto* c = offsets_.find(req.group_id, topic, partition)) {
      p.offset = c->offset;
      p.leader_epoch = c->leader_epoch;
      p.metadata = c->metadata;
    }
    return p;  // never committed: offset -1, empty metadata, no error
  };
  if (req.topics) {
    for (auto& t : *req.topics) {
      FetchedTopic ft{t.name, {}};
      for (int32_t p : t.partitions) ft.partitions.push_back(fetched(t.name, p));
      res.topics.push_back(std::move(ft));
    }
  } else if (error == err::kNone) {
    if (auto* all = offsets_.find(req.group_id)) {
      for (auto& [key, value] : *all) {  // ordered by topic, so each topic's run is contiguous
        if (res.topics.empty() || res.topics.back().name != key.first)
          res.topics.push_back({key.first, {}});
        res.topics.back().partitions.push_back(fetched(key.first, key.second));
      }
    }
  }
  return res;
}

DescribedGroup Coordinator::describe(const std::string& group_id) const {
  DescribedGroup d;
  d.group_id = group_id;
  d.authorized_operations = kGroupOperations;
  if (stopped_) {
    d.error = err::kNotCoordinator;
    return d;
  }
  const Group* g = find(group_id);
  if (!g) {
    // Kafka describes an unknown group as Dead, without an error.
    d.state = offsets_.find(group_id) ? "Empty" : "Dead";
    return d;
  }
  d.state = state_name(g->state);
  d.protocol_type = g->protocol_type;
  const bool stable = g->state == GroupState::Stable;
  if (stable) d.protocol = g->protocol;
  for (auto& id : g->join_order) {
    const Member& m = g->members.at(id);
    DescribedMember dm{m.id, m.instance_id, m.client_id, m.client_host, {}, {}};
    // As Kafka: metadata and assignment only once they are settled.
    if (stable) {
      if (auto* md = m.metadata_for(g->protocol)) dm.metadata = *md;
      dm.assignment = m.assignment;
    }
    d.members.push_back(std::move(dm));
  }
  return d;
}

std::vector<ListedGroup> Coordinator::list() const {
  std::vector<ListedGroup> out;
  if (stopped_) return out;
  std::set<std::string> seen;
  for (auto& [id, g] : groups_) {
    if (g.state == GroupState::Dead) continue;
    out.push_back({id, g.protocol_type});
    seen.insert(id);
  }
  for (auto& id : offsets_.groups())
    if (!seen.count(id)) out.push_back({id, ""});  // only offsets (simple consumers, restarts)
  return out;
}

void Coordinator::delete_groups(const std::vector<std::string>& group_ids,
                                std::function<void(const std::vector<DeleteGroupResult>&)> done) {
  // Answers once every group's tombstones are durable; writes may finish synchronously.
  struct State {
    std::vector<DeleteGroupResult> results;
    int outstanding = 1;
    std::function<void(const std::vector<DeleteGroupResult>&)> done;
    void finish_one() {
      if (--outstanding == 0) done(results);
    }
  };
  auto st = std::make_shared<State>();
  st->done = std::move(done);
  for (size_t i = 0; i < group_ids.size(); ++i) {
    const std::string& id = group_ids[i];
    st->results.push_back({id, err::kNone});
    int16_t& error = st->results.back().error;
    if (stopped_) {
      error = err::kNotCoordinator;
      continue;
    }
    if (id.empty()) {
      error = err::kInvalidGroupId;
      continue;
    }
    auto it = groups_.find(id);
    const GroupOffsets* offsets = offsets_.find(id);
    if (it == groups_.end() && !offsets) {
      error = err::kGroupIdNotFound;
      continue;
    }
    if (it != groups_.end()) {
      Group& g = it->second;
      if (g.state != GroupState::Empty) {
        error = err::kNonEmptyGroup;
        continue;
      }
      if (g.join_timer) scheduler_.cancel(g.join_timer);
      for (auto& [mid, t] : g.pending_timers) scheduler_.cancel(t);
      g.state = GroupState::Dead;
      groups_.erase(it);
    }
    if (!offsets) continue;
    std::vector<OffsetChange> tombstones;
    for (auto& [key, value] : *offsets) tombstones.push_back({key.first, key.second, std::nullopt});
    ++st->outstanding;
    offsets_.write(id, std::move(tombstones), [st, i](bool ok) {
      if (!ok) st->results[i].error = err::kCoordinatorNotAvailable;
      st->finish_one();
    });
  }
  st->finish_one();
}

}  // namespace sluice::kafka::group
