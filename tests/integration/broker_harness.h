// `sluice run` as a child process for tests that talk to its Kafka listener with real clients.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "harness.h"

namespace sluice::test {

struct SluiceServer {
  Proc proc;
  std::string data_dir;
  int port = 0;       // Kafka
  int http_port = 0;  // Kafka Connect REST API and console
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port); }
};

// Starts `sluice run --data-dir data_dir --kafka-listen 127.0.0.1:0 extra...` and waits until it
// listens (port > 0), or fails the test.
SluiceServer start_server(const std::string& data_dir, const std::vector<std::string>& extra = {});

// Bytes in the log's segments of a topic under data_dir (0 before its first write).
uint64_t topic_bytes(const std::string& data_dir, const std::string& topic);

// Runs a shell command; returns its standard output. exit_code gets its status if given.
std::string shell(const std::string& command, int* exit_code = nullptr);

}  // namespace sluice::test
