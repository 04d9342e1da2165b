// One PostgreSQL source connector: checks the server, manages publication and slot, streams
// pgoutput, turns changes into Debezium records and writes them with an exactly-once position.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "cdc/connector_config.h"
#include "cdc/event_builder.h"
#include "cdc/fatal_error.h"
#include "cdc/flusher.h"
#include "cdc/incremental_snapshot.h"
#include "cdc/position.h"
#include "cdc/sink.h"
#include "cdc/snapshot_progress.h"
#include "cdc/table_schema.h"
#include "pg/catalog.h"
#include "pg/pgoutput.h"
#include "pg/replication_stream.h"

namespace sluice::cdc {

struct CaptureOptions {
  std::shared_ptr<Sink> sink;  // where records go; null: output_path
  std::string output_path;     // empty or "-": standard output
  uint64_t max_events = 0;     // 0: unlimited
  const std::atomic<bool>* stop = nullptr;
  int max_backoff_ms = 10000;
};

class SourceConnector : private pg::PgOutputHandler {
 public:
  SourceConnector(ConnectorConfig config, CaptureOptions options);
  ~SourceConnector() override;
  // Runs until stopped; returns the process exit code. Throws FatalError.
  int run();
  // Records handed to the sink so far (readable from any thread).
  uint64_t records_written() const { return records_shared_.load(std::memory_order_relaxed); }
  // Per-table progress of the snapshots taken (readable from any thread).
  const SnapshotProgress& snapshot_progress() const { return progress_; }

 private:
  void check_server(pg::Connection& conn);
  void ensure_publication(pg::Connection& conn);
  // Checks an existing slot (plugin, database, not held by another reader); false when there
  // is none. confirmed: its confirmed_flush_lsn.
  bool check_slot(pg::Connection& conn, bool first_attempt, std::optional<Lsn>& confirmed);
  void ensure_slot(pg::Connection& conn, pg::ReplicationStream& repl, bool first_attempt);
  // Creates the slot (exporting its snapshot when asked); FatalError with the fix when the
  // role or the server's slot limit forbids it.
  pg::SlotInfo create_slot(pg::ReplicationStream& repl, bool export_snapshot);
  // The initial snapshot (snapshot.mode): a new slot exporting its snapshot when there is no
  // position, else (always) a snapshot exported by a transaction of its own.
  void initial_snapshot(const std::string& info);
  Position current_position() const;
  // True while no position may be saved (a snapshot unfinished, or the stream not yet past
  // what a snapshot of its own saw).
  bool position_held();
  // Streams until stopped (returns) or the connection fails (throws pg::Error).
  void stream(bool first_attempt);
  // Hands the buffer to the flusher with the position it leads to (durable if sync).
  void submit(bool sync);
  // Confirms to PostgreSQL what the flusher has made durable.
  void confirm_durable();
  bool stopping() const;
  bool reached_max() const { return options_.max_events && records_ >= options_.max_events; }

  // Writes one record through `build` unless it was already written before a restart.
  template <typename Build>
  void emit(Build&& build);
  void emit_begin_if_needed();
  // The transaction block of the next data event (null without provide.transaction.metadata).
  const TxBlock* tx_block(const TableSchema& t, TxBlock& block);
  SourceInfo source_info() const;
  const TableSchema* relation(uint32_t oid);

  void on_begin(const pg::BeginMessage& m) override;
  void on_commit(const pg::CommitMessage& m) override;
  void on_relation(const pg::RelationMessage& m) override;
  void on_type(uint32_t oid, std::string_view schema, std::string_view name) override;
  void on_insert(uint32_t rel, const pg::Tuple& row) override;
  void on_update(uint32_t rel, char old_kind, const pg::Tuple& old_row,
                 const pg::Tuple& row) override;
  void on_delete(uint32_t rel, char old_kind, const pg::Tuple& old_row) override;
  void on_truncate(const std::vector<uint32_t>& rels, uint8_t options) override;
  void on_message(const pg::LogicalMessage& m) override;

  ConnectorConfig config_;
  CaptureOptions options_;
  bool snapshot_pending_ = false;  // an initial snapshot is still to be (wholly) taken
  bool finished_ = false;          // initial_only: done after the snapshot
  SnapshotProgress progress_;
  // A snapshot taken while an existing slot holds older changes: the stream skips the
  // transactions the snapshot already shows (those it sees as committed, up to `until`), and no
  // position is saved before the stream passes `until`.
  struct SeenBySnapshot {
    uint32_t xmin = 0, xmax = 0;
    std::vector<uint32_t> xip;
    Lsn until = 0;
    bool visible(uint32_t xid) const;
  };
  std::optional<SeenBySnapshot> seen_;
  std::unique_ptr<IncrementalSnapshot> incremental_;
  bool chunk_due_ = false;             // the window's high watermark came: emit at its commit
  uint32_t signal_oid_ = 0;            // the signal table (signal.data.collection)
  int signal_cols_[3] = {-1, -1, -1};  // its id, type and data columns
  void on_signal(const pg::Tuple& row);
  void note_change(const TableSchema& t, const pg::Tuple& row);
  EventBuilder builder_;
  std::shared_ptr<Sink> sink_;
  std::unique_ptr<Flusher> flusher_;  // declared after sink_: stops before it
  std::string buf_;                   // records not yet handed to the flusher
  Lsn submitted_resume_ = 0;          // resume LSN of the last durable submission
  // A transaction part-written before this start: PostgreSQL sends it again, whole.
  bool replay_pending_ = false;
  uint32_t replay_xid_ = 0;
  uint64_t replay_count_ = 0;

  std::unique_ptr<pg::Connection> meta_;
  std::unique_ptr<pg::Catalog> catalog_;
  std::unique_ptr<pg::ReplicationStream> repl_;
  pg::PgOutputDecoder decoder_;
  std::unordered_map<uint32_t, std::shared_ptr<TableSchema>> relations_;

  // Stream state.
  Lsn wal_start_ = 0;        // XLogData position of the message being decoded
  Lsn resume_lsn_ = 0;       // end of the last transaction wholly appended to the output
  Lsn last_commit_lsn_ = 0;  // end LSN of the previous transaction (source.sequence)
  uint32_t last_xid_ = 0;    // and its xid and commit time, for Debezium-style offsets
  int64_t last_commit_us_ = 0;
  Lsn idle_lsn_ = 0;   // keepalive position seen while between transactions
  Lsn confirmed_ = 0;  // last flush LSN sent to PostgreSQL
  bool in_tx_ = false;
  bool skip_tx_ = false;  // transaction already wholly in the output
  uint32_t xid_ = 0;
  Lsn tx_final_lsn_ = 0;
  int64_t tx_commit_us_ = 0;
  uint64_t tx_records_ = 0;    // records of this transaction written (or found written)
  uint64_t skip_records_ = 0;  // records of a replayed part-written transaction to skip
  bool tx_begin_emitted_ = false;
  int64_t tx_total_order_ = 0;
  std::string tx_id_;
  std::vector<std::pair<std::string, int64_t>> tx_collections_;
  uint64_t records_ = 0;
  std::atomic<uint64_t> records_shared_{0};  // records_ as of the last submit
  uint64_t unsynced_bytes_ = 0;
  std::chrono::steady_clock::time_point last_feedback_{}, last_heartbeat_{};
};

}  // namespace sluice::cdc
