// sluice run: the server. Opens the log, starts the Kafka listener, the HTTP listener (Kafka
// Connect's REST API and the console) and the connectors, and runs until SIGINT/SIGTERM.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "cli/commands.h"
#include "cli/server.h"
#include "core/log.h"

namespace sluice::cli {

namespace {

constexpr const char* kLog = "run";
std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop = true; }

void write_port_file(const std::string& path, uint16_t kafka_port, uint16_t http_port) {
  std::string tmp = path + ".tmp";
  FILE* f = fopen(tmp.c_str(), "w");
  if (!f) return;
  fprintf(f, "%u\n%u\n", unsigned(kafka_port), unsigned(http_port));
  fclose(f);
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace

int run(const RunArgs& a) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<Server> server;
  try {
    server = std::make_unique<Server>(a);
    server->start();
  } catch (const UsageError& e) {
    log::error(kLog, "{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    log::error(kLog, "{}", e.what());
    return 1;
  }
  if (!a.port_file.empty()) write_port_file(a.port_file, server->kafka_port(), server->http_port());
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  log::info(kLog, "stopping");
  server->stop();
  return 0;
}

}  // namespace sluice::cli
