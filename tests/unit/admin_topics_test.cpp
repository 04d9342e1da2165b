// CreateTopics, DeleteTopics, CreatePartitions and DeleteRecords, encoded as clients send them.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "admin_fixture.h"
#include "kafka/errors.h"
#include "kafka/record_batch.h"

namespace sluice::kafka {
namespace {

struct NewTopic {
  std::string name;
  int32_t partitions = 1;
  int16_t replication = 1;
  std::vector<std::pair<int32_t, std::vector<int32_t>>> assignments = {};
  std::vector<std::pair<std::string, std::optional<std::string>>> configs = {};
};

std::string create_request(const std::vector<NewTopic>& topics, int16_t v,
                           bool validate_only = false) {
  std::string out;
  Writer w(out);
  w.array_count(int32_t(topics.size()));
  for (const auto& t : topics) {
    w.string(t.name);
    w.i32(t.partitions);
    w.i16(t.replication);
    w.array_count(int32_t(t.assignments.size()));
    for (const auto& [p, ids] : t.assignments) {
      w.i32(p);
      w.array_count(int32_t(ids.size()));
      for (int32_t id : ids) w.i32(id);
    }
    w.array_count(int32_t(t.configs.size()));
    for (const auto& [k, v] : t.configs) {
      w.string(k);
      w.nullable_string(v);
    }
  }
  w.i32(30000);
  if (v >= 1) w.boolean(validate_only);
  return out;
}

struct Result {
  std::string name;
  int16_t error;
  std::optional<std::string> message;
};

// The per-topic results of CreateTopics (error messages from v1) or CreatePartitions.
std::vector<Result> parse_results(const std::string& body, bool throttle, bool messages) {
  Reader r(body);
  if (throttle) {
    EXPECT_EQ(r.i32(), 0);
  }
  std::vector<Result> out;
  int32_t n = r.array_count();
  for (int32_t i = 0; i < n; ++i) {
    Result x{std::string(r.string()), r.i16(), std::nullopt};
    if (messages) {
      if (auto m = r.nullable_string()) x.message = std::string(*m);
    }
    out.push_back(x);
  }
  EXPECT_EQ(r.remaining(), 0u);
  return out;
}

class CreateTopicsTest : public AdminTest {
 protected:
  std::vector<Result> create(const std::vector<NewTopic>& topics, int16_t v,
                             bool validate_only = false) {
    return parse_results(call(admin::create_topics, v, create_request(topics, v, validate_only)),
                         v >= 2, v >= 1);
  }
  int32_t partitions(const std::string& name) {
    auto t = store->find(name);
    return t ? t->partition_count() : -1;
  }
};

TEST_F(CreateTopicsTest, CreatesWithCountsAndConfigs) {
  auto r = create({{"a", 2, 1, {}, {{"cleanup.policy", "compact"}}}, {"b", 1, 1}}, 0);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].name, "a");
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(r[1].error, 0);
  EXPECT_EQ(partitions("a"), 2);
  EXPECT_TRUE(store->find("a")->config().compact());
  // v2+ carries a throttle time; v1+ messages are null on success.
  r = create({{"c", 1, 1}}, 3);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, 0);
  EXPECT_FALSE(r[0].message);
  r = create({{"c", 1, 1}}, 2);
  EXPECT_EQ(r[0].error, err::kTopicAlreadyExists);
  EXPECT_EQ(r[0].message, "Topic 'c' already exists.");
}

TEST_F(CreateTopicsTest, MinusOneMeansTheBrokerDefault) {
  auto r = create({{"d4", -1, -1}}, 4);
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(partitions("d4"), 3);
  r = create({{"d3", -1, 1}, {"e3", 2, -1}}, 3);  // KafkaJS sends -1 with v3
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(r[1].error, 0);
  EXPECT_EQ(partitions("d3"), 3);
  EXPECT_EQ(partitions("e3"), 2);
  r = create({{"z", 0, 1}, {"m", 1, -2}}, 3);
  EXPECT_EQ(r[0].error, err::kInvalidPartitions);
  EXPECT_EQ(r[1].error, err::kInvalidReplicationFactor);
}

TEST_F(CreateTopicsTest, RefusesWhatOneNodeCannotDo) {
  auto r = create({{"rf", 1, 3}, {"zero", 0, 1}, {"bad/name", 1, 1}}, 1);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].error, err::kInvalidReplicationFactor);
  EXPECT_EQ(r[0].message, "Replication factor: 3 larger than available brokers: 1.");
  EXPECT_EQ(r[1].error, err::kInvalidPartitions);
  EXPECT_EQ(r[2].error, err::kInvalidTopicException);
  EXPECT_TRUE(store->list().empty());
}

TEST_F(CreateTopicsTest, ManualAssignmentsOnlyOnThisNode) {
  auto r = create({{"m", -1, -1, {{0, {0}}, {1, {0}}}}}, 1);
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(partitions("m"), 2);
  r = create({{"other", -1, -1, {{0, {1}}}},
              {"two", -1, -1, {{0, {0, 1}}}},
              {"gap", -1, -1, {{0, {0}}, {2, {0}}}},
              {"both", 2, -1, {{0, {0}}}}},
             1);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].error, err::kInvalidReplicaAssignment);
  EXPECT_EQ(r[1].error, err::kInvalidReplicaAssignment);
  EXPECT_EQ(r[2].error, err::kInvalidReplicaAssignment);
  EXPECT_EQ(r[3].error, err::kInvalidRequest);
}

TEST_F(CreateTopicsTest, ConfigErrorsAndDuplicatesAndValidateOnly) {
  auto r = create({{"x", 1, 1, {}, {{"retention.ms", "soon"}}},
                   {"y", 1, 1, {}, {{"no.such", "1"}}},
                   {"z", 1, 1, {}, {{"retention.ms", std::nullopt}}}},
                  1);
  EXPECT_EQ(r[0].error, err::kInvalidConfig);
  EXPECT_NE(r[0].message->find("retention.ms"), std::string::npos);
  EXPECT_EQ(r[1].error, err::kInvalidConfig);
  EXPECT_EQ(r[1].message, "unknown topic config 'no.such'");
  EXPECT_EQ(r[2].error, err::kInvalidConfig);
  r = create({{"dup", 1, 1}, {"dup", 2, 1}}, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, err::kInvalidRequest);
  EXPECT_EQ(partitions("dup"), -1);
  r = create({{"dry", 4, 1}}, 1, /*validate_only=*/true);
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(partitions("dry"), -1);
  // v0 has no error messages at all.
  r = create({{"x", 1, 1, {}, {{"retention.ms", "soon"}}}}, 0);
  EXPECT_EQ(r[0].error, err::kInvalidConfig);
  EXPECT_FALSE(r[0].message);
}

TEST_F(AdminTest, DeleteTopics) {
  ASSERT_EQ(store->create("gone", 2, {}).error, 0);
  for (int16_t v : {0, 1, 3}) {
    std::string req;
    Writer w(req);
    w.array_count(2);
    w.string("gone");
    w.string("never");
    w.i32(1000);
    std::string body = call(admin::delete_topics, v, req);
    Reader r(body);
    if (v >= 1) {
      EXPECT_EQ(r.i32(), 0);
    }
    ASSERT_EQ(r.array_count(), 2);
    EXPECT_EQ(r.string(), "gone");
    EXPECT_EQ(r.i16(), v == 0 ? err::kNone : err::kUnknownTopicOrPartition);
    EXPECT_EQ(r.string(), "never");
    EXPECT_EQ(r.i16(), err::kUnknownTopicOrPartition);
    EXPECT_EQ(r.remaining(), 0u);
  }
  EXPECT_EQ(store->find("gone"), nullptr);
}

std::string partitions_request(
    const std::vector<
        std::tuple<std::string, int32_t, std::optional<std::vector<std::vector<int32_t>>>>>& topics,
    bool validate_only) {
  std::string out;
  Writer w(out);
  w.array_count(int32_t(topics.size()));
  for (const auto& [name, count, assignments] : topics) {
    w.string(name);
    w.i32(count);
    if (!assignments) {
      w.array_count(-1);
      continue;
    }
    w.array_count(int32_t(assignments->size()));
    for (const auto& ids : *assignments) {
      w.array_count(int32_t(ids.size()));
      for (int32_t id : ids) w.i32(id);
    }
  }
  w.i32(1000);
  w.boolean(validate_only);
  return out;
}

TEST_F(AdminTest, CreatePartitions) {
  ASSERT_EQ(store->create("p", 1, {}).error, 0);
  auto run = [&](auto topics, bool validate_only = false) {
    return parse_results(
        call(admin::create_partitions, 1, partitions_request(topics, validate_only)), true, true);
  };
  using Assign = std::optional<std::vector<std::vector<int32_t>>>;
  auto r = run(std::vector<std::tuple<std::string, int32_t, Assign>>{{"p", 3, std::nullopt},
                                                                     {"nope", 2, std::nullopt}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].error, 0);
  EXPECT_FALSE(r[0].message);
  EXPECT_EQ(r[1].error, err::kUnknownTopicOrPartition);
  EXPECT_EQ(store->find("p")->partition_count(), 3);

  r = run(std::vector<std::tuple<std::string, int32_t, Assign>>{{"p", 2, std::nullopt}});
  EXPECT_EQ(r[0].error, err::kInvalidPartitions);
  EXPECT_TRUE(r[0].message);
  r = run(std::vector<std::tuple<std::string, int32_t, Assign>>{
      {"p", 5, Assign{{{0}}}}});  // two partitions added, one assignment
  EXPECT_EQ(r[0].error, err::kInvalidReplicaAssignment);
  r = run(std::vector<std::tuple<std::string, int32_t, Assign>>{{"p", 4, Assign{{{1}}}}});
  EXPECT_EQ(r[0].error, err::kInvalidReplicaAssignment);
  r = run(std::vector<std::tuple<std::string, int32_t, Assign>>{{"p", 4, Assign{{{0}}}}}, true);
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(store->find("p")->partition_count(), 3) << "validate only";
  r = run(std::vector<std::tuple<std::string, int32_t, Assign>>{{"p", 4, Assign{{{0}}}}});
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(store->find("p")->partition_count(), 4);
  r = run(std::vector<std::tuple<std::string, int32_t, Assign>>{{"p", 6, std::nullopt},
                                                                {"p", 7, std::nullopt}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, err::kInvalidRequest);
}

TEST_F(AdminTest, DeleteRecords) {
  auto created = store->create("r", 1, {});
  ASSERT_EQ(created.error, 0);
  auto part = created.topic->partition(0);
  for (int b = 0; b < 2; ++b) {
    BatchBuilder bb(1000);
    for (int i = 0; i < 5; ++i) bb.add(std::nullopt, std::string_view("v"), 1000 + i);
    ASSERT_EQ(part->append(bb.finish(), created.topic->config()).error, 0);
  }
  ASSERT_EQ(part->end_offset(), 10);
  auto run = [&](int16_t v, std::string topic, std::vector<std::pair<int32_t, int64_t>> parts) {
    std::string req;
    Writer w(req);
    w.array_count(1);
    w.string(topic);
    w.array_count(int32_t(parts.size()));
    for (auto [p, o] : parts) {
      w.i32(p);
      w.i64(o);
    }
    w.i32(1000);
    std::string body = call(admin::delete_records, v, req);
    Reader r(body);
    EXPECT_EQ(r.i32(), 0);
    EXPECT_EQ(r.array_count(), 1);
    EXPECT_EQ(r.string(), topic);
    std::vector<std::tuple<int32_t, int64_t, int16_t>> out;
    int32_t n = r.array_count();
    for (int32_t i = 0; i < n; ++i) {
      int32_t p = r.i32();
      int64_t low = r.i64();
      out.emplace_back(p, low, r.i16());
    }
    EXPECT_EQ(r.remaining(), 0u);
    return out;
  };
  using R = std::tuple<int32_t, int64_t, int16_t>;
  auto r = run(0, "r", {{0, 5}, {1, 0}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], R(0, 5, 0));
  EXPECT_EQ(r[1], R(1, -1, err::kUnknownTopicOrPartition));
  EXPECT_EQ(part->start_offset(), 5);
  EXPECT_EQ(run(1, "r", {{0, 11}})[0], R(0, -1, err::kOffsetOutOfRange));
  EXPECT_EQ(run(1, "r", {{0, -2}})[0], R(0, -1, err::kOffsetOutOfRange));
  EXPECT_EQ(run(1, "r", {{0, 3}})[0], R(0, 5, 0)) << "below the start: nothing to do";
  EXPECT_EQ(run(1, "r", {{0, -1}})[0], R(0, 10, 0)) << "-1: the high watermark";
  EXPECT_EQ(run(1, "missing", {{0, 1}})[0], R(0, -1, err::kUnknownTopicOrPartition));
}

TEST(AdminApis, RegisteredNonFlexibleVersionsFromZero) {
  ApiTable t;
  register_admin_apis(t);
  std::map<int16_t, int16_t> max = {{19, 4}, {20, 3}, {21, 1}, {32, 3}, {33, 1}, {37, 1}, {44, 0}};
  ASSERT_EQ(t.entries().size(), max.size());
  for (const auto& [key, e] : t.entries()) {
    EXPECT_EQ(e.min_version, 0) << key;
    EXPECT_EQ(e.max_version, max[key]) << key;
    EXPECT_FALSE(e.before_auth) << key;
  }
}

TEST_F(AdminTest, HandlerAnswersThroughTheResponder) {
  ApiTable t;
  register_admin_apis(t);
  std::string req = create_request({{"via", 1, 1}}, 4);
  Reader in(req);
  Session session;
  std::optional<std::string> answer;
  Request r{RequestHeader{19, 4, 7, std::nullopt, false}, in, broker, session,
            Responder::make([&](Responder::Outcome o, std::string body) {
              EXPECT_EQ(o, Responder::Outcome::send);
              answer = std::move(body);
            })};
  t.find(19)->handler(r);
  ASSERT_TRUE(answer);
  auto res = parse_results(*answer, true, true);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].error, 0);
  EXPECT_NE(store->find("via"), nullptr);
}

}  // namespace
}  // namespace sluice::kafka
