// The admin APIs and SASL/PLAIN through librdkafka's Admin API against `sluice run`: what
// kafka tools and librdkafka-based clients do to manage topics.
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "harness.h"

namespace sluice::test {
namespace {

using namespace std::chrono_literals;

class AdminRdkafka : public ::testing::Test {
 protected:
  void SetUp() override { dir = scratch_dir("admin-rdkafka"); }
  void TearDown() override {
    if (rk) rd_kafka_destroy(rk);
    if (queue) rd_kafka_queue_destroy(queue);
    if (server) {
      server->signal(SIGTERM);
      server->wait(20s);
    }
    std::filesystem::remove_all(dir);
  }

  void start(const std::vector<std::string>& extra = {}) {
    std::string port_file = dir + "/port";
    std::vector<std::string> args{"run",         "--data-dir",    dir + "/data", "--kafka-listen",
                                  "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--port-file",
                                  port_file};
    args.insert(args.end(), extra.begin(), extra.end());
    server.emplace(spawn_sluice(args));
    for (int i = 0; i < 300 && port == 0; ++i) {
      std::this_thread::sleep_for(50ms);
      std::ifstream in(port_file);
      in >> port;
    }
    ASSERT_GT(port, 0) << "the server did not start: " << server->stderr_text();
  }

  // A producer handle (admin calls work on any client type); extra: more client properties.
  rd_kafka_t* client(const std::map<std::string, std::string>& extra = {}) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    std::map<std::string, std::string> props = {
        {"bootstrap.servers", "127.0.0.1:" + std::to_string(port)}, {"acks", "all"}};
    for (const auto& [k, v] : extra) props[k] = v;
    for (const auto& [k, v] : props)
      EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err), RD_KAFKA_CONF_OK)
          << k << ": " << err;
    rd_kafka_t* h = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    EXPECT_NE(h, nullptr) << err;
    return h;
  }

  void connect() {
    rk = client();
    queue = rd_kafka_queue_new(rk);
  }

  // Waits for the admin result event of type t; the caller destroys it.
  rd_kafka_event_t* wait_result(rd_kafka_event_type_t t) {
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 30000);
    EXPECT_NE(ev, nullptr) << "no admin result";
    if (!ev) return nullptr;
    EXPECT_EQ(rd_kafka_event_type(ev), t);
    EXPECT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR)
        << rd_kafka_event_error_string(ev);
    return ev;
  }

  // topic -> (error, message) of a CreateTopics request.
  std::map<std::string, std::pair<rd_kafka_resp_err_t, std::string>> create_topics(
      std::vector<rd_kafka_NewTopic_t*> topics, bool validate_only = false) {
    rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    char err[256];
    rd_kafka_AdminOptions_set_validate_only(opts, validate_only, err, sizeof err);
    rd_kafka_CreateTopics(rk, topics.data(), topics.size(), opts, queue);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_NewTopic_destroy_array(topics.data(), topics.size());
    std::map<std::string, std::pair<rd_kafka_resp_err_t, std::string>> out;
    rd_kafka_event_t* ev = wait_result(RD_KAFKA_EVENT_CREATETOPICS_RESULT);
    if (!ev) return out;
    size_t n = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    for (size_t i = 0; i < n; ++i) {
      const char* msg = rd_kafka_topic_result_error_string(res[i]);
      out[rd_kafka_topic_result_name(res[i])] = {rd_kafka_topic_result_error(res[i]),
                                                 msg ? msg : ""};
    }
    rd_kafka_event_destroy(ev);
    return out;
  }

  rd_kafka_NewTopic_t* new_topic(const std::string& name, int partitions, int replication,
                                 const std::map<std::string, std::string>& configs = {}) {
    char err[256];
    rd_kafka_NewTopic_t* t =
        rd_kafka_NewTopic_new(name.c_str(), partitions, replication, err, sizeof err);
    EXPECT_NE(t, nullptr) << err;
    for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(t, k.c_str(), v.c_str());
    return t;
  }

  struct Config {
    std::string value;
    rd_kafka_ConfigSource_t source;
    bool is_default;
  };
  // name -> entry of one resource; error set when the resource failed.
  std::map<std::string, Config> describe(rd_kafka_ResourceType_t type, const std::string& name,
                                         rd_kafka_resp_err_t* error = nullptr) {
    rd_kafka_ConfigResource_t* r = rd_kafka_ConfigResource_new(type, name.c_str());
    rd_kafka_DescribeConfigs(rk, &r, 1, nullptr, queue);
    rd_kafka_ConfigResource_destroy(r);
    std::map<std::string, Config> out;
    rd_kafka_event_t* ev = wait_result(RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT);
    if (!ev) return out;
    size_t n = 0;
    const rd_kafka_ConfigResource_t** res =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    EXPECT_EQ(n, 1u);
    if (n == 1) {
      if (error) *error = rd_kafka_ConfigResource_error(res[0]);
      size_t nc = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(res[0], &nc);
      for (size_t i = 0; i < nc; ++i) {
        const char* v = rd_kafka_ConfigEntry_value(entries[i]);
        out[rd_kafka_ConfigEntry_name(entries[i])] = {
            v ? v : "<null>", rd_kafka_ConfigEntry_source(entries[i]),
            rd_kafka_ConfigEntry_is_default(entries[i]) != 0};
      }
    }
    rd_kafka_event_destroy(ev);
    return out;
  }

  int partition_count(const std::string& topic) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    int count = -1;
    if (rd_kafka_metadata(rk, 0, t, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
        count = md->topics[0].partition_cnt;
      rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(t);
    return count;
  }

  std::string dir;
  std::optional<Proc> server;
  int port = 0;
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* queue = nullptr;
};

TEST_F(AdminRdkafka, CreateDescribeAlterPartitionsDelete) {
  start({"--no-auto-create", "--topic-default", "retention.ms=3600000"});
  connect();

  auto created = create_topics({new_topic("orders", 3, 1, {{"cleanup.policy", "compact"}}),
                                new_topic("replicated", 1, 3), new_topic("bad config", 1, 1),
                                new_topic("badcfg", 1, 1, {{"segment.bytes", "1"}})});
  EXPECT_EQ(created["orders"].first, RD_KAFKA_RESP_ERR_NO_ERROR) << created["orders"].second;
  EXPECT_EQ(created["replicated"].first, RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR);
  EXPECT_EQ(created["bad config"].first, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION);
  EXPECT_EQ(created["badcfg"].first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_NE(created["badcfg"].second.find("segment.bytes"), std::string::npos);
  EXPECT_EQ(partition_count("orders"), 3);
  EXPECT_EQ(create_topics({new_topic("orders", 1, 1)})["orders"].first,
            RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  EXPECT_EQ(create_topics({new_topic("dry", 2, 1)}, true)["dry"].first, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(partition_count("dry"), -1) << "validate only";

  // Every config, with where its value comes from.
  auto cfg = describe(RD_KAFKA_RESOURCE_TOPIC, "orders");
  EXPECT_GE(cfg.size(), 29u);
  EXPECT_EQ(cfg["cleanup.policy"].value, "compact");
  EXPECT_EQ(cfg["cleanup.policy"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  EXPECT_EQ(cfg["retention.ms"].value, "3600000");
  EXPECT_EQ(cfg["retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  EXPECT_EQ(cfg["segment.bytes"].value, "1073741824");
  EXPECT_EQ(cfg["segment.bytes"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  EXPECT_EQ(cfg["max.message.bytes"].value, "1048588");
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  describe(RD_KAFKA_RESOURCE_TOPIC, "missing", &error);
  EXPECT_EQ(error, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  auto broker = describe(RD_KAFKA_RESOURCE_BROKER, "0");
  EXPECT_EQ(broker["broker.id"].value, "0");
  EXPECT_EQ(broker["auto.create.topics.enable"].value, "false");
  EXPECT_EQ(broker["log.retention.ms"].value, "3600000");
  EXPECT_EQ(broker["num.partitions"].value, "1");

  // AlterConfigs replaces the topic's whole override set.
  rd_kafka_ConfigResource_t* r = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, "orders");
  rd_kafka_ConfigResource_set_config(r, "retention.bytes", "100000");
  rd_kafka_AlterConfigs(rk, &r, 1, nullptr, queue);
  rd_kafka_ConfigResource_destroy(r);
  if (rd_kafka_event_t* ev = wait_result(RD_KAFKA_EVENT_ALTERCONFIGS_RESULT)) {
    size_t n = 0;
    auto res = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(rd_kafka_ConfigResource_error(res[0]), RD_KAFKA_RESP_ERR_NO_ERROR)
        << rd_kafka_ConfigResource_error_string(res[0]);
    rd_kafka_event_destroy(ev);
  }
  cfg = describe(RD_KAFKA_RESOURCE_TOPIC, "orders");
  EXPECT_EQ(cfg["retention.bytes"].value, "100000");
  EXPECT_EQ(cfg["retention.bytes"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  EXPECT_EQ(cfg["cleanup.policy"].value, "delete");
  EXPECT_EQ(cfg["cleanup.policy"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);

  // CreatePartitions.
  char err[256];
  rd_kafka_NewPartitions_t* np[2] = {rd_kafka_NewPartitions_new("orders", 5, err, sizeof err),
                                     rd_kafka_NewPartitions_new("orders2", 2, err, sizeof err)};
  rd_kafka_CreatePartitions(rk, np, 2, nullptr, queue);
  rd_kafka_NewPartitions_destroy_array(np, 2);
  if (rd_kafka_event_t* ev = wait_result(RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT)) {
    size_t n = 0;
    auto res =
        rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &n);
    ASSERT_EQ(n, 2u);
    for (size_t i = 0; i < n; ++i) {
      std::string name = rd_kafka_topic_result_name(res[i]);
      EXPECT_EQ(rd_kafka_topic_result_error(res[i]), name == "orders"
                                                         ? RD_KAFKA_RESP_ERR_NO_ERROR
                                                         : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
          << name;
    }
    rd_kafka_event_destroy(ev);
  }
  EXPECT_EQ(partition_count("orders"), 5);

  // DeleteTopics.
  rd_kafka_DeleteTopic_t* dt[2] = {rd_kafka_DeleteTopic_new("orders"),
                                   rd_kafka_DeleteTopic_new("never")};
  rd_kafka_DeleteTopics(rk, dt, 2, nullptr, queue);
  rd_kafka_DeleteTopic_destroy_array(dt, 2);
  if (rd_kafka_event_t* ev = wait_result(RD_KAFKA_EVENT_DELETETOPICS_RESULT)) {
    size_t n = 0;
    auto res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    ASSERT_EQ(n, 2u);
    for (size_t i = 0; i < n; ++i) {
      std::string name = rd_kafka_topic_result_name(res[i]);
      EXPECT_EQ(rd_kafka_topic_result_error(res[i]), name == "orders"
                                                         ? RD_KAFKA_RESP_ERR_NO_ERROR
                                                         : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
          << name;
    }
    rd_kafka_event_destroy(ev);
  }
  EXPECT_EQ(partition_count("orders"), -1);
}

TEST_F(AdminRdkafka, DeleteRecordsMovesTheLogStart) {
  start();
  connect();
  ASSERT_EQ(create_topics({new_topic("events", 1, 1)})["events"].first, RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int i = 0; i < 10; ++i) {
    std::string v = "v" + std::to_string(i);
    ASSERT_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC("events"), RD_KAFKA_V_PARTITION(0),
                                RD_KAFKA_V_VALUE(v.data(), v.size()),
                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_flush(rk, 10000);  // one batch each, so the log start can move between them
  }
  ASSERT_EQ(rd_kafka_outq_len(rk), 0);

  auto delete_records = [&](int64_t offset) {
    rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, "events", 0)->offset = offset;
    rd_kafka_DeleteRecords_t* del = rd_kafka_DeleteRecords_new(parts);
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_DeleteRecords(rk, &del, 1, nullptr, queue);
    rd_kafka_DeleteRecords_destroy(del);
    std::pair<rd_kafka_resp_err_t, int64_t> out{RD_KAFKA_RESP_ERR__FAIL, -1};
    rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 30000);
    if (!ev) return out;
    EXPECT_EQ(rd_kafka_event_type(ev), RD_KAFKA_EVENT_DELETERECORDS_RESULT);
    auto* res = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
    if (res && res->cnt == 1)
      out = {res->elems[0].err, res->elems[0].offset};
    else if (rd_kafka_event_error(ev))
      out.first = rd_kafka_event_error(ev);
    rd_kafka_event_destroy(ev);
    return out;
  };
  auto r = delete_records(4);
  EXPECT_EQ(r.first, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(r.second, 4);
  int64_t low = -1, high = -1;
  ASSERT_EQ(rd_kafka_query_watermark_offsets(rk, "events", 0, &low, &high, 10000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(low, 4);
  EXPECT_EQ(high, 10);
  EXPECT_EQ(delete_records(11).first, RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE);
  r = delete_records(RD_KAFKA_OFFSET_END);  // -1: up to the high watermark
  EXPECT_EQ(r.first, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(r.second, 10);
}

TEST_F(AdminRdkafka, SaslPlain) {
  start({"--sasl-user", "alice:s3cret"});
  auto metadata_ok = [&](const std::map<std::string, std::string>& props) {
    rd_kafka_t* h = client(props);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(h, 1, nullptr, &md, 3000);
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(h);
    return e == RD_KAFKA_RESP_ERR_NO_ERROR;
  };
  std::map<std::string, std::string> sasl = {{"security.protocol", "SASL_PLAINTEXT"},
                                             {"sasl.mechanisms", "PLAIN"},
                                             {"sasl.username", "alice"},
                                             {"sasl.password", "s3cret"}};
  EXPECT_TRUE(metadata_ok(sasl));
  sasl["sasl.password"] = "wrong";
  EXPECT_FALSE(metadata_ok(sasl));
  EXPECT_FALSE(metadata_ok({})) << "no SASL at all";
}

}  // namespace
}  // namespace sluice::test
