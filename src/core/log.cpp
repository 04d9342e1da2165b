#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <string>

namespace sluice::log {

namespace {
std::atomic<int> g_level{int(Level::info)};
constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void set_level(Level level) { g_level = int(level); }
bool enabled(Level level) { return int(level) >= g_level.load(std::memory_order_relaxed); }

void write(Level level, std::string_view component, std::string_view message) {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t{};
  gmtime_r(&ts.tv_sec, &t);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &t);
  std::string line = fmt::format("{}.{:03}Z {} {}: {}\n", stamp, ts.tv_nsec / 1000000,
                                 kNames[int(level)], component, message);
  fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace sluice::log
