// The sluice subcommands, each parsed in main.cpp and run here.
#pragma once
#include <cstdint>
#include <string>

namespace sluice::cli {

struct PgUpArgs {
  std::string dir;
  int port = 0;
};
int pg_up(const PgUpArgs& a);
int pg_down(const std::string& dir, bool keep);

struct CaptureArgs {
  std::string connector_file;
  std::string output;
  uint64_t max_events = 0;
};
int capture(const CaptureArgs& a);

}  // namespace sluice::cli

namespace sluice::cli {

struct DemoArgs {
  std::string dir;     // default: a new directory under /tmp, removed at the end
  int duration_s = 0;  // 0: until Ctrl-C
  unsigned seed = 1;
};
int demo(const DemoArgs& a);

}  // namespace sluice::cli
