// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs, encoded as clients send them.
#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "admin_fixture.h"
#include "kafka/errors.h"
#include "log/topic_config.h"
#include "log/topic_config_meta.h"

namespace sluice::kafka {
namespace {

struct Synonym {
  std::string name;
  std::optional<std::string> value;
  int8_t source;
};

struct Entry {
  std::string name;
  std::optional<std::string> value;
  bool read_only = false;
  int8_t source = -1;       // v1+
  bool is_default = false;  // v0
  std::vector<Synonym> synonyms;
  int8_t type = 0;  // v3+
};

struct Described {
  int16_t error;
  std::optional<std::string> message;
  int8_t type;
  std::string name;
  std::vector<Entry> configs;
  const Entry* find(std::string_view n) const {
    for (const auto& e : configs)
      if (e.name == n) return &e;
    return nullptr;
  }
};

struct Resource {
  int8_t type;
  std::string name;
  std::optional<std::vector<std::string>> keys = std::nullopt;
};

class ConfigsTest : public AdminTest {
 protected:
  std::vector<Described> describe(const std::vector<Resource>& resources, int16_t v,
                                  bool synonyms = false) {
    std::string req;
    Writer w(req);
    w.array_count(int32_t(resources.size()));
    for (const auto& r : resources) {
      w.i8(r.type);
      w.string(r.name);
      w.array_count(r.keys ? int32_t(r.keys->size()) : -1);
      if (r.keys)
        for (const auto& k : *r.keys) w.string(k);
    }
    if (v >= 1) w.boolean(synonyms);
    if (v >= 3) w.boolean(true);
    std::string body = call(admin::describe_configs, v, req);
    Reader r(body);
    EXPECT_EQ(r.i32(), 0);
    std::vector<Described> out;
    int32_t n = r.array_count();
    for (int32_t i = 0; i < n; ++i) {
      Described d;
      d.error = r.i16();
      if (auto m = r.nullable_string()) d.message = std::string(*m);
      d.type = r.i8();
      d.name = r.string();
      int32_t nc = r.array_count();
      for (int32_t j = 0; j < nc; ++j) {
        Entry e;
        e.name = r.string();
        if (auto val = r.nullable_string()) e.value = std::string(*val);
        e.read_only = r.boolean();
        if (v == 0)
          e.is_default = r.boolean();
        else
          e.source = r.i8();
        EXPECT_FALSE(r.boolean()) << "sensitive";
        if (v >= 1) {
          int32_t ns = r.array_count();
          for (int32_t k = 0; k < ns; ++k) {
            Synonym s;
            s.name = r.string();
            if (auto val = r.nullable_string()) s.value = std::string(*val);
            s.source = r.i8();
            e.synonyms.push_back(s);
          }
        }
        if (v >= 3) {
          e.type = r.i8();
          EXPECT_FALSE(r.nullable_string()) << "documentation";
        }
        d.configs.push_back(std::move(e));
      }
      out.push_back(std::move(d));
    }
    EXPECT_EQ(r.remaining(), 0u);
    return out;
  }

  // AlterConfigs (incremental: each config carries an operation) on one resource.
  std::pair<int16_t, std::optional<std::string>> alter(
      int8_t type, const std::string& name,
      const std::vector<std::tuple<std::string, int8_t, std::optional<std::string>>>& configs,
      bool incremental, bool validate_only = false) {
    std::string req;
    Writer w(req);
    w.array_count(1);
    w.i8(type);
    w.string(name);
    w.array_count(int32_t(configs.size()));
    for (const auto& [k, op, v] : configs) {
      w.string(k);
      if (incremental) w.i8(op);
      w.nullable_string(v);
    }
    w.boolean(validate_only);
    std::string body = incremental ? call(admin::incremental_alter_configs, 0, req)
                                   : call(admin::alter_configs, 1, req);
    Reader r(body);
    EXPECT_EQ(r.i32(), 0);
    EXPECT_EQ(r.array_count(), 1);
    int16_t error = r.i16();
    std::optional<std::string> message;
    if (auto m = r.nullable_string()) message = std::string(*m);
    EXPECT_EQ(r.i8(), type);
    EXPECT_EQ(r.string(), name);
    EXPECT_EQ(r.remaining(), 0u);
    return {error, message};
  }
  std::map<std::string, std::string> overrides(const std::string& topic) {
    return store->find(topic)->config().overrides();
  }
};

TEST_F(ConfigsTest, TopicDescribesEveryConfigWithItsSource) {
  ASSERT_EQ(store->create("t", 1, {{"retention.bytes", "1000"}}).error, 0);
  for (int16_t v : {1, 2, 3}) {
    auto d = describe({{admin::kResourceTopic, "t"}}, v, /*synonyms=*/true);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].error, 0);
    EXPECT_FALSE(d[0].message);
    EXPECT_EQ(d[0].type, admin::kResourceTopic);
    EXPECT_EQ(d[0].name, "t");
    ASSERT_EQ(d[0].configs.size(), log::topic_config_defs().size());
    const Entry* bytes = d[0].find("retention.bytes");
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->value, "1000");
    EXPECT_EQ(bytes->source, 1);
    EXPECT_FALSE(bytes->read_only);
    ASSERT_EQ(bytes->synonyms.size(), 2u);
    EXPECT_EQ(bytes->synonyms[0].name, "retention.bytes");
    EXPECT_EQ(bytes->synonyms[0].source, 1);
    EXPECT_EQ(bytes->synonyms[1].name, "log.retention.bytes");
    EXPECT_EQ(bytes->synonyms[1].value, "-1");
    EXPECT_EQ(bytes->synonyms[1].source, 5);
    const Entry* ms = d[0].find("retention.ms");
    EXPECT_EQ(ms->value, "3600000");
    EXPECT_EQ(ms->source, 4) << "the broker-wide default";
    ASSERT_EQ(ms->synonyms.size(), 2u);
    EXPECT_EQ(ms->synonyms[0].source, 4);
    EXPECT_EQ(ms->synonyms[0].name, "log.retention.ms");
    const Entry* policy = d[0].find("cleanup.policy");
    EXPECT_EQ(policy->value, "delete");
    EXPECT_EQ(policy->source, 5);
    if (v >= 3) {
      EXPECT_EQ(policy->type, int8_t(log::ConfigType::kList));
      EXPECT_EQ(ms->type, int8_t(log::ConfigType::kLong));
    }
  }
  // v0: IsDefault instead of a source; no synonyms unless asked for.
  auto d0 = describe({{admin::kResourceTopic, "t"}}, 0);
  EXPECT_FALSE(d0[0].find("retention.bytes")->is_default);
  EXPECT_TRUE(d0[0].find("cleanup.policy")->is_default);
  auto d1 = describe({{admin::kResourceTopic, "t"}}, 1);
  EXPECT_TRUE(d1[0].find("retention.ms")->synonyms.empty());
}

TEST_F(ConfigsTest, FilterUnknownTopicAndBadResources) {
  ASSERT_EQ(store->create("t", 1, {}).error, 0);
  auto d =
      describe({{admin::kResourceTopic, "t", std::vector<std::string>{"segment.bytes", "no.such"}},
                {admin::kResourceTopic, "missing"},
                {admin::kResourceTopic, "bad name"},
                {9, "x"}},
               2);
  ASSERT_EQ(d.size(), 4u);
  ASSERT_EQ(d[0].configs.size(), 1u);
  EXPECT_EQ(d[0].configs[0].name, "segment.bytes");
  EXPECT_EQ(d[0].configs[0].value, "1073741824");
  EXPECT_EQ(d[1].error, err::kUnknownTopicOrPartition);
  EXPECT_TRUE(d[1].configs.empty());
  EXPECT_EQ(d[2].error, err::kInvalidTopicException);
  EXPECT_EQ(d[3].error, err::kInvalidRequest);
  // An empty key list means every config, as a null one does.
  auto all = describe({{admin::kResourceTopic, "t", std::vector<std::string>{}}}, 1);
  EXPECT_EQ(all[0].configs.size(), log::topic_config_defs().size());
}

TEST_F(ConfigsTest, BrokerDescribesHowSluiceRuns) {
  broker.config.default_partitions = 4;
  broker.config.node_id = 0;
  auto d = describe(
      {{admin::kResourceBroker, "0"}, {admin::kResourceBroker, "1"}, {admin::kResourceBroker, ""}},
      1, true);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].error, 0);
  auto value = [&](std::string_view n) {
    const Entry* e = d[0].find(n);
    return e && e->value ? *e->value : std::string("<missing>");
  };
  EXPECT_EQ(value("num.partitions"), "4");
  EXPECT_EQ(d[0].find("num.partitions")->source, 4);
  EXPECT_EQ(value("broker.id"), "0");
  EXPECT_EQ(value("auto.create.topics.enable"), "true");
  EXPECT_EQ(d[0].find("auto.create.topics.enable")->source, 5);
  EXPECT_EQ(value("log.retention.ms"), "3600000");
  EXPECT_EQ(value("log.segment.bytes"), "1073741824");
  EXPECT_EQ(value("message.max.bytes"), "1048588");
  EXPECT_EQ(value("offsets.topic.num.partitions"), "50");
  EXPECT_TRUE(d[0].find("broker.id")->read_only);
  EXPECT_EQ(d[0].find("broker.id")->synonyms.size(), 1u);
  EXPECT_EQ(d[1].error, err::kInvalidRequest);
  EXPECT_EQ(d[2].error, 0);
  EXPECT_TRUE(d[2].configs.empty()) << "no cluster-wide dynamic defaults";
}

TEST_F(ConfigsTest, AlterConfigsReplacesTheWholeOverrideSet) {
  ASSERT_EQ(store->create("t", 1, {{"retention.ms", "1000"}, {"cleanup.policy", "compact"}}).error,
            0);
  auto r = alter(admin::kResourceTopic, "t", {{"retention.bytes", 0, "5000"}}, false);
  EXPECT_EQ(r.first, 0);
  EXPECT_FALSE(r.second);
  EXPECT_EQ(overrides("t"), (std::map<std::string, std::string>{{"retention.bytes", "5000"}}));
  r = alter(admin::kResourceTopic, "t", {{"segment.bytes", 0, "1"}}, false);
  EXPECT_EQ(r.first, err::kInvalidConfig);
  EXPECT_TRUE(r.second);
  EXPECT_EQ(overrides("t").size(), 1u) << "unchanged after an error";
  r = alter(admin::kResourceTopic, "t", {{"segment.bytes", 0, "100000"}}, false, true);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(overrides("t").count("segment.bytes"), 0u) << "validate only";
  r = alter(admin::kResourceTopic, "t", {}, false);
  EXPECT_EQ(r.first, 0);
  EXPECT_TRUE(overrides("t").empty());
  EXPECT_EQ(alter(admin::kResourceTopic, "nope", {}, false).first, err::kUnknownTopicOrPartition);
  EXPECT_EQ(alter(admin::kResourceBroker, "0", {{"log.retention.ms", 0, "1"}}, false).first,
            err::kInvalidRequest);
}

TEST_F(ConfigsTest, IncrementalAlterConfigs) {
  ASSERT_EQ(store->create("t", 1, {{"retention.ms", "1000"}}).error, 0);
  using admin::kOpAppend, admin::kOpDelete, admin::kOpSet, admin::kOpSubtract;
  auto r =
      alter(admin::kResourceTopic, "t",
            {{"retention.bytes", kOpSet, "5000"}, {"cleanup.policy", kOpAppend, "compact"}}, true);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(overrides("t"),
            (std::map<std::string, std::string>{{"cleanup.policy", "delete,compact"},
                                                {"retention.bytes", "5000"},
                                                {"retention.ms", "1000"}}));
  r = alter(admin::kResourceTopic, "t",
            {{"retention.ms", kOpDelete, std::nullopt}, {"cleanup.policy", kOpSubtract, "delete"}},
            true);
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(overrides("t"), (std::map<std::string, std::string>{{"cleanup.policy", "compact"},
                                                                {"retention.bytes", "5000"}}));
  EXPECT_TRUE(store->find("t")->config().compact());
  EXPECT_FALSE(store->find("t")->config().delete_enabled());

  EXPECT_EQ(alter(admin::kResourceTopic, "t", {{"retention.ms", kOpAppend, "1"}}, true).first,
            err::kInvalidConfig)
      << "append is for lists";
  EXPECT_EQ(alter(admin::kResourceTopic, "t", {{"no.such", kOpSet, "1"}}, true).first,
            err::kInvalidConfig);
  EXPECT_EQ(alter(admin::kResourceTopic, "t", {{"retention.ms", kOpSet, "x"}}, true).first,
            err::kInvalidConfig);
  EXPECT_EQ(alter(admin::kResourceTopic, "t", {{"retention.ms", kOpSet, std::nullopt}}, true).first,
            err::kInvalidConfig);
  EXPECT_EQ(alter(admin::kResourceTopic, "t",
                  {{"retention.ms", kOpSet, "1"}, {"retention.ms", kOpDelete, std::nullopt}}, true)
                .first,
            err::kInvalidRequest);
  EXPECT_EQ(alter(admin::kResourceTopic, "t", {{"retention.ms", 7, "1"}}, true).first,
            err::kInvalidRequest);
  EXPECT_EQ(alter(admin::kResourceTopic, "t", {{"retention.ms", kOpSet, "5"}}, true, true).first,
            0);
  EXPECT_EQ(overrides("t").count("retention.ms"), 0u) << "validate only";
  EXPECT_EQ(alter(admin::kResourceTopic, "nope", {{"retention.ms", kOpSet, "5"}}, true).first,
            err::kUnknownTopicOrPartition);
}

}  // namespace
}  // namespace sluice::kafka
