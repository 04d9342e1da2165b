// Measures commit-to-durable-output latency of `sluice capture --output FILE`: follows FILE.pos
// (what is durable), reads the records it covers, and compares the moment each became durable
// with its PostgreSQL commit time (source.ts_us). Prints p50/p99/max in milliseconds.
// COUNT 0: stop once records have arrived and none came for 3 seconds.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cdc/position.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: latency_probe OUTPUT_FILE COUNT TIMEOUT_S\n");
    return 2;
  }
  std::string path = argv[1];
  size_t want = std::strtoull(argv[2], nullptr, 10);
  double timeout_s = std::atof(argv[3]);
  std::vector<double> lat, to_build, build_to_durable;
  lat.reserve(want);
  uint64_t consumed = 0;
  std::string pending;
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  timespec last_new = start;
  std::unique_ptr<sluice::cdc::PositionStore> store;  // opened once: polling stays cheap
  std::ifstream in;
  while (want == 0 || lat.size() < want) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (double(now.tv_sec - start.tv_sec) > timeout_s) break;
    if (want == 0 && !lat.empty() && now.tv_sec - last_new.tv_sec >= 3) break;
    uint64_t durable = 0;
    if (!store && access((path + ".pos").c_str(), F_OK) == 0)
      store = std::make_unique<sluice::cdc::PositionStore>(path + ".pos");
    if (store)
      if (auto p = store->load()) durable = p->output_size;
    if (durable > consumed) {
      last_new = now;
      timespec wall{};
      clock_gettime(CLOCK_REALTIME, &wall);
      int64_t now_us = int64_t(wall.tv_sec) * 1000000 + wall.tv_nsec / 1000;
      if (!in.is_open()) in.open(path, std::ios::binary);
      in.clear();
      in.seekg(std::streamoff(consumed));
      std::string chunk(durable - consumed, '\0');
      in.read(chunk.data(), std::streamsize(chunk.size()));
      consumed = durable;
      size_t startl = 0;
      for (size_t nl; (nl = chunk.find('\n', startl)) != std::string::npos; startl = nl + 1) {
        std::string_view line(chunk.data() + startl, nl - startl);
        auto at = line.find("\"ts_us\":");
        if (at == std::string_view::npos) continue;
        int64_t commit_us = std::strtoll(line.data() + at + 8, nullptr, 10);
        lat.push_back(double(now_us - commit_us) / 1000.0);
        // The envelope's own ts_us (last in the line) is when sluice built the record: it
        // splits the latency into PostgreSQL's part (commit to received) and sluice's.
        auto built_at = line.rfind("\"ts_us\":");
        if (built_at != at) {
          int64_t built_us = std::strtoll(line.data() + built_at + 8, nullptr, 10);
          to_build.push_back(double(built_us - commit_us) / 1000.0);
          build_to_durable.push_back(double(now_us - built_us) / 1000.0);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  if (lat.empty()) {
    std::printf("latency: no records\n");
    return 1;
  }
  auto summary = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    auto q = [&](double f) { return v[std::min(v.size() - 1, size_t(f * double(v.size())))]; };
    return std::to_string(q(0.50)).substr(0, 6) + "/" + std::to_string(q(0.99)).substr(0, 6) + "/" +
           std::to_string(v.back()).substr(0, 6);
  };
  std::printf("records=%zu commit->durable p50/p99/max=%s ms", lat.size(), summary(lat).c_str());
  if (!to_build.empty())
    std::printf(" = PostgreSQL to sluice %s + sluice to durable %s ms", summary(to_build).c_str(),
                summary(build_to_durable).c_str());
  std::printf("\n");
  return 0;
}
