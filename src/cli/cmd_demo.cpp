// `sluice demo`: everything on a throwaway PostgreSQL. Seed 001's financial_db.transactions and
// seed 003's inventory schema, filled by the generator; the server (Kafka listener, Kafka
// Connect REST API, console) with seed 001's connector registered; a trickle of generated
// changes; a live tail of the events read back from the topic. Ctrl-C stops and cleans up.
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "cli/commands.h"
#include "cli/server.h"
#include "connect/worker.h"
#include "core/log.h"
#include "gen/generator.h"
#include "kafka/compression.h"
#include "kafka/record_batch.h"
#include "log/batch_scan.h"
#include "log/topic_store.h"
#include "pg/connection.h"
#include "pg/local_cluster.h"

namespace sluice::cli {

namespace {

constexpr const char* kLog = "demo";
constexpr const char* kTopic = "cdc.public.transactions";
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

// One line per event: op, id and the amount before → after, as seed 001 watches it change.
void print_event(std::string_view value) {
  rapidjson::Document d;
  d.Parse(value.data(), value.size());
  if (d.HasParseError() || !d.IsObject()) return;
  const rapidjson::Value& p = d.HasMember("payload") ? d["payload"] : d;
  if (!p.IsObject() || !p.HasMember("op")) return;
  auto field = [](const rapidjson::Value& row, const char* name) -> std::string {
    if (!row.IsObject() || !row.HasMember(name) || !row[name].IsString()) return "-";
    return row[name].GetString();
  };
  const rapidjson::Value& row = p["after"].IsObject() ? p["after"] : p["before"];
  std::printf("%s op=%s id=%s amount %s -> %s  %s, %s\n", kTopic, p["op"].GetString(),
              field(row, "transaction_id").c_str(), field(p["before"], "amount").c_str(),
              field(p["after"], "amount").c_str(), field(row, "merchant_name").c_str(),
              field(row, "city").c_str());
  std::fflush(stdout);
}

// Prints the topic's records from `next` on; returns the offset after the last one printed.
int64_t tail(log::TopicStore& topics, int64_t next, uint64_t& printed) {
  auto t = topics.find(kTopic);
  if (!t) return next;
  auto part = t->partition(0);
  if (!part) return next;
  std::string scratch;
  std::vector<kafka::Record> records;
  log::for_each_batch(*part, next, [&](const kafka::BatchHeader& h, std::string_view batch) {
    records.clear();
    if (h.control() || !kafka::read_any_records(batch, scratch, records).empty()) return;
    for (const auto& r : records) {
      if (h.base_offset + r.offset_delta < next) continue;
      if (r.value) {
        print_event(*r.value);
        ++printed;
      }
    }
    next = h.base_offset + h.last_offset_delta + 1;
  });
  return next;
}

// The default ports when free, else any free port (a second demo, or a Kafka already there).
RunArgs server_args(const DemoArgs& a, const std::string& dir, bool defaults) {
  RunArgs r;
  r.data_dir = dir + "/data";
  r.kafka_listen = defaults ? a.kafka_listen : "127.0.0.1:0";
  r.http_listen = defaults ? a.http_listen : "127.0.0.1:0";
  r.group_initial_rebalance_delay_ms = 0;
  return r;
}

}  // namespace

int demo(const DemoArgs& a) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A closed pipe on stdout (`sluice demo | head`) must not skip the clean-up below.
  signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/tmp/sluice-demo-XXXXXX";
  if (a.dir.empty() && !mkdtemp(tmpl)) {
    log::error(kLog, "cannot create a directory under /tmp: {}", std::strerror(errno));
    return 1;
  }
  std::string dir = a.dir.empty() ? std::string(tmpl) : a.dir;
  std::filesystem::create_directories(dir);
  chmod(dir.c_str(), 0755);  // PostgreSQL runs as the postgres user when we are root
  pg::LocalCluster cluster(dir + "/pg");
  int rc = 0;
  uint64_t printed = 0;
  try {
    std::printf("starting a throwaway PostgreSQL in %s ...\n", dir.c_str());
    std::fflush(stdout);
    cluster.up();
    {
      pg::Connection admin(cluster.conninfo());
      admin.exec("CREATE DATABASE financial_db");
      gen::create_schema(admin, "inventory");  // seed 003 keeps it in database postgres
    }
    std::string financial = cluster.conninfo("financial_db");
    {
      pg::Connection conn(financial);
      gen::create_schema(conn, "transactions");
    }
    // Existing rows, so the connector starts with a snapshot of them.
    gen::Options fill;
    fill.dataset = "transactions";
    fill.seed = a.seed;
    fill.mix = {100, 0, 0};
    fill.count = 20;
    gen::generate(financial, fill);

    std::unique_ptr<Server> server;
    try {
      server = std::make_unique<Server>(server_args(a, dir, true));
    } catch (const UsageError&) {
      server = std::make_unique<Server>(server_args(a, dir, false));
    }
    server->start();
    // Seed 001's connector config, as its curl posts it, pointed at the throwaway server.
    connect::Properties config = {
        {"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
        {"topic.prefix", "cdc"},
        {"database.user", "postgres"},
        {"database.dbname", "financial_db"},
        {"database.hostname", "127.0.0.1"},
        {"database.port", std::to_string(cluster.port())},
        {"database.password", "postgres"},
        {"plugin.name", "pgoutput"},
        {"decimal.handling.mode", "string"}};
    server->worker().put_config("postgres-connector", config);

    std::printf(
        "\n  console         http://127.0.0.1:%u/\n"
        "  Kafka listener  127.0.0.1:%u   (kcat -b 127.0.0.1:%u -C -t %s)\n"
        "  Kafka Connect   curl 127.0.0.1:%u/connectors/postgres-connector/status\n"
        "  PostgreSQL      psql \"%s\"\n"
        "  seed 003        database postgres, schema inventory (POST its register-postgres.json)\n"
        "\nCtrl-C stops the demo and removes everything.\n\n",
        server->http_port(), server->kafka_port(), server->kafka_port(), kTopic,
        server->http_port(), financial.c_str());
    std::fflush(stdout);

    // A trickle of changes: transactions for the running connector, inventory for seed 003's.
    auto trickle = [&](std::string dataset, std::string conninfo, double rate) {
      return std::thread([dataset, conninfo, rate, seed = a.seed] {
        gen::Options o;
        o.dataset = dataset;
        o.seed = seed + 1;
        o.rate = rate;
        o.mix = {60, 30, 10};
        o.stop = &g_stop;
        try {
          gen::generate(conninfo, o);
        } catch (const std::exception& e) {
          if (!g_stop) log::error(kLog, "generator for {} stopped: {}", dataset, e.what());
        }
      });
    };
    std::thread gen_tx = trickle("transactions", financial, 2);
    std::thread gen_inv = trickle("inventory", cluster.conninfo(), 0.5);
    // Whatever ends the loop below (an exception included), the generators stop first.
    struct Joiner {
      std::thread& a;
      std::thread& b;
      ~Joiner() {
        g_stop = true;
        if (a.joinable()) a.join();
        if (b.joinable()) b.join();
      }
    } joiner{gen_tx, gen_inv};

    auto start = std::chrono::steady_clock::now();
    int64_t next = 0;
    while (!g_stop) {
      next = tail(server->topics(), next, printed);
      if (a.duration_s > 0 &&
          std::chrono::steady_clock::now() - start >= std::chrono::seconds(a.duration_s))
        g_stop = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    g_stop = true;
    gen_tx.join();
    gen_inv.join();
    server->stop();
    tail(server->topics(), next, printed);
    std::printf("\n%llu events in %s\n", static_cast<unsigned long long>(printed), kTopic);
    if (printed == 0) rc = 1;
  } catch (const std::exception& e) {
    log::error(kLog, "{}", e.what());
    rc = 1;
  }
  std::printf("stopping PostgreSQL and removing %s\n", dir.c_str());
  cluster.down();
  if (a.dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return rc;
}

}  // namespace sluice::cli
