// `sluice generate`: realistic fake rows written into the seeds' schemas as a stream of inserts,
// updates and deletes, repeatable with a seed. Used by the CLI, `sluice demo` and benchmarks.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pg/connection.h"

namespace sluice::gen {

struct Mix {  // relative weights of the kinds of change
  int inserts = 70, updates = 20, deletes = 10;
};

struct Options {
  // "transactions" (seed 001), "inventory" (003), "candidates" (000: raw.candidate and
  // raw.hiredcorp), "survey" (004), "hired_employees" (002)
  std::string dataset;
  uint64_t seed = 1;
  Mix mix;
  double rate = 0;      // changes per second; 0 = as fast as possible
  int64_t count = -1;   // changes to make; -1 = until *stop
  bool create = false;  // create the schema (IF NOT EXISTS) first
  const std::atomic<bool>* stop = nullptr;
  // Called after each change is committed, with "insert", "update" or "delete" and the
  // schema-qualified table name. May be null.
  std::function<void(const std::string& sql_kind, const std::string& table)> on_change;
};

struct Stats {
  int64_t inserts = 0, updates = 0, deletes = 0;
  double seconds = 0;
};

struct DatasetInfo {
  std::string name;
  std::string seed;         // "001"
  std::string description;  // one line
  std::vector<std::string> tables;
};

std::vector<std::string> dataset_names();
std::vector<DatasetInfo> datasets();

// Creates the dataset's schema and tables as the seed defines them, with the seed's initial rows
// (Debezium's example rows for inventory, seed 002's departments and jobs), for the tables that
// do not exist yet. Idempotent. Throws std::invalid_argument for an unknown dataset.
void create_schema(pg::Connection& conn, const std::string& dataset);

// Makes changes until options.count are made or *options.stop is set. Throws
// std::invalid_argument for an unknown dataset or bad options, pg::Error for database errors.
Stats generate(const std::string& conninfo, const Options& options);

}  // namespace sluice::gen
