// `sluice demo`: a throwaway PostgreSQL with seed 001's financial `transactions` table, a trickle
// of generated changes, and seed 001's connector capturing them, shown as a live tail.
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "cdc/source_connector.h"
#include "cli/commands.h"
#include "core/log.h"
#include "pg/connection.h"
#include "pg/local_cluster.h"

namespace sluice::cli {

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop = true; }

constexpr const char* kCities[] = {"Lagos", "Nairobi", "Lisbon", "Austin", "Osaka", "Lima"};
constexpr const char* kCountries[] = {"Nigeria", "Kenya", "Portugal", "USA", "Japan", "Peru"};
constexpr const char* kMerchants[] = {"Acme Ltd", "Globex", "Initech", "Umbrella", "Hooli"};
constexpr const char* kMethods[] = {"credit_card", "debit_card", "online_transfer"};

void generate(const std::string& conninfo, unsigned seed) {
  std::mt19937 rng(seed);
  pg::Connection conn(conninfo);
  int n = 0;
  while (!g_stop) {
    ++n;
    std::string id =
        fmt::format("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", rng(), rng() & 0xffff, rng() & 0xfff,
                    rng() & 0xfff, (uint64_t(rng()) << 16) | (rng() & 0xffff));
    size_t c = rng() % 6;
    conn.exec(fmt::format(
        "INSERT INTO transactions VALUES ('{}', 'user{}', now()::timestamp(0), {}.{:02}, '{}', "
        "'{}', '{}', '{}', '{}', '10.{}.{}.{}', '{}', '{}')",
        id, rng() % 1000, 10 + rng() % 990, rng() % 100, rng() % 2 ? "USD" : "GBP", kCities[c],
        kCountries[c], kMerchants[rng() % 5], kMethods[rng() % 3], rng() % 256, rng() % 256,
        rng() % 256, rng() % 3 == 1 ? "DISCOUNT10" : "", rng()));
    if (n % 3 == 0)
      conn.exec(
          "UPDATE transactions SET amount = amount + 150 WHERE transaction_id = (SELECT "
          "transaction_id FROM transactions ORDER BY random() LIMIT 1)");
    if (n % 10 == 0)
      conn.exec(
          "DELETE FROM transactions WHERE transaction_id = (SELECT transaction_id FROM "
          "transactions ORDER BY random() LIMIT 1)");
    for (int i = 0; i < 10 && !g_stop; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Prints one line per record: topic, op, key and the changed amount.
void print_record(const std::string& line) {
  rapidjson::Document d;
  d.Parse(line.c_str(), line.size());
  if (d.HasParseError() || !d.IsObject()) return;
  std::string topic = d["topic"].GetString();
  if (d["value"].IsNull()) {
    std::printf("%-26s tombstone\n", topic.c_str());
    return;
  }
  const auto& p = d["value"]["payload"];
  const char* op = p["op"].GetString();
  auto amount = [](const rapidjson::Value& row) -> std::string {
    if (!row.IsObject() || !row.HasMember("amount") || !row["amount"].IsString()) return "-";
    return row["amount"].GetString();
  };
  const rapidjson::Value& row = p["after"].IsObject() ? p["after"] : p["before"];
  std::string id =
      row.IsObject() && row.HasMember("transaction_id") && row["transaction_id"].IsString()
          ? row["transaction_id"].GetString()
          : "";
  std::printf("%-26s op=%s id=%s amount %s -> %s  lsn=%lld\n", topic.c_str(), op, id.c_str(),
              amount(p["before"]).c_str(), amount(p["after"]).c_str(),
              static_cast<long long>(p["source"]["lsn"].GetInt64()));
  std::fflush(stdout);
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
  std::string dir = a.dir.empty() ? std::string(mkdtemp(tmpl)) : a.dir;
  chmod(dir.c_str(), 0755);  // PostgreSQL runs as the postgres user when we are root
  pg::LocalCluster cluster(dir + "/pg");
  int rc = 0;
  try {
    std::printf("starting a throwaway PostgreSQL in %s ...\n", dir.c_str());
    cluster.up();
    {
      pg::Connection admin(cluster.conninfo());
      admin.exec("CREATE DATABASE financial_db");
    }
    std::string info = cluster.conninfo("financial_db");
    pg::Connection conn(info);
    // Seed 001's table, with its REPLICA IDENTITY FULL step for before-images.
    conn.exec(
        "CREATE TABLE IF NOT EXISTS transactions (transaction_id VARCHAR(255) PRIMARY KEY, "
        "user_id VARCHAR(255), timestamp TIMESTAMP, amount DECIMAL, currency VARCHAR(255), city "
        "VARCHAR(255), country VARCHAR(255), merchant_name VARCHAR(255), payment_method "
        "VARCHAR(255), ip_address VARCHAR(255), voucher_code VARCHAR(255), affiliateId "
        "VARCHAR(255)); ALTER TABLE transactions REPLICA IDENTITY FULL");
    // Seed 001's connector config, pointed at the throwaway server.
    std::string config = fmt::format(
        R"({{"name":"postgres-connector","config":{{"connector.class":"io.debezium.connector.postgresql.PostgresConnector","topic.prefix":"cdc","database.user":"postgres","database.dbname":"financial_db","database.hostname":"127.0.0.1","database.port":"{}","database.password":"postgres","plugin.name":"pgoutput","decimal.handling.mode":"string","snapshot.mode":"no_data"}}}})",
        cluster.port());
    std::ofstream(dir + "/postgres-connector.json") << config;
    std::string events = dir + "/events.jsonl";
    std::printf(
        "connector config: %s/postgres-connector.json\nevents (Debezium JSON, one per "
        "line): %s\nCtrl-C stops the demo and removes everything.\n\n",
        dir.c_str(), events.c_str());
    cdc::CaptureOptions opts;
    opts.output_path = events;
    opts.stop = &g_stop;
    std::atomic<int> connector_rc{0};
    std::thread capture([&] {
      try {
        cdc::SourceConnector c(cdc::ConnectorConfig::from_json(config), opts);
        connector_rc = c.run();
      } catch (const std::exception& e) {
        log::error("demo", "connector failed: {}", e.what());
        connector_rc = 1;
        g_stop = true;
      }
    });
    // Wait for the slot so the generated changes are all captured.
    for (int i = 0; i < 200 && !g_stop; ++i) {
      if (conn.exec("SELECT 1 FROM pg_replication_slots WHERE active").rows() > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::thread gen([&] {
      try {
        generate(info, a.seed);
      } catch (const std::exception& e) {
        log::error("demo", "generator failed: {}", e.what());
        g_stop = true;
      }
    });
    auto start = std::chrono::steady_clock::now();
    std::ifstream tail;
    std::string line;
    while (!g_stop) {
      if (!tail.is_open()) tail.open(events);
      while (tail.is_open() && std::getline(tail, line)) print_record(line);
      tail.clear();
      if (a.duration_s > 0 &&
          std::chrono::steady_clock::now() - start >= std::chrono::seconds(a.duration_s))
        g_stop = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    gen.join();
    capture.join();
    while (tail.is_open() && std::getline(tail, line)) print_record(line);
    rc = connector_rc;
  } catch (const std::exception& e) {
    log::error("demo", "{}", e.what());
    rc = 1;
  }
  std::printf("\nstopping PostgreSQL and removing %s\n", dir.c_str());
  cluster.down();
  if (a.dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  return rc;
}

}  // namespace sluice::cli
