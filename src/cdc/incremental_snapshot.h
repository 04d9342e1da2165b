// Incremental snapshots while streaming (Debezium's execute-snapshot signal), the DBLog way:
// a low watermark is written into the WAL (a logical message), a chunk of the table is read in
// primary-key order, a high watermark follows. Changes the stream delivers between the two
// marks remove their keys from the chunk; at the high mark the rest of the chunk is emitted as
// op "r" records. Every change thus comes after any older state the chunk held, and the
// stream never stops. The queue and the last key reached are kept in the connector's position.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "cdc/connector_config.h"
#include "cdc/event_builder.h"
#include "cdc/snapshot_progress.h"
#include "cdc/table_schema.h"
#include "pg/catalog.h"
#include "pg/connection.h"

namespace sluice::cdc {

// The prefix of the watermark messages (never emitted as records).
inline constexpr const char* kWatermarkPrefix = "__sluice_snapshot_watermark";

class IncrementalSnapshot {
 public:
  IncrementalSnapshot(const ConnectorConfig& config, std::string conninfo,
                      SnapshotProgress& progress);
  ~IncrementalSnapshot();

  // The persisted state (empty when idle) and its restoration after a restart.
  std::string state() const;
  void restore(const std::string& state);  // throws FatalError when it is not a state

  // execute-snapshot / stop-snapshot signal data ({"data-collections":[…],"type":…,
  // "additional-conditions":[…]}). Problems are logged (a signal never stops the stream).
  void execute(std::string_view signal_id, std::string_view data);
  void stop(std::string_view signal_id, std::string_view data);

  bool active() const { return !queue_.empty(); }
  // True when the next chunk may be read: active and no window waits for its watermarks.
  bool wants_window() const { return active() && !window_pending_; }
  // Writes the low watermark, reads the next chunk, writes the high watermark.
  void open_window();
  // A watermark message from the stream; true when it closed our window (emit_chunk is due).
  bool on_watermark(std::string_view content);
  // A change of `data_collection` with this key payload seen in the stream.
  void on_change(const std::string& data_collection, const std::string& key_payload);
  // A truncate of data_collection: the open window's chunk is stale as a whole.
  void on_truncate(const std::string& data_collection);
  // Appends the chunk's remaining rows as records and moves to the next chunk; returns the
  // number of records.
  uint64_t emit_chunk(std::string& out, EventBuilder& builder, Lsn last_commit_lsn);

 private:
  struct Table {
    std::string name;                   // schema.table
    std::string filter;                 // additional condition (SQL), may be empty
    std::vector<std::string> last_key;  // text values of the last key emitted; empty: start
    std::vector<std::string> max_key;   // empty: not read yet
    bool has_max = false;
  };
  struct Plan;             // the table as read: schema, key columns and types, SQL
  bool prepare(Table& t);  // loads the plan; false when the table cannot be snapshotted
  void finish_table();
  pg::Connection& conn();

  const ConnectorConfig& config_;
  std::string conninfo_;
  SnapshotProgress& progress_;
  std::unique_ptr<pg::Connection> conn_;
  std::unique_ptr<pg::Catalog> catalog_;
  std::vector<Table> queue_;  // front: the table being read
  std::unique_ptr<Plan> plan_;
  size_t progress_index_ = 0;
  // The open window.
  std::string run_id_;  // distinguishes this process's watermarks from older ones in the WAL
  uint64_t window_ = 0;
  bool window_pending_ = false;
  bool window_open_ = false;  // the low watermark was seen
  bool window_closed_ = false;
  std::unique_ptr<pg::Result> chunk_;
  std::vector<std::string> chunk_keys_;
  std::unordered_set<std::string> dropped_;
  bool drop_all_ = false;
};

}  // namespace sluice::cdc
