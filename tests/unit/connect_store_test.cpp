// Kafka Connect's internal topics in the embedded log: configs, target states and statuses read
// back after the store is reopened, tombstones forgetting a deleted connector, and the
// validation messages that name the property.
#include "connect/connect_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "connect/validation.h"
#include "log/topic_store.h"

namespace sluice::connect {
namespace {

class ConnectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-connect-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::unique_ptr<log::TopicStore> open() {
    log::TopicStoreOptions o;
    o.dir = dir;
    return std::make_unique<log::TopicStore>(o);
  }
  std::string dir;
};

TEST_F(ConnectStoreTest, ConfigsTargetStatesAndStatusesSurviveAReopen) {
  {
    auto topics = open();
    ConnectStore s(*topics);
    s.put_config("a", {{"connector.class", "PostgresConnector"}, {"topic.prefix", "a"}});
    s.put_config("b", {{"topic.prefix", "b1"}});
    s.put_config("b", {{"topic.prefix", "b2"}});  // the last config wins
    s.put_target_state("b", TargetState::paused);
    s.put_config("c", {{"topic.prefix", "c"}});
    s.put_target_state("c", TargetState::stopped);
    s.put_status("b", {"PAUSED", "", "w:1"}, StoredStatus{"PAUSED", "", "w:1"});
    s.put_status("a", {"RUNNING", "", "w:1"}, StoredStatus{"FAILED", "boom\nat x", "w:1"});
    s.put_config("gone", {{"topic.prefix", "g"}});
    s.remove("gone");
    EXPECT_TRUE(topics->find(kConfigsTopic)->config().compact());
  }
  auto topics = open();
  ConnectStore s(*topics);
  auto configs = s.load_configs();
  ASSERT_EQ(configs.size(), 3u);
  EXPECT_EQ(configs["a"].target, TargetState::running);
  EXPECT_EQ(configs["a"].config.at("connector.class"), "PostgresConnector");
  EXPECT_EQ(configs["b"].config.at("topic.prefix"), "b2");
  EXPECT_EQ(configs["b"].target, TargetState::paused);
  EXPECT_EQ(configs["c"].target, TargetState::stopped);
  EXPECT_EQ(configs.count("gone"), 0u);
  auto statuses = s.load_statuses();
  EXPECT_EQ(statuses["a"].state, "RUNNING");
  EXPECT_EQ(statuses["b"].state, "PAUSED");
  EXPECT_EQ(statuses["b"].worker_id, "w:1");
}

TEST_F(ConnectStoreTest, LastValueAndTombstones) {
  auto topics = open();
  ConnectStore s(*topics);
  EXPECT_FALSE(s.last_value("connect-offsets", "k"));
  s.write("connect-offsets", "k", std::string("v1"));
  s.write("connect-offsets", "other", std::string("x"));
  s.write("connect-offsets", "k", std::string("v2"));
  EXPECT_EQ(s.last_value("connect-offsets", "k"), "v2");
  s.write("connect-offsets", "k", std::nullopt);
  EXPECT_FALSE(s.last_value("connect-offsets", "k"));
  EXPECT_EQ(s.last_value("connect-offsets", "other"), "x");
}

TEST(ConnectValidation, ErrorsNameTheProperty) {
  Properties base = {{"connector.class", kPostgresClass},
                     {"database.hostname", "127.0.0.1"},
                     {"database.user", "postgres"},
                     {"database.dbname", "d"},
                     {"topic.prefix", "p"}};
  EXPECT_EQ(validate(base, false).error_count(), 0u);

  Properties no_class = base;
  no_class.erase("connector.class");
  EXPECT_EQ(validate(no_class, false).errors.count("connector.class"), 1u);

  Properties bad = base;
  bad["decimal.handling.mode"] = "fancy";
  auto v = validate(bad, false);
  ASSERT_EQ(v.error_count(), 1u);
  EXPECT_EQ(v.errors.count("decimal.handling.mode"), 1u);
  EXPECT_NE(v.message().find("contains the following 1 error(s):\ndecimal.handling.mode: "),
            std::string::npos)
      << v.message();

  Properties missing = base;
  missing.erase("database.dbname");
  EXPECT_EQ(validate(missing, false).errors.count("database.dbname"), 1u);

  auto json = validation_json(bad, v);
  EXPECT_NE(json.find(R"("error_count":1)"), std::string::npos);
  EXPECT_NE(json.find(R"("name":"decimal.handling.mode","value":"fancy")"), std::string::npos)
      << json;
}

}  // namespace
}  // namespace sluice::connect
