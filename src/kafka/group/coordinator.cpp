// Membership: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, session expiry and the join phase.
#include "kafka/group/coordinator.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "core/log.h"
#include "kafka/errors.h"

namespace sluice::kafka::group {

Coordinator::Coordinator(Broker& broker, CoordinatorOptions options)
    : broker_(broker),
      scheduler_(*broker.scheduler),
      options_(options),
      offsets_(broker.topics, broker.scheduler),
      rng_(std::random_device{}()) {}

// Timers hold only a weak reference (alive_), so nothing here touches the scheduler, which may
// already have stopped.
Coordinator::~Coordinator() = default;

void Coordinator::load() { offsets_.load(); }

void Coordinator::shutdown() {
  stopped_ = true;
  for (auto& [gid, g] : groups_) {
    if (g.join_timer) scheduler_.cancel(g.join_timer);
    for (auto& [id, t] : g.pending_timers) scheduler_.cancel(t);
    for (auto& [id, m] : g.members) {
      cancel_session(m);
      if (auto cb = std::exchange(m.pending_join, nullptr)) {
        JoinResult r;
        r.error = err::kNotCoordinator;
        r.member_id = id;
        cb(r);
      }
      if (auto cb = std::exchange(m.pending_sync, nullptr))
        cb(SyncResult{err::kNotCoordinator, {}});
    }
  }
  groups_.clear();
}

const Group* Coordinator::find(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

Group& Coordinator::get_or_create(const std::string& group_id) {
  auto [it, added] = groups_.try_emplace(group_id);
  if (added) it->second.id = group_id;
  return it->second;
}

// Kafka's form: the client id, a dash and a random UUID.
std::string Coordinator::new_member_id(const std::string& client_id) {
  uint64_t hi = rng_(), lo = rng_();
  hi = (hi & ~0xf000ull) | 0x4000ull;        // version 4
  lo = (lo & ~(3ull << 62)) | (2ull << 62);  // RFC 4122 variant
  char buf[40];
  snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", unsigned(hi >> 32),
           unsigned(hi >> 16) & 0xffff, unsigned(hi) & 0xffff, unsigned(lo >> 48),
           static_cast<unsigned long long>(lo & 0xffffffffffffull));
  return client_id + "-" + buf;
}

void Coordinator::join(const JoinRequest& req, JoinCallback done) {
  auto fail = [&](int16_t e, const std::string& member_id) {
    JoinResult r;
    r.error = e;
    r.member_id = member_id;
    done(r);
  };
  if (stopped_) return fail(err::kNotCoordinator, req.member_id);
  if (req.group_id.empty()) return fail(err::kInvalidGroupId, req.member_id);
  if (req.session_timeout_ms < options_.min_session_timeout_ms ||
      req.session_timeout_ms > options_.max_session_timeout_ms)
    return fail(err::kInvalidSessionTimeout, req.member_id);
  auto it = groups_.find(req.group_id);
  if (!req.member_id.empty() && it == groups_.end())
    return fail(err::kUnknownMemberId, req.member_id);
  Group& g = it != groups_.end() ? it->second : get_or_create(req.group_id);
  if (g.state == GroupState::Dead) return fail(err::kCoordinatorNotAvailable, req.member_id);
  if (!g.supports(req.protocol_type, req.protocols))
    return fail(err::kInconsistentGroupProtocol, req.member_id);

  if (req.member_id.empty()) {
    std::string id = new_member_id(req.client_id);
    if (req.require_known_member_id) {
      // The client must come back with this id, so a retried join cannot leave a ghost member.
      g.pending_members.insert(id);
      schedule_pending_expiry(g, id, req.session_timeout_ms);
      return fail(err::kMemberIdRequired, id);
    }
    return add_member_and_rebalance(g, req, id, std::move(done));
  }
  if (g.pending_members.erase(req.member_id)) {
    if (auto t = g.pending_timers.find(req.member_id); t != g.pending_timers.end()) {
      scheduler_.cancel(t->second);
      g.pending_timers.erase(t);
    }
    return add_member_and_rebalance(g, req, req.member_id, std::move(done));
  }
  auto mit = g.members.find(req.member_id);
  if (mit == g.members.end()) return fail(err::kUnknownMemberId, req.member_id);
  Member& m = mit->second;
  switch (g.state) {
    case GroupState::PreparingRebalance:
      return update_member_and_rebalance(g, m, req, std::move(done));
    case GroupState::CompletingRebalance:
      // Unchanged: it missed our answer, so give it again; changed: start over.
      if (m.same_protocols(req.protocols)) return done(join_result(g, m));
      return update_member_and_rebalance(g, m, req, std::move(done));
    case GroupState::Stable:
      // The leader rejoining (e.g. for a metadata change) or changed protocols force a rebalance.
      if (m.id == g.leader || !m.same_protocols(req.protocols))
        return update_member_and_rebalance(g, m, req, std::move(done));
      schedule_session(g, m);
      return done(join_result(g, m));
    case GroupState::Empty:
    case GroupState::Dead:
      return fail(err::kUnknownMemberId, req.member_id);
  }
}

void Coordinator::take_join(Member& m, const JoinRequest& req, JoinCallback done) {
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms =
      req.rebalance_timeout_ms >= 0 ? req.rebalance_timeout_ms : req.session_timeout_ms;
  m.protocols = req.protocols;
  m.pending_join = std::move(done);
}

void Coordinator::add_member_and_rebalance(Group& g, const JoinRequest& req,
                                           const std::string& member_id, JoinCallback done) {
  if (g.members.empty()) g.protocol_type = req.protocol_type;
  Member& m = g.members[member_id];
  m.id = member_id;
  m.instance_id = req.instance_id;
  take_join(m, req, std::move(done));
  g.join_order.push_back(member_id);
  if (g.leader.empty()) g.leader = member_id;
  if (g.state == GroupState::PreparingRebalance && g.initial_delay) g.new_member_added = true;
  maybe_prepare_rebalance(g);
  try_complete_join(g);
}

void Coordinator::update_member_and_rebalance(Group& g, Member& m, const JoinRequest& req,
                                              JoinCallback done) {
  if (auto old = std::exchange(m.pending_join, nullptr)) {
    JoinResult r;  // superseded by this join (its client gave up on it)
    r.error = err::kRebalanceInProgress;
    r.member_id = m.id;
    old(r);
  }
  take_join(m, req, std::move(done));
  cancel_session(m);  // a member waiting in the join phase is bounded by the rebalance timeout
  maybe_prepare_rebalance(g);
  try_complete_join(g);
}

void Coordinator::maybe_prepare_rebalance(Group& g) {
  if (g.state == GroupState::Stable || g.state == GroupState::CompletingRebalance ||
      g.state == GroupState::Empty)
    prepare_rebalance(g);
}

void Coordinator::prepare_rebalance(Group& g) {
  if (g.state == GroupState::CompletingRebalance)
    reset_assignments_and_fail_syncs(g, err::kRebalanceInProgress);
  bool from_empty = g.state == GroupState::Empty;
  g.state = GroupState::PreparingRebalance;
  if (g.join_timer) scheduler_.cancel(std::exchange(g.join_timer, 0));
  std::weak_ptr<char> alive = alive_;
  const int64_t delay = broker_.config.group_initial_rebalance_delay_ms;
  if (from_empty && delay > 0) {
    // Let a group of consumers starting together land in one rebalance, not one per member.
    g.initial_delay = true;
    g.new_member_added = false;
    g.initial_remaining_ms = std::max<int64_t>(g.rebalance_timeout_ms() - delay, 0);
    g.join_timer = scheduler_.after(delay, [this, alive, id = g.id] {
      if (alive.lock()) on_initial_delay(id);
    });
    return;
  }
  g.initial_delay = false;
  g.join_timer = scheduler_.after(g.rebalance_timeout_ms(), [this, alive, id = g.id] {
    if (!alive.lock()) return;
    auto it = groups_.find(id);
    if (it == groups_.end()) return;
    it->second.join_timer = 0;
    if (it->second.state == GroupState::PreparingRebalance) complete_join(it->second);
  });
  try_complete_join(g);
}

void Coordinator::on_initial_delay(const std::string& group_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return;
  Group& g = it->second;
  g.join_timer = 0;
  if (g.state != GroupState::PreparingRebalance || !g.initial_delay) return;
  const int64_t delay = broker_.config.group_initial_rebalance_delay_ms;
  if (g.new_member_added && g.initial_remaining_ms > 0) {
    // Members are still arriving: wait another delay, within the rebalance timeout.
    g.new_member_added = false;
    int64_t next = std::min(delay, g.initial_remaining_ms);
    g.initial_remaining_ms = std::max<int64_t>(g.initial_remaining_ms - delay, 0);
    std::weak_ptr<char> alive = alive_;
    g.join_timer = scheduler_.after(next, [this, alive, group_id] {
      if (alive.lock()) on_initial_delay(group_id);
    });
    return;
  }
  complete_join(g);
}

void Coordinator::try_complete_join(Group& g) {
  if (g.state == GroupState::PreparingRebalance && !g.initial_delay && g.all_joined())
    complete_join(g);
}

void Coordinator::complete_join(Group& g) {
  if (g.join_timer) scheduler_.cancel(std::exchange(g.join_timer, 0));
  g.initial_delay = false;
  std::vector<std::string> missing;
  for (auto& [id, m] : g.members)
    if (!m.pending_join) missing.push_back(id);
  for (auto& id : missing) {
    log::info("groups", "group {}: member {} did not rejoin in time; removed", g.id, id);
    cancel_session(g.members[id]);
    g.members.erase(id);
    std::erase(g.join_order, id);
  }
  if (!g.has(g.leader)) g.leader = g.join_order.empty() ? "" : g.join_order.front();
  ++g.generation;
  if (g.members.empty()) {
    g.state = GroupState::Empty;
    g.protocol.clear();
    return;
  }
  g.protocol = g.select_protocol();
  g.state = GroupState::CompletingRebalance;
  log::info("groups", "group {} generation {}: {} members, protocol {}, leader {}", g.id,
            g.generation, g.members.size(), g.protocol, g.leader);
  for (auto& id : g.join_order) {
    Member& m = g.members[id];
    auto cb = std::exchange(m.pending_join, nullptr);
    schedule_session(g, m);
    if (cb) cb(join_result(g, m));
  }
}

JoinResult Coordinator::join_result(const Group& g, const Member& m) const {
  JoinResult r;
  r.generation = g.generation;
  r.protocol = g.protocol;
  r.leader = g.leader;
  r.member_id = m.id;
  if (m.id == g.leader) {
    for (auto& id : g.join_order) {
      const Member& o = g.members.at(id);
      const std::string* md = o.metadata_for(g.protocol);
      r.members.push_back({o.id, o.instance_id, md ? *md : std::string()});
    }
  }
  return r;
}

void Coordinator::sync(const SyncRequest& req, SyncCallback done) {
  auto fail = [&](int16_t e) { done(SyncResult{e, {}}); };
  if (stopped_) return fail(err::kNotCoordinator);
  auto it = groups_.find(req.group_id);
  if (it == groups_.end()) return fail(err::kUnknownMemberId);
  Group& g = it->second;
  if (g.state == GroupState::Dead) return fail(err::kCoordinatorNotAvailable);
  auto mit = g.members.find(req.member_id);
  if (mit == g.members.end()) return fail(err::kUnknownMemberId);
  if (req.generation != g.generation) return fail(err::kIllegalGeneration);
  Member& m = mit->second;
  switch (g.state) {
    case GroupState::Empty:
    case GroupState::Dead:
      return fail(err::kUnknownMemberId);
    case GroupState::PreparingRebalance:
      return fail(err::kRebalanceInProgress);
    case GroupState::Stable:
      schedule_session(g, m);
      return done(SyncResult{err::kNone, m.assignment});
    case GroupState::CompletingRebalance:
      break;
  }
  if (auto old = std::exchange(m.pending_sync, std::move(done)))
    old(SyncResult{err::kRebalanceInProgress, {}});
  cancel_session(m);  // parked: kept alive until the leader's assignment arrives
  if (m.id != g.leader) return;
  for (auto& [id, o] : g.members) o.assignment.clear();
  for (auto& a : req.assignments)
    if (auto o = g.members.find(a.member_id); o != g.members.end())
      o->second.assignment = a.assignment;
  g.state = GroupState::Stable;
  for (auto& id : g.join_order) {
    Member& o = g.members[id];
    if (auto cb = std::exchange(o.pending_sync, nullptr)) {
      schedule_session(g, o);
      cb(SyncResult{err::kNone, o.assignment});
    }
  }
}

int16_t Coordinator::heartbeat(const HeartbeatRequest& req) {
  if (stopped_) return err::kNotCoordinator;
  auto it = groups_.find(req.group_id);
  if (it == groups_.end()) return err::kUnknownMemberId;
  Group& g = it->second;
  if (g.state == GroupState::Dead) return err::kCoordinatorNotAvailable;
  auto mit = g.members.find(req.member_id);
  if (g.state == GroupState::Empty || mit == g.members.end()) return err::kUnknownMemberId;
  if (req.generation != g.generation) return err::kIllegalGeneration;
  Member& m = mit->second;
  if (!m.pending_join && !m.pending_sync) schedule_session(g, m);
  // Heartbeats after the join answer but before the sync are normal (Kafka 2.x+).
  return g.state == GroupState::PreparingRebalance ? err::kRebalanceInProgress : err::kNone;
}

LeaveResult Coordinator::leave(const LeaveRequest& req) {
  LeaveResult res;
  res.members = req.members;
  if (stopped_) {
    res.error = err::kNotCoordinator;
    for (auto& m : res.members) m.error = err::kNotCoordinator;
    return res;
  }
  auto it = groups_.find(req.group_id);
  for (auto& lm : res.members) {
    if (it == groups_.end()) {
      lm.error = err::kUnknownMemberId;
      continue;
    }
    Group& g = it->second;
    if (g.pending_members.erase(lm.member_id)) {
      if (auto t = g.pending_timers.find(lm.member_id); t != g.pending_timers.end()) {
        scheduler_.cancel(t->second);
        g.pending_timers.erase(t);
      }
      lm.error = err::kNone;
      try_complete_join(g);
    } else if (!g.has(lm.member_id)) {
      lm.error = err::kUnknownMemberId;
    } else {
      log::info("groups", "group {}: member {} left", g.id, lm.member_id);
      remove_member(g, lm.member_id);
      lm.error = err::kNone;
    }
  }
  return res;
}

void Coordinator::remove_member(Group& g, const std::string& member_id) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  Member m = std::move(it->second);
  g.members.erase(it);
  std::erase(g.join_order, member_id);
  cancel_session(m);
  if (m.pending_join) {
    JoinResult r;
    r.error = err::kUnknownMemberId;
    r.member_id = member_id;
    m.pending_join(r);
  }
  if (m.pending_sync) m.pending_sync(SyncResult{err::kUnknownMemberId, {}});
  if (g.leader == member_id) g.leader = g.join_order.empty() ? "" : g.join_order.front();
  switch (g.state) {
    case GroupState::Stable:
    case GroupState::CompletingRebalance:
      prepare_rebalance(g);
      break;
    case GroupState::PreparingRebalance:
      try_complete_join(g);
      break;
    case GroupState::Empty:
    case GroupState::Dead:
      break;
  }
}

void Coordinator::reset_assignments_and_fail_syncs(Group& g, int16_t error) {
  for (auto& [id, m] : g.members) {
    m.assignment.clear();
    if (auto cb = std::exchange(m.pending_sync, nullptr)) {
      schedule_session(g, m);
      cb(SyncResult{error, {}});
    }
  }
}

void Coordinator::schedule_session(Group& g, Member& m) {
  cancel_session(m);
  std::weak_ptr<char> alive = alive_;
  m.session_timer = scheduler_.after(m.session_timeout_ms, [this, alive, gid = g.id, mid = m.id] {
    if (alive.lock()) on_session_expired(gid, mid);
  });
}

void Coordinator::cancel_session(Member& m) {
  if (m.session_timer) scheduler_.cancel(std::exchange(m.session_timer, 0));
}

void Coordinator::on_session_expired(const std::string& group_id, const std::string& member_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return;
  auto mit = it->second.members.find(member_id);
  if (mit == it->second.members.end()) return;
  mit->second.session_timer = 0;
  if (mit->second.pending_join || mit->second.pending_sync) return;
  log::info("groups", "group {}: member {} session expired", group_id, member_id);
  remove_member(it->second, member_id);
}

void Coordinator::schedule_pending_expiry(Group& g, const std::string& member_id,
                                          int32_t timeout_ms) {
  std::weak_ptr<char> alive = alive_;
  g.pending_timers[member_id] = scheduler_.after(timeout_ms, [this, alive, gid = g.id, member_id] {
    if (!alive.lock()) return;
    auto it = groups_.find(gid);
    if (it == groups_.end()) return;
    it->second.pending_timers.erase(member_id);
    if (it->second.pending_members.erase(member_id)) try_complete_join(it->second);
  });
}

}  // namespace sluice::kafka::group
