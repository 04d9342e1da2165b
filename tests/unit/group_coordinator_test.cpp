// The classic group state machine, driven by direct calls and a hand-cranked clock.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "kafka/errors.h"
#include "kafka/group/coordinator.h"
#include "kafka/group/manual_scheduler.h"

namespace sluice::kafka::group {
namespace {

constexpr int32_t kSession = 10000;
constexpr int32_t kRebalance = 30000;
constexpr int64_t kDelay = 100;

using JoinSlot = std::shared_ptr<std::optional<JoinResult>>;
using SyncSlot = std::shared_ptr<std::optional<SyncResult>>;

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  GroupCoordinatorTest() {
    broker.scheduler = &sched;
    broker.config.group_initial_rebalance_delay_ms = kDelay;
    coord = std::make_unique<Coordinator>(broker);
  }

  JoinRequest join_req(const std::string& member,
                       std::vector<Protocol> protocols = {{"range", "md"}}, bool v4 = false) {
    JoinRequest r;
    r.group_id = "g";
    r.session_timeout_ms = kSession;
    r.rebalance_timeout_ms = kRebalance;
    r.member_id = member;
    r.protocol_type = "consumer";
    r.protocols = std::move(protocols);
    r.require_known_member_id = v4;
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    return r;
  }
  JoinSlot join(const JoinRequest& r) {
    auto slot = std::make_shared<std::optional<JoinResult>>();
    coord->join(r, [slot](const JoinResult& res) { *slot = res; });
    return slot;
  }
  JoinSlot join(const std::string& member) { return join(join_req(member)); }
  SyncSlot sync(const std::string& member, int32_t generation,
                std::vector<Assignment> assignments = {}) {
    auto slot = std::make_shared<std::optional<SyncResult>>();
    coord->sync({"g", generation, member, std::nullopt, std::move(assignments)},
                [slot](const SyncResult& res) { *slot = res; });
    return slot;
  }
  int16_t heartbeat(const std::string& member, int32_t generation) {
    return coord->heartbeat({"g", generation, member, std::nullopt});
  }
  GroupState state() const { return coord->find("g")->state; }

  // Two members through join and sync: returns {leader id, follower id}, generation 1.
  std::pair<std::string, std::string> stable_pair() {
    auto a = join("");
    auto b = join("");
    EXPECT_FALSE(a->has_value());
    sched.advance(2 * kDelay);  // b arrived within the initial delay, which adds one more
    EXPECT_TRUE(a->has_value() && b->has_value());
    std::string la = (*a)->member_id, lb = (*b)->member_id;
    auto sb = sync(lb, 1);
    auto sa = sync(la, 1, {{la, "A"}, {lb, "B"}});
    EXPECT_TRUE(sa->has_value() && sb->has_value());
    EXPECT_EQ(state(), GroupState::Stable);
    return {la, lb};
  }

  ManualScheduler sched;
  Broker broker;
  std::unique_ptr<Coordinator> coord;
};

TEST_F(GroupCoordinatorTest, TwoMembersJoinLeaderAssignsFollowerWaits) {
  auto a = join("");
  ASSERT_FALSE(a->has_value());  // the initial delay holds the first join
  EXPECT_EQ(state(), GroupState::PreparingRebalance);
  auto b = join("");
  sched.advance(kDelay - 1);
  EXPECT_FALSE(a->has_value());
  sched.advance(1);  // a member arrived during the delay, but only within the delay window
  ASSERT_FALSE(a->has_value());
  sched.advance(kDelay);
  ASSERT_TRUE(a->has_value() && b->has_value());
  const JoinResult& ra = **a;
  const JoinResult& rb = **b;
  EXPECT_EQ(ra.error, err::kNone);
  EXPECT_EQ(ra.generation, 1);
  EXPECT_EQ(rb.generation, 1);
  EXPECT_EQ(ra.protocol, "range");
  EXPECT_EQ(ra.leader, ra.member_id);
  EXPECT_EQ(rb.leader, ra.member_id);
  EXPECT_EQ(ra.member_id.rfind("client-", 0), 0u);
  EXPECT_NE(ra.member_id, rb.member_id);
  ASSERT_EQ(ra.members.size(), 2u);  // only the leader sees the members
  EXPECT_EQ(ra.members[0].metadata, "md");
  EXPECT_TRUE(rb.members.empty());
  EXPECT_EQ(state(), GroupState::CompletingRebalance);

  auto sb = sync(rb.member_id, 1);
  EXPECT_FALSE(sb->has_value());  // parked until the leader's assignment
  EXPECT_EQ(heartbeat(rb.member_id, 1), err::kNone);
  auto sa = sync(ra.member_id, 1, {{ra.member_id, "A"}, {rb.member_id, "B"}});
  ASSERT_TRUE(sa->has_value() && sb->has_value());
  EXPECT_EQ((*sa)->assignment, "A");
  EXPECT_EQ((*sb)->assignment, "B");
  EXPECT_EQ(state(), GroupState::Stable);
  EXPECT_EQ(heartbeat(ra.member_id, 1), err::kNone);

  auto d = coord->describe("g");
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol, "range");
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_EQ(d.members[1].assignment, "B");
  EXPECT_EQ(d.members[1].client_host, "/127.0.0.1");
  EXPECT_EQ(d.members[1].metadata, "md");
}

TEST_F(GroupCoordinatorTest, MemberIdRequiredThenRejoin) {
  auto first = join(join_req("", {{"range", "md"}}, true));
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->error, err::kMemberIdRequired);
  std::string id = (*first)->member_id;
  EXPECT_EQ(id.rfind("client-", 0), 0u);
  EXPECT_EQ(id.size(), std::string("client-").size() + 36);
  EXPECT_EQ(state(), GroupState::Empty);  // not a member until it comes back
  auto again = join(join_req(id, {{"range", "md"}}, true));
  sched.advance(kDelay);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->error, err::kNone);
  EXPECT_EQ((*again)->member_id, id);
  EXPECT_EQ((*again)->leader, id);
  // An id that was never handed out is refused.
  auto bogus = join(join_req("client-nope", {{"range", "md"}}, true));
  ASSERT_TRUE(bogus->has_value());
  EXPECT_EQ((*bogus)->error, err::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, ThirdMemberTriggersRebalance) {
  auto [la, lb] = stable_pair();
  auto c = join("");
  EXPECT_FALSE(c->has_value());
  EXPECT_EQ(state(), GroupState::PreparingRebalance);
  EXPECT_EQ(heartbeat(la, 1), err::kRebalanceInProgress);
  EXPECT_EQ(sync(lb, 1)->value().error, err::kRebalanceInProgress);
  auto ja = join(la);
  EXPECT_FALSE(ja->has_value());
  auto jb = join(lb);  // the last one in completes the phase at once
  ASSERT_TRUE(ja->has_value() && jb->has_value() && c->has_value());
  EXPECT_EQ((*ja)->generation, 2);
  EXPECT_EQ((*ja)->leader, la);  // the old leader stays leader
  EXPECT_EQ((*ja)->members.size(), 3u);
  EXPECT_EQ((*c)->generation, 2);
  EXPECT_EQ(heartbeat(la, 1), err::kIllegalGeneration);
  EXPECT_EQ(heartbeat(la, 2), err::kNone);
}

TEST_F(GroupCoordinatorTest, RebalanceTimeoutDropsMembersThatDidNotRejoin) {
  auto [la, lb] = stable_pair();
  auto c = join("");
  auto ja = join(la);
  // lb keeps heartbeating (so its session holds) but never rejoins.
  for (int i = 0; i < 5; ++i) {
    sched.advance(kRebalance / 6);
    EXPECT_EQ(heartbeat(lb, 1), err::kRebalanceInProgress);
  }
  EXPECT_FALSE(ja->has_value());
  sched.advance(kRebalance / 6);
  ASSERT_TRUE(ja->has_value() && c->has_value());
  EXPECT_EQ((*ja)->generation, 2);
  EXPECT_EQ((*ja)->members.size(), 2u);
  EXPECT_EQ(heartbeat(lb, 2), err::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, SessionExpiryRemovesMemberAndRebalances) {
  auto [la, lb] = stable_pair();
  sched.advance(kSession - 1000);
  EXPECT_EQ(heartbeat(la, 1), err::kNone);
  sched.advance(1000);  // lb's session runs out; la's was renewed
  EXPECT_EQ(state(), GroupState::PreparingRebalance);
  EXPECT_EQ(heartbeat(lb, 1), err::kUnknownMemberId);
  EXPECT_EQ(heartbeat(la, 1), err::kRebalanceInProgress);
  auto ja = join(la);
  ASSERT_TRUE(ja->has_value());
  EXPECT_EQ((*ja)->generation, 2);
  EXPECT_EQ((*ja)->members.size(), 1u);
  // Alone and silent: expires too, and the group empties.
  EXPECT_EQ(sync(la, 2, {{la, "A"}})->value().error, err::kNone);
  sched.advance(kSession);
  EXPECT_EQ(state(), GroupState::Empty);
  EXPECT_EQ(coord->find("g")->generation, 3);
}

TEST_F(GroupCoordinatorTest, LeaveRebalancesAndLastLeaveEmpties) {
  auto [la, lb] = stable_pair();
  auto res = coord->leave({"g", {{la, std::nullopt, 0}}});
  ASSERT_EQ(res.members.size(), 1u);
  EXPECT_EQ(res.members[0].error, err::kNone);
  EXPECT_EQ(state(), GroupState::PreparingRebalance);
  auto jb = join(lb);
  ASSERT_TRUE(jb->has_value());
  EXPECT_EQ((*jb)->leader, lb);  // the leader left: the remaining member leads
  EXPECT_EQ((*jb)->generation, 2);
  EXPECT_EQ(coord->leave({"g", {{lb, std::nullopt, 0}, {"x", std::nullopt, 0}}}).members[1].error,
            err::kUnknownMemberId);
  EXPECT_EQ(state(), GroupState::Empty);
  EXPECT_EQ(coord->describe("g").state, "Empty");
  EXPECT_EQ(coord->leave({"nope", {{lb, std::nullopt, 0}}}).members[0].error,
            err::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, GenerationAndMemberChecks) {
  auto [la, lb] = stable_pair();
  EXPECT_EQ(heartbeat(la, 7), err::kIllegalGeneration);
  EXPECT_EQ(heartbeat("ghost", 1), err::kUnknownMemberId);
  EXPECT_EQ(sync(la, 7)->value().error, err::kIllegalGeneration);
  EXPECT_EQ(sync("ghost", 1)->value().error, err::kUnknownMemberId);
  EXPECT_EQ(coord->heartbeat({"other", 1, la, std::nullopt}), err::kUnknownMemberId);
  // A follower asking again in Stable gets its assignment again.
  EXPECT_EQ(sync(lb, 1)->value().assignment, "B");
  // A follower rejoining unchanged in Stable gets the current generation without a rebalance.
  auto jb = join(lb);
  ASSERT_TRUE(jb->has_value());
  EXPECT_EQ((*jb)->generation, 1);
  EXPECT_EQ(state(), GroupState::Stable);
}

TEST_F(GroupCoordinatorTest, RefusesBadSessionTimeoutAndForeignProtocols) {
  auto r = join_req("");
  r.session_timeout_ms = 5999;
  EXPECT_EQ(join(r)->value().error, err::kInvalidSessionTimeout);
  r.session_timeout_ms = 1800001;
  EXPECT_EQ(join(r)->value().error, err::kInvalidSessionTimeout);
  auto [la, lb] = stable_pair();
  EXPECT_EQ(join(join_req("", {{"sticky", ""}}))->value().error, err::kInconsistentGroupProtocol);
  auto other_type = join_req("");
  other_type.protocol_type = "connect";
  EXPECT_EQ(join(other_type)->value().error, err::kInconsistentGroupProtocol);
  auto no_group = join_req("");
  no_group.group_id = "";
  EXPECT_EQ(join(no_group)->value().error, err::kInvalidGroupId);
}

TEST_F(GroupCoordinatorTest, ProtocolChosenByVoteAmongCommonOnes) {
  auto a = join(join_req("", {{"range", "1"}, {"roundrobin", "2"}, {"sticky", "3"}}));
  auto b = join(join_req("", {{"roundrobin", "4"}, {"range", "5"}}));
  auto c = join(join_req("", {{"roundrobin", "6"}, {"range", "7"}}));
  sched.advance(kDelay);
  sched.advance(kDelay);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->protocol, "roundrobin");
  ASSERT_EQ((*a)->members.size(), 3u);
  EXPECT_EQ((*a)->members[0].metadata, "2");  // each member's metadata for the chosen protocol
  EXPECT_EQ((*a)->members[2].metadata, "6");
}

TEST_F(GroupCoordinatorTest, LeaderFailingToSyncRestartsTheRebalance) {
  auto a = join("");
  auto b = join("");
  sched.advance(2 * kDelay);
  ASSERT_TRUE(a->has_value() && b->has_value());
  auto sb = sync((*b)->member_id, 1);
  EXPECT_FALSE(sb->has_value());
  sched.advance(kSession);  // the leader never syncs; the parked follower is kept alive
  ASSERT_TRUE(sb->has_value());
  EXPECT_EQ((*sb)->error, err::kRebalanceInProgress);
  auto jb = join((*b)->member_id);
  ASSERT_TRUE(jb->has_value());
  EXPECT_EQ((*jb)->leader, (*b)->member_id);
  EXPECT_EQ((*jb)->generation, 2);
}

TEST_F(GroupCoordinatorTest, ShutdownAnswersParkedRequests) {
  auto a = join("");
  coord->shutdown();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->error, err::kNotCoordinator);
  EXPECT_EQ(sched.pending_timers(), 0u);
  EXPECT_EQ(join("")->value().error, err::kNotCoordinator);
}

}  // namespace
}  // namespace sluice::kafka::group
