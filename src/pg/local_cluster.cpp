#include "pg/local_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace sluice::pg {

namespace {

std::string find_bindir() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec))
    if (fs::exists(e.path() / "bin" / "initdb")) found.push_back(e.path() / "bin");
  if (found.empty())
    throw std::runtime_error(
        "PostgreSQL server binaries not found under /usr/lib/postgresql; run scripts/setup.sh");
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    return std::stoi(a.parent_path().filename()) < std::stoi(b.parent_path().filename());
  });
  return found.back().string();
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

const passwd* postgres_user() {
  if (geteuid() != 0) return nullptr;
  const passwd* pw = getpwnam("postgres");
  if (!pw)
    throw std::runtime_error(
        "running as root, and there is no 'postgres' user to run PostgreSQL as (install the "
        "postgresql package)");
  return pw;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int run_as_postgres(const std::vector<std::string>& argv, std::string* output) {
  const passwd* pw = postgres_user();
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    if (pw) {
      if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
          setuid(pw->pw_uid) != 0) {
        perror("cannot switch to the postgres user");
        _exit(126);
      }
      setenv("HOME", pw->pw_dir, 1);
      setenv("USER", "postgres", 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    perror(argv[0].c_str());
    _exit(127);
  }
  close(pipefd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
    if (output) output->append(buf, size_t(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

LocalCluster::LocalCluster(std::string dir, int port)
    : dir_(fs::absolute(dir).lexically_normal().string()), port_(port), bindir_(find_bindir()) {
  if (!dir_.empty() && dir_.back() == '/') dir_.pop_back();
  std::string saved = read_file(fs::path(dir_) / "port");
  if (port_ == 0 && !saved.empty()) port_ = std::stoi(saved);
}

std::string LocalCluster::bin(const char* tool) const { return bindir_ + "/" + tool; }

std::string LocalCluster::conninfo(const std::string& dbname) const {
  return fmt::format("host=127.0.0.1 port={} user=postgres dbname={}", port_, dbname);
}

bool LocalCluster::running() const { return postmaster_pid() != 0; }

int LocalCluster::postmaster_pid() const {
  std::string pid = read_file(fs::path(dir_) / "data" / "postmaster.pid");
  if (pid.empty()) return 0;
  int p = std::atoi(pid.c_str());
  return p > 0 && kill(p, 0) == 0 ? p : 0;
}

std::string LocalCluster::up() {
  const passwd* pw = postgres_user();
  fs::create_directories(dir_);
  if (pw) {
    // Every ancestor must be traversable by the postgres user.
    for (fs::path p = fs::path(dir_).parent_path(); !p.empty() && p != p.root_path();
         p = p.parent_path()) {
      struct stat st {};
      if (stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH) && st.st_uid != pw->pw_uid)
        throw std::runtime_error(fmt::format(
            "the postgres user cannot reach {}: {} is not traversable by others. Choose a "
            "directory under /tmp, or run chmod o+x {}",
            dir_, p.string(), p.string()));
    }
  }
  if (pw && chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
    throw std::runtime_error(
        fmt::format("cannot hand {} to the postgres user: {}", dir_, std::strerror(errno)));
  chmod(dir_.c_str(), 0700);
  fs::path data = fs::path(dir_) / "data";
  if (!fs::exists(data / "PG_VERSION")) {
    std::string out;
    int rc = run_as_postgres({bin("initdb"), "-D", data.string(), "-U", "postgres", "-A", "trust",
                              "-E", "UTF8", "--locale=C", "--no-sync"},
                             &out);
    if (rc != 0)
      throw std::runtime_error(fmt::format(
          "initdb failed (exit {}): {}\n(if the directory is not reachable by the postgres user, "
          "choose one under /tmp)",
          rc, out));
  }
  if (port_ == 0) port_ = free_port();
  {
    // Settings live in their own include file so re-running `up` can change the port.
    std::ofstream conf(data / "sluice.conf", std::ios::trunc);
    conf << "listen_addresses = '127.0.0.1'\n"
         << "port = " << port_ << "\n"
         << "unix_socket_directories = '" << dir_ << "'\n"
         << "wal_level = logical\n"
         << "max_replication_slots = 32\n"
         << "max_wal_senders = 32\n"
         << "max_connections = 200\n"
         << "max_wal_size = '4GB'\n"
         << "fsync = on\n";
    std::string main_conf = read_file(data / "postgresql.conf");
    if (main_conf.find("include_if_exists = 'sluice.conf'") == std::string::npos) {
      std::ofstream app(data / "postgresql.conf", std::ios::app);
      app << "\ninclude_if_exists = 'sluice.conf'\n";
    }
    std::ofstream(fs::path(dir_) / "port", std::ios::trunc) << port_;
  }
  if (pw) {
    (void)chown((data / "sluice.conf").c_str(), pw->pw_uid, pw->pw_gid);
    (void)chown((fs::path(dir_) / "port").c_str(), pw->pw_uid, pw->pw_gid);
  }
  if (!running()) start();
  return conninfo();
}

void LocalCluster::start() {
  std::string out;
  int rc = run_as_postgres({bin("pg_ctl"), "-D", dir_ + "/data", "-l", dir_ + "/postgresql.log",
                            "-w", "-t", "60", "start"},
                           &out);
  if (rc != 0)
    throw std::runtime_error(fmt::format("pg_ctl start failed (exit {}): {}\nserver log: {}", rc,
                                         out, read_file(fs::path(dir_) / "postgresql.log")));
}

void LocalCluster::stop() {
  if (!fs::exists(fs::path(dir_) / "data" / "postmaster.pid")) return;
  std::string out;
  run_as_postgres({bin("pg_ctl"), "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "60", "stop"},
                  &out);
}

void LocalCluster::down() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void LocalCluster::down_dir(const std::string& dir, bool keep_data) {
  if (!fs::exists(fs::path(dir) / "data" / "PG_VERSION"))
    throw std::runtime_error(fmt::format("{} holds no sluice PostgreSQL cluster", dir));
  LocalCluster c(dir);
  if (keep_data)
    c.stop();
  else
    c.down();
}

std::string LocalCluster::psql(const std::string& sql, const std::string& dbname) const {
  std::string out;
  int rc =
      run_as_postgres({bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-h", "127.0.0.1",
                       "-p", std::to_string(port_), "-U", "postgres", "-d", dbname, "-c", sql},
                      &out);
  if (rc != 0) throw std::runtime_error(fmt::format("psql failed: {}", out));
  return out;
}

}  // namespace sluice::pg
