#include "broker_harness.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace sluice::test {

SluiceServer start_server(const std::string& data_dir, const std::vector<std::string>& extra) {
  std::string port_file = data_dir + ".port";
  std::filesystem::remove(port_file);
  std::vector<std::string> args{"run",         "--data-dir",    data_dir,      "--kafka-listen",
                                "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--port-file",
                                port_file};
  args.insert(args.end(), extra.begin(), extra.end());
  SluiceServer s{spawn_sluice(args), data_dir, 0};
  wait_until(
      [&] {
        std::ifstream in(port_file);
        in >> s.port >> s.http_port;
        return s.http_port > 0 || exited(s.proc);  // a server that stopped will not listen
      },
      std::chrono::seconds(30));
  EXPECT_GT(s.port, 0) << "sluice run did not start: " << s.proc.stderr_text();
  return s;
}

uint64_t topic_bytes(const std::string& data_dir, const std::string& topic) {
  std::error_code ec;
  uint64_t n = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(data_dir + "/topics/" + topic, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".log") n += it->file_size(ec);
  return n;
}

std::string shell(const std::string& command, int* exit_code) {
  std::string out;
  FILE* f = popen(command.c_str(), "r");
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  int status = pclose(f);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

}  // namespace sluice::test
