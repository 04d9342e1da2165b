// Shared fixture for integration tests: one throwaway PostgreSQL per test binary (started with
// the same code as `sluice pg up`), a fresh database per test, and the sluice binary run as a
// child process exactly as a user runs it.
#pragma once
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pg/connection.h"
#include "pg/local_cluster.h"

namespace sluice::test {

// The cluster shared by all tests of this binary.
pg::LocalCluster& cluster();

// A new directory under /tmp that the postgres user can reach (for clusters of a test's own).
std::string scratch_dir(const std::string& prefix);

// A child process; killed on destruction if still running, so a failed test leaves none behind.
struct Proc {
  Proc() = default;
  Proc(Proc&& o) noexcept : pid(o.pid), stderr_path(std::move(o.stderr_path)) { o.pid = -1; }
  Proc& operator=(Proc&&) = delete;
  ~Proc();
  pid_t pid = -1;
  std::string stderr_path;
  // Waits for exit; returns the exit code (or 128+signal). -1 on timeout.
  int wait(std::chrono::milliseconds timeout = std::chrono::minutes(5));
  void signal(int sig) const;
  std::string stderr_text() const;
};

// Polls pred every step until it holds (true) or limit passes (false).
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds limit,
                std::chrono::milliseconds step = std::chrono::milliseconds(50));
// True once the child has exited (a zombie not yet reaped), without reaping it.
bool exited(const Proc& p);
// Waits until the child's stderr holds needle; false on timeout or if it exited without it.
bool wait_stderr(const Proc& p, const std::string& needle, std::chrono::milliseconds limit);

// Runs `sluice args...` in the background, stdout to stdout_path (or /dev/null).
Proc spawn_sluice(const std::vector<std::string>& args, const std::string& stdout_path = "");

class CaptureTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A database of its own for this test; sql runs there.
  std::string db;
  std::string dir;  // scratch directory for this test
  std::unique_ptr<pg::Connection> conn;
  void sql(const std::string& statements);

  // Writes a connector config for this test's database (extra merged into "config").
  std::string connector_file(const std::string& extra_json = "", const std::string& name = "c");
  std::string config_json(const std::string& extra_json = "", const std::string& slot = "");
  // Runs capture until it has written max_events records; returns parsed records.
  std::vector<rapidjson::Document> capture(const std::string& config_file, uint64_t max_events,
                                           const std::string& output = "");
  // Seed 001: its transactions table, and its connector config verbatim (only the database's
  // host, port and name differ) written to a file; returns the file's path.
  std::string seed001();
  // Creates the slot now (as a running connector would have), so later changes are captured.
  void create_slot(const std::string& slot = "");
  std::string slot_name();
};

std::vector<rapidjson::Document> read_records(const std::string& path);
std::string read_text(const std::string& path);
// Serializes a JSON value compactly.
std::string to_json(const rapidjson::Value& v);

}  // namespace sluice::test
