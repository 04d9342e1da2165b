// The console's data API and static files over real HTTP: a TopicStore in a temporary directory,
// a group coordinator whose "network thread" is a thread of the test, the HttpServer on a free
// port, and a small blocking HTTP client.
#include "http/data_api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "http/api_context.h"
#include "http/console.h"
#include "http/http_server.h"
#include "http/router.h"
#include "kafka/compression.h"
#include "kafka/group/coordinator.h"
#include "kafka/group/manual_scheduler.h"
#include "kafka/record_batch.h"
#include "kafka/wire.h"
#include "log/topic_store.h"

namespace sluice::http {
namespace {

namespace fs = std::filesystem;

struct HttpReply {
  int status = 0;
  std::string headers;  // raw, lower-cased
  std::string body;
  rapidjson::Document json() const {
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    EXPECT_FALSE(d.HasParseError()) << body;
    return d;
  }
};

HttpReply http_get(uint16_t port, const std::string& target, const std::string& accept = "") {
  HttpReply out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    ADD_FAILURE() << "cannot connect";
    return out;
  }
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!accept.empty()) req += "Accept: " + accept + "\r\n";
  req += "\r\n";
  EXPECT_EQ(::send(fd, req.data(), req.size(), 0), ssize_t(req.size()));
  std::string raw;
  char buf[65536];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, size_t(n));
  ::close(fd);
  auto head_end = raw.find("\r\n\r\n");
  if (raw.size() < 12 || head_end == std::string::npos) {
    ADD_FAILURE() << "bad reply: " << raw;
    return out;
  }
  out.status = std::stoi(raw.substr(9, 3));
  out.headers = raw.substr(0, head_end);
  for (auto& c : out.headers) c = char(std::tolower(static_cast<unsigned char>(c)));
  out.body = raw.substr(head_end + 4);
  return out;
}

std::string batch_of(int64_t ts, int n, const std::string& prefix, int codec = 0,
                     const std::vector<kafka::RecordHeader>& headers = {}) {
  kafka::BatchBuilder b(ts);
  for (int i = 0; i < n; ++i) {
    std::string k = prefix + "-k" + std::to_string(i);
    std::string v = "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"n\":" + std::to_string(i) +
                    ",\"p\":\"" + prefix + "\"}}";
    b.add(k, v, ts + i, headers);
  }
  return b.finish(-1, -1, -1, codec);
}

class DataApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-data-api-XXXXXX";
    dir = mkdtemp(tmpl);
    log::TopicStoreOptions o;
    o.dir = dir;
    o.broker_defaults = {{"segment.bytes", "1048576"}};
    store = std::make_unique<log::TopicStore>(o);
    broker.topics = store.get();
    broker.scheduler = &sched;
    broker.config.cluster_id = "test-cluster";
    broker.config.group_initial_rebalance_delay_ms = 0;
    coord = std::make_unique<kafka::group::Coordinator>(broker);
    coord->load();
    broker.groups = coord.get();
    network = std::thread([this] {
      while (!stop_network) {
        if (!sched.run_posted()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });

    // orders: p0 holds an uncompressed batch (offsets 0-2, t=1000..1002) and a zstd one with a
    // header (3-4, t=2000..2001); p1 one record with a null key and a binary value (t=1500).
    auto created = store->create("orders", 2, {{"retention.ms", "86400000"}});
    ASSERT_TRUE(created.topic) << created.message;
    auto t = created.topic;
    append(*t, 0, batch_of(1000, 3, "a"));
    append(*t, 0,
           batch_of(2000, 2, "b", int(kafka::Codec::zstd), {{"trace", std::string_view("x1")}}));
    kafka::BatchBuilder bin(1500);
    bin.add(std::nullopt, std::string("\xff\xfe\x00\x01", 4), 1500);
    append(*t, 1, bin.finish());

    ctx.topics = store.get();
    ctx.broker = &broker;
    ctx.kafka_listener = "127.0.0.1:9092";
    add_data_api(router, ctx);
    add_console_routes(router);
    server = std::make_unique<HttpServer>(router, "127.0.0.1:0");
    server->start();
    port = server->port();
  }

  void TearDown() override {
    server.reset();
    stop_network = true;
    network.join();
    coord->shutdown();
    coord.reset();
    store.reset();
    fs::remove_all(dir);
  }

  void append(log::Topic& t, int32_t p, std::string batch) {
    auto r = t.partition(p)->append(std::move(batch), t.config());
    ASSERT_EQ(r.error, 0) << r.message;
  }

  // A memberless commit, made on the network thread as the Kafka listener would.
  void commit(const std::string& group, const std::string& topic, int32_t p, int64_t offset) {
    auto done = std::make_shared<std::promise<void>>();
    sched.post([&, done] {
      kafka::group::CommitRequest req{group, -1, "", std::nullopt, {{topic, {{p, offset}}}}};
      coord->commit_offsets(req, [done](const kafka::group::CommitResult&) { done->set_value(); });
    });
    ASSERT_EQ(done->get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  }

  HttpReply get(const std::string& target) { return http_get(port, target); }

  std::string dir;
  std::unique_ptr<log::TopicStore> store;
  kafka::group::ManualScheduler sched;
  kafka::Broker broker;
  std::unique_ptr<kafka::group::Coordinator> coord;
  std::atomic<bool> stop_network{false};
  std::thread network;
  ApiContext ctx;
  Router router;
  std::unique_ptr<HttpServer> server;
  uint16_t port = 0;
};

std::vector<int64_t> offsets_of(const rapidjson::Document& d) {
  std::vector<int64_t> out;
  for (const auto& m : d["messages"].GetArray()) out.push_back(m["offset"].GetInt64());
  return out;
}

TEST_F(DataApiTest, ListsTopicsWithPartitionsOffsetsAndSizes) {
  auto r = get("/api/topics");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.headers.find("content-type: application/json"), std::string::npos);
  auto d = r.json();
  ASSERT_TRUE(d.IsArray());
  const rapidjson::Value* orders = nullptr;
  bool saw_offsets_topic = false;
  for (const auto& t : d.GetArray()) {
    if (t["name"] == "orders") orders = &t;
    if (t["name"] == "__consumer_offsets") saw_offsets_topic = t["internal"].GetBool();
  }
  EXPECT_TRUE(saw_offsets_topic);
  ASSERT_NE(orders, nullptr);
  EXPECT_FALSE((*orders)["internal"].GetBool());
  EXPECT_EQ((*orders)["partition_count"].GetInt(), 2);
  EXPECT_EQ((*orders)["messages"].GetInt64(), 6);
  EXPECT_GT((*orders)["size_bytes"].GetInt64(), 100);
  const auto& p0 = (*orders)["partitions"][0];
  EXPECT_EQ(p0["partition"].GetInt(), 0);
  EXPECT_EQ(p0["start_offset"].GetInt64(), 0);
  EXPECT_EQ(p0["end_offset"].GetInt64(), 5);
  EXPECT_EQ((*orders)["partitions"][1]["end_offset"].GetInt64(), 1);
  EXPECT_FALSE(orders->HasMember("configs"));
}

TEST_F(DataApiTest, DescribesOneTopicWithItsConfigs) {
  auto r = get("/api/topics/orders");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = r.json();
  EXPECT_EQ(d["name"], "orders");
  EXPECT_EQ(d["partitions"].Size(), 2u);
  std::map<std::string, const rapidjson::Value*> configs;
  for (const auto& c : d["configs"].GetArray()) configs[c["name"].GetString()] = &c;
  ASSERT_TRUE(configs.count("retention.ms"));
  EXPECT_EQ((*configs["retention.ms"])["value"], "86400000");
  EXPECT_EQ((*configs["retention.ms"])["source"], "DYNAMIC_TOPIC_CONFIG");
  EXPECT_FALSE((*configs["retention.ms"])["is_default"].GetBool());
  ASSERT_TRUE(configs.count("segment.bytes"));
  EXPECT_EQ((*configs["segment.bytes"])["value"], "1048576");
  EXPECT_EQ((*configs["segment.bytes"])["source"], "STATIC_BROKER_CONFIG");
  ASSERT_TRUE(configs.count("cleanup.policy"));
  EXPECT_EQ((*configs["cleanup.policy"])["value"], "delete");
  EXPECT_EQ((*configs["cleanup.policy"])["source"], "DEFAULT_CONFIG");
  EXPECT_TRUE((*configs["cleanup.policy"])["is_default"].GetBool());

  auto missing = get("/api/topics/nope");
  EXPECT_EQ(missing.status, 404);
  auto m = missing.json();
  EXPECT_EQ(m["error_code"].GetInt(), 404);
  EXPECT_NE(std::string(m["message"].GetString()).find("nope"), std::string::npos);
}

TEST_F(DataApiTest, ReadsMessagesFromAnOffsetAcrossCompressedBatches) {
  auto r = get("/api/topics/orders/messages?partition=0&offset=1&limit=3");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = r.json();
  EXPECT_EQ(offsets_of(d), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(d["order"], "asc");
  EXPECT_EQ(d["next_offset"].GetInt64(), 4);
  const auto& m1 = d["messages"][0];
  EXPECT_EQ(m1["partition"].GetInt(), 0);
  EXPECT_EQ(m1["timestamp"].GetInt64(), 1001);
  EXPECT_EQ(m1["timestamp_type"], "CreateTime");
  EXPECT_EQ(m1["key"], "a-k1");
  EXPECT_EQ(std::string(m1["value"].GetString()),
            "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"n\":1,\"p\":\"a\"}}");
  EXPECT_EQ(m1["headers"].Size(), 0u);
  // Offset 3 is the first record of the zstd batch, with its header.
  const auto& m3 = d["messages"][2];
  EXPECT_EQ(m3["key"], "b-k0");
  EXPECT_EQ(m3["timestamp"].GetInt64(), 2000);
  ASSERT_EQ(m3["headers"].Size(), 1u);
  EXPECT_EQ(m3["headers"][0]["key"], "trace");
  EXPECT_EQ(m3["headers"][0]["value"], "x1");

  auto tail = get("/api/topics/orders/messages?partition=0&offset=4").json();
  EXPECT_EQ(offsets_of(tail), (std::vector<int64_t>{4}));
  auto past = get("/api/topics/orders/messages?partition=0&offset=99").json();
  EXPECT_TRUE(offsets_of(past).empty());
}

TEST_F(DataApiTest, ReadsMessagesByTimestampAndNewestFirst) {
  auto at = get("/api/topics/orders/messages?partition=0&timestamp=1500").json();
  EXPECT_EQ(offsets_of(at), (std::vector<int64_t>{3, 4}));
  auto at_exact = get("/api/topics/orders/messages?partition=0&timestamp=1001&limit=2").json();
  EXPECT_EQ(offsets_of(at_exact), (std::vector<int64_t>{1, 2}));
  // Newest first up to a time: records at or before t=1001.
  auto before = get("/api/topics/orders/messages?partition=0&timestamp=1001&order=desc").json();
  EXPECT_EQ(offsets_of(before), (std::vector<int64_t>{1, 0}));

  auto newest = get("/api/topics/orders/messages?partition=0&position=newest&limit=2").json();
  EXPECT_EQ(newest["order"], "desc");
  EXPECT_EQ(offsets_of(newest), (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(newest["next_offset"].GetInt64(), 2);
  auto more = get("/api/topics/orders/messages?partition=0&offset=2&order=desc&limit=2").json();
  EXPECT_EQ(offsets_of(more), (std::vector<int64_t>{2, 1}));
  auto oldest = get("/api/topics/orders/messages?partition=0&position=oldest&limit=2").json();
  EXPECT_EQ(offsets_of(oldest), (std::vector<int64_t>{0, 1}));
  // Default: newest first.
  auto dflt = get("/api/topics/orders/messages?partition=0").json();
  EXPECT_EQ(offsets_of(dflt), (std::vector<int64_t>{4, 3, 2, 1, 0}));
}

TEST_F(DataApiTest, MergesPartitionsByTimestamp) {
  auto d = get("/api/topics/orders/messages?position=oldest").json();
  ASSERT_EQ(d["messages"].Size(), 6u);
  std::vector<std::pair<int, int64_t>> seen;
  for (const auto& m : d["messages"].GetArray())
    seen.emplace_back(m["partition"].GetInt(), m["offset"].GetInt64());
  EXPECT_EQ(seen,
            (std::vector<std::pair<int, int64_t>>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {0, 3}, {0, 4}}));
  EXPECT_TRUE(d["partition"].IsNull());
  EXPECT_TRUE(d["next_offset"].IsNull());
  // p1's record: null key, a value that is not UTF-8 comes as base64 with a flag.
  const auto& bin = d["messages"][3];
  EXPECT_TRUE(bin["key"].IsNull());
  EXPECT_EQ(bin["value"], "//4AAQ==");
  EXPECT_TRUE(bin["value_base64"].GetBool());

  auto newest = get("/api/topics/orders/messages?position=newest&limit=3").json();
  seen.clear();
  for (const auto& m : newest["messages"].GetArray())
    seen.emplace_back(m["partition"].GetInt(), m["offset"].GetInt64());
  EXPECT_EQ(seen, (std::vector<std::pair<int, int64_t>>{{0, 4}, {0, 3}, {1, 0}}));
}

TEST_F(DataApiTest, NewestPagesStayBoundedOnALongPartition) {
  auto t = store->create("big", 1, {}).topic;
  ASSERT_TRUE(t);
  for (int b = 0; b < 120; ++b) append(*t, 0, batch_of(10000 + b * 10, 10, "big"));
  auto d = get("/api/topics/big/messages?partition=0&position=newest&limit=500").json();
  auto offs = offsets_of(d);
  ASSERT_EQ(offs.size(), 500u);
  EXPECT_EQ(offs.front(), 1199);
  EXPECT_EQ(offs.back(), 700);
  EXPECT_EQ(d["next_offset"].GetInt64(), 699);
  auto max_limit = get("/api/topics/big/messages?position=oldest&limit=501");
  EXPECT_EQ(max_limit.status, 400);

  // After DeleteRecords the oldest page starts at the new log start, and a newest-first page
  // stops there.
  int64_t low = 0;
  ASSERT_EQ(t->partition(0)->delete_records(1195, low), 0);
  auto oldest = get("/api/topics/big/messages?partition=0&position=oldest&limit=3").json();
  EXPECT_EQ(offsets_of(oldest), (std::vector<int64_t>{1195, 1196, 1197}));
  auto newest = get("/api/topics/big/messages?partition=0&position=newest&limit=10").json();
  EXPECT_EQ(offsets_of(newest), (std::vector<int64_t>{1199, 1198, 1197, 1196, 1195}));
  EXPECT_TRUE(newest["next_offset"].IsNull());
}

TEST_F(DataApiTest, RefusesBadParameters) {
  for (const char* q :
       {"limit=0", "limit=abc", "limit=501", "partition=7", "partition=-1", "offset=3",
        "partition=0&offset=1&position=oldest", "position=middle", "partition=0&order=up",
        "partition=0&timestamp=x", "partition=0&offset=1&timestamp=5"}) {
    auto r = get(std::string("/api/topics/orders/messages?") + q);
    EXPECT_EQ(r.status, 400) << q << ": " << r.body;
    auto d = r.json();
    EXPECT_EQ(d["error_code"].GetInt(), 400) << q;
    EXPECT_TRUE(d["message"].IsString()) << q;
  }
  EXPECT_EQ(get("/api/topics/nope/messages").status, 404);
}

TEST_F(DataApiTest, ReportsConsumerGroupLagAndMetrics) {
  commit("audit", "orders", 0, 2);
  auto r = get("/api/groups");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = r.json();
  ASSERT_EQ(d.Size(), 1u) << r.body;
  const auto& g = d[0];
  EXPECT_EQ(g["group_id"], "audit");
  EXPECT_EQ(g["state"], "Empty");
  EXPECT_EQ(g["members"].Size(), 0u);
  ASSERT_EQ(g["offsets"].Size(), 1u);
  const auto& o = g["offsets"][0];
  EXPECT_EQ(o["topic"], "orders");
  EXPECT_EQ(o["partition"].GetInt(), 0);
  EXPECT_EQ(o["committed"].GetInt64(), 2);
  EXPECT_EQ(o["end_offset"].GetInt64(), 5);
  EXPECT_EQ(o["lag"].GetInt64(), 3);
  EXPECT_EQ(g["lag"].GetInt64(), 3);

  auto ov = get("/api/overview").json();
  EXPECT_EQ(ov["cluster_id"], "test-cluster");
  EXPECT_EQ(ov["kafka_listener"], "127.0.0.1:9092");
  EXPECT_EQ(ov["groups"].GetInt(), 1);
  EXPECT_GE(ov["topics"].GetInt(), 2);  // orders and __consumer_offsets
  EXPECT_EQ(ov["connectors"].GetInt(), 0);

  auto m = get("/api/metrics").json();
  EXPECT_GT(m["time_ms"].GetInt64(), 0);
  EXPECT_EQ(m["topics"]["orders"]["messages"].GetInt64(), 6);
  EXPECT_GT(m["topics"]["orders"]["size_bytes"].GetInt64(), 0);
  EXPECT_TRUE(m["connectors"].IsObject());
}

TEST_F(DataApiTest, DecodesTheMembersAssignments) {
  // A consumer joins group "live" and, as its leader, assigns itself orders-0 and orders-1
  // (ConsumerProtocolAssignment v0); nothing is committed yet.
  std::string assignment;
  kafka::Writer a(assignment);
  a.i16(0);
  a.array_count(1);
  a.string("orders");
  a.array_count(2);
  a.i32(0);
  a.i32(1);
  a.bytes(std::nullopt);
  auto done = std::make_shared<std::promise<void>>();
  sched.post([&, done] {
    kafka::group::JoinRequest j;
    j.group_id = "live";
    j.session_timeout_ms = 10000;
    j.protocol_type = "consumer";
    j.protocols = {{"range", ""}};
    j.client_id = "reader-1";
    j.client_host = "127.0.0.1";
    coord->join(j, [&, done](const kafka::group::JoinResult& r) {
      coord->sync({"live", r.generation, r.member_id, std::nullopt, {{r.member_id, assignment}}},
                  [done](const kafka::group::SyncResult&) { done->set_value(); });
    });
  });
  ASSERT_EQ(done->get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);

  auto d = get("/api/groups").json();
  ASSERT_EQ(d.Size(), 1u);
  const auto& g = d[0];
  EXPECT_EQ(g["group_id"], "live");
  EXPECT_EQ(g["state"], "Stable");
  EXPECT_EQ(g["protocol"], "range");
  ASSERT_EQ(g["members"].Size(), 1u);
  const auto& m = g["members"][0];
  EXPECT_EQ(m["client_id"], "reader-1");
  EXPECT_EQ(m["host"], "127.0.0.1");
  ASSERT_EQ(m["assignments"].Size(), 1u);
  EXPECT_EQ(m["assignments"][0]["topic"], "orders");
  EXPECT_EQ(m["assignments"][0]["partitions"].Size(), 2u);
  ASSERT_EQ(g["offsets"].Size(), 2u);  // assigned, not committed
  EXPECT_TRUE(g["offsets"][1]["committed"].IsNull());
  EXPECT_EQ(g["offsets"][1]["end_offset"].GetInt64(), 1);
  EXPECT_TRUE(g["offsets"][1]["lag"].IsNull());
  EXPECT_EQ(g["lag"].GetInt64(), 0);
}

TEST_F(DataApiTest, ServesTheConsoleFiles) {
  auto index = get("/ui/index.html");
  ASSERT_EQ(index.status, 200);
  EXPECT_NE(index.headers.find("content-type: text/html"), std::string::npos);
  EXPECT_NE(index.headers.find("cache-control: no-cache"), std::string::npos);
  EXPECT_NE(index.body.find("<html"), std::string::npos);
  EXPECT_EQ(get("/ui").body, index.body);
  auto js = get("/ui/app.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_NE(js.headers.find("content-type: text/javascript"), std::string::npos);
  auto css = get("/ui/style.css");
  ASSERT_EQ(css.status, 200);
  EXPECT_NE(css.headers.find("content-type: text/css"), std::string::npos);
  EXPECT_EQ(get("/ui/nope.js").status, 404);

  Request browser;
  browser.headers["accept"] = "text/html,application/xhtml+xml,*/*;q=0.8";
  EXPECT_TRUE(wants_html(browser));
  Request curl;
  curl.headers["accept"] = "*/*";
  EXPECT_FALSE(wants_html(curl));
  EXPECT_EQ(console_index().body, index.body);
}

}  // namespace
}  // namespace sluice::http
