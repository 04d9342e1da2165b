// A throwaway PostgreSQL cluster in a directory of its own: initdb with wal_level=logical,
// listening on loopback only. When run as root it runs the server as the unprivileged
// "postgres" user, since PostgreSQL refuses to run as root.
#pragma once
#include <string>
#include <vector>

namespace sluice::pg {

class LocalCluster {
 public:
  // dir holds data/, the log and the socket. port 0 picks a free port.
  explicit LocalCluster(std::string dir, int port = 0);

  // Initializes (once) and starts the server; returns the connection string.
  std::string up();
  // Stops the server (fast shutdown); the data stays.
  void stop();
  // Stops the server and removes the directory.
  void down();
  // Restarts a stopped server on the same port.
  void start();
  bool running() const;
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  std::string conninfo(const std::string& dbname = "postgres") const;
  // Runs SQL through psql as the superuser; throws on failure.
  std::string psql(const std::string& sql, const std::string& dbname = "postgres") const;
  // pid of the postmaster, or 0.
  int postmaster_pid() const;

  // Stops a cluster in dir, given only the directory (for `sluice pg down`).
  static void down_dir(const std::string& dir, bool keep_data);

 private:
  std::string bin(const char* tool) const;
  std::string dir_;
  int port_;
  std::string bindir_;
};

// Runs argv (as the unprivileged postgres user when we are root); returns the exit status and
// appends stdout+stderr to *output when given.
int run_as_postgres(const std::vector<std::string>& argv, std::string* output);

}  // namespace sluice::pg
