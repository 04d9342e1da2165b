// Committed offsets: the commit rules, fetch, group administration, and durability across a
// restart through the __consumer_offsets topic.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "kafka/errors.h"
#include "kafka/group/coordinator.h"
#include "kafka/group/manual_scheduler.h"
#include "log/topic_store.h"

namespace sluice::kafka::group {
namespace {

namespace fs = std::filesystem;

CommitRequest commit_req(const std::string& group, std::vector<CommitTopic> topics,
                         int32_t generation = -1, const std::string& member = "") {
  return {group, generation, member, std::nullopt, std::move(topics)};
}

class GroupOffsetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-groups-XXXXXX";
    dir = mkdtemp(tmpl);
    broker.scheduler = &sched;
    broker.config.group_initial_rebalance_delay_ms = 0;
  }
  void TearDown() override {
    coord.reset();
    store.reset();
    fs::remove_all(dir);
  }
  // durable: over a TopicStore in dir (reopened each time); else in memory.
  void open(bool durable) {
    coord.reset();
    store.reset();
    if (durable) store = std::make_unique<log::TopicStore>(log::TopicStoreOptions{dir});
    broker.topics = store.get();
    coord = std::make_unique<Coordinator>(broker);
    coord->load();
  }
  // Commits and waits for the answer (which comes after the fsync, via post()).
  CommitResult commit(const CommitRequest& req) {
    std::optional<CommitResult> out;
    coord->commit_offsets(req, [&](const CommitResult& r) { out = r; });
    for (int i = 0; i < 5000 && !out; ++i) {
      if (!sched.run_posted()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(out.has_value());
    return out.value_or(CommitResult{});
  }
  std::vector<DeleteGroupResult> remove(const std::vector<std::string>& ids) {
    std::optional<std::vector<DeleteGroupResult>> out;
    coord->delete_groups(ids, [&](const std::vector<DeleteGroupResult>& r) { out = r; });
    for (int i = 0; i < 5000 && !out; ++i) {
      if (!sched.run_posted()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_TRUE(out.has_value());
    return out.value_or(std::vector<DeleteGroupResult>{});
  }
  FetchedPartition fetch_one(const std::string& group, const std::string& topic, int32_t p) {
    auto r = coord->fetch_offsets({group, std::vector<FetchTopicRequest>{{topic, {p}}}});
    return r.topics.at(0).partitions.at(0);
  }
  // A member of group "g" at generation 1, Stable; returns its id.
  std::string stable_member() {
    JoinRequest j;
    j.group_id = "g";
    j.session_timeout_ms = 10000;
    j.protocol_type = "consumer";
    j.protocols = {{"range", "md"}};
    j.client_id = "c";
    std::string id;
    coord->join(j, [&](const JoinResult& r) { id = r.member_id; });
    EXPECT_FALSE(id.empty());
    std::optional<SyncResult> s;
    coord->sync({"g", 1, id, std::nullopt, {{id, "A"}}}, [&](const SyncResult& r) { s = r; });
    EXPECT_TRUE(s && s->error == err::kNone);
    return id;
  }

  std::string dir;
  ManualScheduler sched;
  Broker broker;
  std::unique_ptr<log::TopicStore> store;
  std::unique_ptr<Coordinator> coord;
};

TEST_F(GroupOffsetsTest, SimpleCommitAndFetchWithMetadata) {
  open(false);
  EXPECT_EQ(fetch_one("g", "t", 0).offset, -1);  // never committed
  auto r = commit(commit_req("g", {{"t", {{0, 42, 3, "meta", 0}, {1, 7, -1, std::nullopt, 0}}}}));
  ASSERT_EQ(r.topics.at(0).partitions.size(), 2u);
  EXPECT_EQ(r.topics[0].partitions[0].error, err::kNone);
  auto p0 = fetch_one("g", "t", 0);
  EXPECT_EQ(p0.offset, 42);
  EXPECT_EQ(p0.leader_epoch, 3);
  EXPECT_EQ(p0.metadata, "meta");
  EXPECT_EQ(fetch_one("g", "t", 1).metadata, "");
  EXPECT_EQ(fetch_one("g", "t", 2).offset, -1);
  EXPECT_EQ(fetch_one("other", "t", 0).offset, -1);

  // Metadata up to 4096 bytes round-trips; beyond, that partition alone is refused.
  std::string big(4096, 'm');
  r = commit(commit_req("g", {{"t", {{0, 43, -1, big, 0}, {1, 8, -1, big + "x", 0}}}}));
  EXPECT_EQ(r.topics[0].partitions[0].error, err::kNone);
  EXPECT_EQ(r.topics[0].partitions[1].error, err::kOffsetMetadataTooLarge);
  EXPECT_EQ(fetch_one("g", "t", 0).metadata, big);
  EXPECT_EQ(fetch_one("g", "t", 1).offset, 7);

  // Null topics: everything the group committed.
  commit(commit_req("g", {{"u", {{5, 1, -1, std::nullopt, 0}}}}));
  auto all = coord->fetch_offsets({"g", std::nullopt});
  ASSERT_EQ(all.topics.size(), 2u);
  EXPECT_EQ(all.topics[0].name, "t");
  EXPECT_EQ(all.topics[0].partitions.size(), 2u);
  EXPECT_EQ(all.topics[1].name, "u");
  EXPECT_EQ(all.topics[1].partitions[0].partition, 5);
}

TEST_F(GroupOffsetsTest, MemberCommitsAreCheckedAgainstTheGroup) {
  open(false);
  std::string id = stable_member();
  auto t = std::vector<CommitTopic>{{"t", {{0, 10, -1, std::nullopt, 0}}}};
  EXPECT_EQ(commit(commit_req("g", t, 1, id)).topics[0].partitions[0].error, err::kNone);
  EXPECT_EQ(commit(commit_req("g", t, 2, id)).topics[0].partitions[0].error,
            err::kIllegalGeneration);
  EXPECT_EQ(commit(commit_req("g", t, 1, "ghost")).topics[0].partitions[0].error,
            err::kUnknownMemberId);
  // A group with members refuses memberless commits.
  EXPECT_EQ(commit(commit_req("g", t)).topics[0].partitions[0].error, err::kUnknownMemberId);
  // An unknown group with a generation: a member from before a restart, still accepted.
  EXPECT_EQ(commit(commit_req("h", t, 3, "old")).topics[0].partitions[0].error, err::kNone);
  EXPECT_EQ(fetch_one("g", "t", 0).offset, 10);

  // Once the member leaves, the Empty group accepts simple commits again.
  coord->leave({"g", {{id, std::nullopt, 0}}});
  EXPECT_EQ(coord->find("g")->state, GroupState::Empty);
  EXPECT_EQ(commit(commit_req("g", t)).topics[0].partitions[0].error, err::kNone);
  EXPECT_EQ(commit(commit_req("g", t, 1, id)).topics[0].partitions[0].error, err::kUnknownMemberId);
}

TEST_F(GroupOffsetsTest, ListDescribeAndDeleteGroups) {
  open(false);
  std::string id = stable_member();
  commit(commit_req("g", {{"t", {{0, 10, -1, std::nullopt, 0}}}}, 1, id));
  commit(commit_req("simple", {{"t", {{0, 5, -1, std::nullopt, 0}}}}));
  auto groups = coord->list();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].group_id, "g");
  EXPECT_EQ(groups[0].protocol_type, "consumer");
  EXPECT_EQ(groups[1].group_id, "simple");
  EXPECT_EQ(groups[1].protocol_type, "");
  EXPECT_EQ(coord->describe("simple").state, "Empty");
  EXPECT_EQ(coord->describe("nope").state, "Dead");
  EXPECT_EQ(coord->describe("nope").error, err::kNone);

  auto res = remove({"g", "nope", "simple"});
  ASSERT_EQ(res.size(), 3u);
  EXPECT_EQ(res[0].error, err::kNonEmptyGroup);
  EXPECT_EQ(res[1].error, err::kGroupIdNotFound);
  EXPECT_EQ(res[2].error, err::kNone);
  EXPECT_EQ(fetch_one("simple", "t", 0).offset, -1);

  coord->leave({"g", {{id, std::nullopt, 0}}});
  EXPECT_EQ(remove({"g"}).at(0).error, err::kNone);
  EXPECT_EQ(fetch_one("g", "t", 0).offset, -1);
  EXPECT_TRUE(coord->list().empty());
  EXPECT_EQ(remove({"g"}).at(0).error, err::kGroupIdNotFound);
}

TEST_F(GroupOffsetsTest, OffsetsSurviveARestart) {
  open(true);
  ASSERT_TRUE(store->find(kOffsetsTopic));
  EXPECT_TRUE(store->find(kOffsetsTopic)->config().compact());
  store->create("t", 2, {});  // commits are only taken for partitions that exist
  store->create("w", 300, {});
  commit(commit_req("g", {{"t", {{0, 42, 3, "meta", 0}, {1, 7, -1, std::nullopt, 0}}}}));
  commit(commit_req("g", {{"t", {{0, 43, 4, "later", 0}}}}));  // the last one wins
  commit(commit_req("gone", {{"t", {{0, 1, -1, std::nullopt, 0}}}}));
  EXPECT_EQ(remove({"gone"}).at(0).error, err::kNone);
  // Many partitions in one commit span several batches.
  std::vector<CommitPartition> many;
  for (int32_t p = 0; p < 300; ++p) many.push_back({p, p * 10, -1, std::string(2000, 'x'), 0});
  auto r = commit(commit_req("wide", {{"w", many}}));
  for (auto& p : r.topics[0].partitions) ASSERT_EQ(p.error, err::kNone);

  open(true);  // a new store and coordinator over the same directory
  auto p0 = fetch_one("g", "t", 0);
  EXPECT_EQ(p0.offset, 43);
  EXPECT_EQ(p0.leader_epoch, 4);
  EXPECT_EQ(p0.metadata, "later");
  EXPECT_EQ(fetch_one("g", "t", 1).offset, 7);
  EXPECT_EQ(fetch_one("gone", "t", 0).offset, -1);
  EXPECT_EQ(fetch_one("wide", "w", 299).offset, 2990);
  EXPECT_EQ(fetch_one("wide", "w", 299).metadata.size(), 2000u);
  auto groups = coord->list();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].group_id, "g");
  EXPECT_EQ(groups[1].group_id, "wide");
}

TEST_F(GroupOffsetsTest, RecordLayoutMatchesKafkas) {
  // OffsetCommitKey v1: version, group, topic, partition.
  EXPECT_EQ(encode_offset_key("g", "t", 1), std::string("\0\1\0\1g\0\1t\0\0\0\1", 12));
  CommittedOffset v{5, -1, "m", 2};
  std::string value = encode_offset_value(v);
  ASSERT_EQ(value.size(), 2u + 8 + 4 + 3 + 8);
  EXPECT_EQ(value.substr(0, 2), std::string("\0\3", 2));
}

}  // namespace
}  // namespace sluice::kafka::group
