#include "log/topic_config.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "log/topic_config_meta.h"

namespace sluice::log {
namespace {

TEST(TopicConfig, DefsAreSortedCompleteAndCarryKafkaDefaults) {
  const auto& defs = topic_config_defs();
  ASSERT_TRUE(std::is_sorted(defs.begin(), defs.end(), [](const ConfigDef& a, const ConfigDef& b) {
    return a.name < b.name;
  }));
  auto def = [](std::string_view n) {
    const ConfigDef* d = find_topic_config(n);
    return d ? std::string(d->default_value) : std::string("<missing>");
  };
  EXPECT_EQ(def("cleanup.policy"), "delete");
  EXPECT_EQ(def("compression.type"), "producer");
  EXPECT_EQ(def("delete.retention.ms"), "86400000");
  EXPECT_EQ(def("flush.messages"), "9223372036854775807");
  EXPECT_EQ(def("follower.replication.throttled.replicas"), "");
  EXPECT_EQ(def("local.retention.bytes"), "-2");
  EXPECT_EQ(def("max.message.bytes"), "1048588");
  EXPECT_EQ(def("message.format.version"), "3.0-IV1");
  EXPECT_EQ(def("min.cleanable.dirty.ratio"), "0.5");
  EXPECT_EQ(def("retention.ms"), "604800000");
  EXPECT_EQ(def("segment.bytes"), "1073741824");
  EXPECT_EQ(def("segment.index.bytes"), "10485760");
  EXPECT_EQ(def("unclean.leader.election.enable"), "false");
  EXPECT_EQ(find_topic_config("no.such.config"), nullptr);
  // Every default passes its own validation.
  for (const auto& d : defs)
    EXPECT_EQ(validate_topic_config(d.name, d.default_value), "") << d.name;
  int supported = int(std::count_if(defs.begin(), defs.end(), [](auto& d) { return d.supported; }));
  EXPECT_EQ(supported, 9);
  EXPECT_TRUE(find_topic_config("retention.ms")->supported);
  EXPECT_FALSE(find_topic_config("preallocate")->supported);
}

TEST(TopicConfig, ValidationNamesTheProblem) {
  EXPECT_EQ(validate_topic_config("retention.msx", "1"), "unknown topic config 'retention.msx'");
  EXPECT_EQ(validate_topic_config("retention.ms", "-1"), "");
  EXPECT_NE(validate_topic_config("retention.ms", "-2"), "");
  EXPECT_EQ(validate_topic_config("retention.ms", " 1000 "), "");  // Kafka trims
  EXPECT_EQ(validate_topic_config("retention.bytes", "-5"), "");   // any long
  EXPECT_EQ(validate_topic_config("retention.ms", "abc"),
            "Invalid value abc for configuration retention.ms: Not a number of type LONG");
  EXPECT_NE(validate_topic_config("retention.ms", "99999999999999999999"), "");
  EXPECT_NE(validate_topic_config("retention.ms", ""), "");
  EXPECT_EQ(validate_topic_config("segment.bytes", "13"),
            "Invalid value 13 for configuration segment.bytes: Value must be at least 14");
  EXPECT_EQ(validate_topic_config("segment.bytes", "14"), "");
  EXPECT_NE(validate_topic_config("segment.bytes", "2147483648"), "") << "INT overflows";
  EXPECT_NE(validate_topic_config("min.insync.replicas", "0"), "");
  EXPECT_EQ(validate_topic_config("cleanup.policy", "compact,delete"), "");
  EXPECT_EQ(validate_topic_config("cleanup.policy", "compact , delete"), "");
  EXPECT_NE(validate_topic_config("cleanup.policy", "compact,erase"), "");
  EXPECT_EQ(validate_topic_config("compression.type", "zstd"), "");
  EXPECT_NE(validate_topic_config("compression.type", "brotli"), "");
  EXPECT_NE(validate_topic_config("compression.type", "ZSTD"), "") << "case-sensitive, as Kafka";
  EXPECT_EQ(validate_topic_config("message.timestamp.type", "LogAppendTime"), "");
  EXPECT_NE(validate_topic_config("message.timestamp.type", "Now"), "");
  EXPECT_EQ(validate_topic_config("preallocate", "TRUE"), "");
  EXPECT_NE(validate_topic_config("preallocate", "yes"), "");
  EXPECT_EQ(validate_topic_config("min.cleanable.dirty.ratio", "0.9"), "");
  EXPECT_NE(validate_topic_config("min.cleanable.dirty.ratio", "1.5"), "");
  EXPECT_NE(validate_topic_config("min.cleanable.dirty.ratio", "half"), "");
  EXPECT_EQ(validate_topic_config("leader.replication.throttled.replicas", "*"), "");
  EXPECT_EQ(validate_topic_config("leader.replication.throttled.replicas", "0:0, 1:0"), "");
  EXPECT_NE(validate_topic_config("leader.replication.throttled.replicas", "0-0"), "");
  EXPECT_EQ(validate_topic_config("message.format.version", "2.8-IV1"), "");
  EXPECT_NE(validate_topic_config("message.format.version", "three"), "");
  EXPECT_EQ(validate_topic_config("compression.gzip.level", "-1"), "");
  EXPECT_NE(validate_topic_config("compression.gzip.level", "0"), "");
}

TEST(TopicConfig, EffectiveValueComesFromTopicThenBrokerThenKafka) {
  std::map<std::string, std::string> broker = {{"retention.ms", "1000"},
                                               {"segment.bytes", "garbage"}};
  TopicConfig c({{"cleanup.policy", "compact,delete"}}, &broker);
  int source = 0;
  EXPECT_EQ(c.get("cleanup.policy", &source), "compact,delete");
  EXPECT_EQ(source, 1);
  EXPECT_EQ(c.get("retention.ms", &source), "1000");
  EXPECT_EQ(source, 4);
  EXPECT_EQ(c.get("retention.bytes", &source), "-1");
  EXPECT_EQ(source, 5);
  EXPECT_EQ(c.retention_ms(), 1000);
  EXPECT_EQ(c.retention_bytes(), -1);
  EXPECT_EQ(c.segment_bytes(), 1073741824) << "an unparsable broker value falls back";
  EXPECT_EQ(c.get_int("flush.ms"), INT64_MAX);
  EXPECT_TRUE(c.compact());
  EXPECT_TRUE(c.delete_enabled());
  EXPECT_FALSE(c.log_append_time());

  TopicConfig plain;
  EXPECT_FALSE(plain.compact());
  EXPECT_TRUE(plain.delete_enabled());
  plain.set("cleanup.policy", " compact ");
  plain.set("message.timestamp.type", "LogAppendTime");
  EXPECT_TRUE(plain.compact());
  EXPECT_FALSE(plain.delete_enabled());
  EXPECT_TRUE(plain.log_append_time());
  plain.erase("cleanup.policy");
  EXPECT_FALSE(plain.compact());
}

TEST(TopicConfig, MetaGivesTypesAndBrokerSynonyms) {
  EXPECT_EQ(topic_config_type("retention.ms"), ConfigType::kLong);
  EXPECT_EQ(topic_config_type("segment.bytes"), ConfigType::kInt);
  EXPECT_EQ(topic_config_type("cleanup.policy"), ConfigType::kList);
  EXPECT_EQ(topic_config_type("preallocate"), ConfigType::kBoolean);
  EXPECT_EQ(topic_config_type("nope"), ConfigType::kUnknown);
  EXPECT_EQ(topic_config_broker_name("retention.ms"), "log.retention.ms");
  EXPECT_EQ(topic_config_broker_name("max.message.bytes"), "message.max.bytes");
  EXPECT_EQ(topic_config_broker_name("remote.storage.enable"), "");
}

}  // namespace
}  // namespace sluice::log
