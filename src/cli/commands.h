// The sluice subcommands, each parsed in main.cpp and run here.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

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
  std::string kafka_listen = "127.0.0.1:9092";  // a free port instead when these are taken
  std::string http_listen = "127.0.0.1:8083";
};
int demo(const DemoArgs& a);

struct RunArgs {
  std::string data_dir = "sluice-data";
  std::string kafka_listen = "127.0.0.1:9092";
  std::string http_listen = "127.0.0.1:8083";  // Kafka Connect REST, data API, console
  std::string advertised_host;                 // default: the listen host
  std::string port_file;  // written once listening: the Kafka port, then the HTTP port
  std::vector<std::string> connectors;
  std::string kafka_bootstrap;  // connectors write to this Kafka cluster instead of the log
  int32_t partitions = 1;       // default partition count of new topics
  bool no_auto_create = false;
  std::vector<std::string> topic_defaults;  // NAME=VALUE topic config defaults
  std::vector<std::string> sasl_users;      // USER:PASSWORD
  int64_t group_initial_rebalance_delay_ms = 3000;
};
int run(const RunArgs& a);

struct GenerateArgs {
  std::string dataset;
  std::string db;                // libpq conninfo; "" = the PG* environment and libpq defaults
  bool create = false;           // create the dataset's schema first
  double rate = 0;               // changes per second; 0 = as fast as possible
  int64_t count = -1;            // -1 = until SIGINT/SIGTERM
  std::string mix = "70,20,10";  // INSERTS,UPDATES,DELETES weights
  uint64_t seed = 1;
  bool list = false;  // print the datasets and exit
};
int generate(const GenerateArgs& a);

}  // namespace sluice::cli
