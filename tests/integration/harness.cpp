#include "harness.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;

namespace sluice::test {

namespace {

struct ClusterHolder {
  std::unique_ptr<pg::LocalCluster> c;
  std::string dir;  // the scratch directory holding the cluster
  ~ClusterHolder() {
    if (c) c->down();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};
ClusterHolder& holder() {
  static ClusterHolder h;
  return h;
}

int g_db_counter = 0;

}  // namespace

std::string scratch_dir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  std::string dir = mkdtemp(tmpl.data());
  chmod(dir.c_str(), 0755);  // the postgres user must reach a cluster inside
  return dir;
}

pg::LocalCluster& cluster() {
  auto& h = holder();
  if (!h.c) {
    h.dir = scratch_dir("sluice-it");
    h.c = std::make_unique<pg::LocalCluster>(h.dir + "/pg");
    h.c->up();
  }
  return *h.c;
}

Proc::~Proc() {
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

int Proc::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Proc::signal(int sig) const {
  if (pid > 0) kill(pid, sig);
}

std::string Proc::stderr_text() const { return read_text(stderr_path); }

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit,
                std::chrono::milliseconds step) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
  }
}

bool exited(const Proc& p) {
  if (p.pid <= 0) return true;
  std::string stat = read_text(fmt::format("/proc/{}/stat", p.pid));
  auto close = stat.rfind(')');
  if (close == std::string::npos) return true;
  return close + 2 < stat.size() && stat[close + 2] == 'Z';
}

bool wait_stderr(const Proc& p, const std::string& needle, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    bool gone = exited(p);
    if (p.stderr_text().find(needle) != std::string::npos) return true;
    if (gone || std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Proc spawn_sluice(const std::vector<std::string>& args, const std::string& stdout_path) {
  Proc p;
  char tmpl[] = "/tmp/sluice-stderr-XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  p.stderr_path = tmpl;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, stdout_path.empty() ? "/dev/null" : stdout_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, tmpl, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> full{SLUICE_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&p.pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) p.pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return p;
}

void CaptureTest::SetUp() {
  auto& c = cluster();
  db = fmt::format("t{}_{}", getpid(), ++g_db_counter);
  char tmpl[] = "/tmp/sluice-test-XXXXXX";
  dir = mkdtemp(tmpl);
  pg::Connection admin(c.conninfo());
  admin.exec("CREATE DATABASE " + db);
  conn = std::make_unique<pg::Connection>(c.conninfo(db));
}

void CaptureTest::TearDown() {
  conn.reset();
  try {
    pg::Connection admin(cluster().conninfo());
    admin.exec(fmt::format(
        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '{}' "
        "AND active_pid IS NOT NULL",
        db));
    for (int i = 0; i < 50; ++i) {
      auto r = admin.exec(fmt::format(
          "SELECT count(*) FROM pg_replication_slots WHERE database = '{}' AND active", db));
      if (r.get(0, 0) == "0") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    admin.exec(fmt::format(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = "
        "'{}'",
        db));
    admin.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cleanup: " << e.what();
  }
  if (!HasFailure()) fs::remove_all(dir);
}

void CaptureTest::sql(const std::string& statements) { conn->exec(statements); }

std::string CaptureTest::slot_name() { return "slot_" + db; }

std::string CaptureTest::config_json(const std::string& extra, const std::string& slot) {
  return fmt::format(
      R"({{"name":"test-connector","config":{{"connector.class":"io.debezium.connector.postgresql.PostgresConnector",)"
      R"("database.hostname":"127.0.0.1","database.port":"{}","database.user":"postgres",)"
      R"("database.password":"postgres","database.dbname":"{}","topic.prefix":"test",)"
      R"("slot.name":"{}","snapshot.mode":"no_data"{}{}}}}})",
      cluster().port(), db, slot.empty() ? slot_name() : slot, extra.empty() ? "" : ",", extra);
}

std::string CaptureTest::connector_file(const std::string& extra, const std::string& name) {
  std::string path = dir + "/" + name + ".json";
  std::ofstream(path) << config_json(extra);
  return path;
}

std::string CaptureTest::seed001() {
  sql("CREATE TABLE IF NOT EXISTS transactions (transaction_id VARCHAR(255) PRIMARY KEY, user_id "
      "VARCHAR(255), timestamp TIMESTAMP, amount DECIMAL, currency VARCHAR(255), city "
      "VARCHAR(255), country VARCHAR(255), merchant_name VARCHAR(255), payment_method "
      "VARCHAR(255), ip_address VARCHAR(255), voucher_code VARCHAR(255), affiliateId "
      "VARCHAR(255))");
  std::string cfg = dir + "/seed001.json";
  std::ofstream(cfg) << fmt::format(
      R"({{
  "name": "postgres-connector",
  "config": {{
  "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
  "topic.prefix": "cdc",
  "database.user": "postgres",
  "database.dbname": "{}",
  "database.hostname": "127.0.0.1",
  "database.port": "{}",
  "database.password": "postgres",
  "plugin.name": "pgoutput",
  "decimal.handling.mode": "string"
  }}
  }})",
      db, cluster().port());
  return cfg;
}

void CaptureTest::create_slot(const std::string& slot) {
  // What a connector creates on its first start: the publication, then the slot.
  auto r = conn->exec("SELECT 1 FROM pg_publication WHERE pubname = 'dbz_publication'");
  if (r.rows() == 0) conn->exec("CREATE PUBLICATION dbz_publication FOR ALL TABLES");
  conn->exec(fmt::format("SELECT pg_create_logical_replication_slot('{}', 'pgoutput')",
                         slot.empty() ? slot_name() : slot));
}

std::vector<rapidjson::Document> CaptureTest::capture(const std::string& config_file,
                                                      uint64_t max_events,
                                                      const std::string& output) {
  std::string out = output.empty() ? dir + "/out.jsonl" : output;
  Proc p = spawn_sluice(
      {"capture", config_file, "--output", out, "--max-events", std::to_string(max_events)});
  int rc = p.wait(std::chrono::minutes(3));
  if (rc == -1) {
    p.signal(SIGKILL);
    p.wait();
    ADD_FAILURE() << "capture timed out; stderr:\n" << p.stderr_text();
  } else {
    EXPECT_EQ(rc, 0) << p.stderr_text();
  }
  return read_records(out);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<rapidjson::Document> read_records(const std::string& path) {
  std::vector<rapidjson::Document> docs;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    EXPECT_FALSE(d.HasParseError()) << "bad JSON line: " << line.substr(0, 200);
    docs.push_back(std::move(d));
  }
  return docs;
}

std::string to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return sb.GetString();
}

}  // namespace sluice::test
