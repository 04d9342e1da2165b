// The initial snapshot: every row of the captured tables as an op "r" record, read with COPY
// by several connections that share one exported snapshot (the slot's, so that streaming from
// its consistent point continues exactly where the snapshot stops). Large tables are split into
// ctid ranges; records are handed over as they are made, so memory stays bounded.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cdc/connector_config.h"
#include "cdc/event_builder.h"
#include "cdc/snapshot_progress.h"
#include "cdc/snapshot_tables.h"

namespace sluice::cdc {

struct InitialSnapshotOptions {
  std::string conninfo;       // connections are opened with the replication session settings
  std::string snapshot_name;  // exported snapshot every reader imports
  int threads = 4;
  uint64_t chunk_pages = 0;  // 0: chosen from the table sizes and threads
  Lsn lsn = 0;               // source.lsn of the records (the slot's consistent point)
  uint32_t xid = 0;          // source.txId
  // Takes a buffer of whole record lines (leaving it empty) with their count; called from the
  // reader threads, one at a time. Returns false to stop the snapshot (a record limit).
  std::function<bool(std::string& lines, uint64_t records)> output;
  std::function<bool()> stopping;  // polled between rows
  SnapshotProgress* progress = nullptr;
};

// Reads every table. Returns the number of records (false in `complete` when stopped early).
// Throws pg::Error or std::runtime_error when a read fails.
uint64_t run_initial_snapshot(const ConnectorConfig& config, std::vector<SnapshotTable>& tables,
                              const InitialSnapshotOptions& options, bool& complete);

}  // namespace sluice::cdc
