#include "cdc/source_connector.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "cdc/file_sink.h"
#include "core/clock.h"
#include "core/log.h"

namespace sluice::cdc {

namespace {

constexpr const char* kLog = "capture";
// Output is written every kWriteChunk bytes and made durable at idle points or every kSyncBytes.
constexpr size_t kWriteChunk = 1 << 20;
constexpr uint64_t kSyncBytes = 64ull << 20;

bool is_connection_error(const pg::Error& e) {
  const std::string& s = e.sqlstate();
  return s.empty() || s.rfind("08", 0) == 0 || s == "57P01" || s == "57P02" || s == "57P03" ||
         s == "53300";
}

std::string options_for(const ConnectorConfig& c, int server_version) {
  std::string pub = c.publication_name;
  std::string quoted = "\"";
  for (char ch : pub) {
    if (ch == '"') quoted += '"';
    if (ch == '\'') quoted += '\'';
    quoted += ch;
  }
  quoted += '"';
  std::string opts = "proto_version '1', publication_names '" + quoted + "'";
  if (server_version >= 140000) opts += ", messages 'true'";
  return opts;
}

}  // namespace

SourceConnector::SourceConnector(ConnectorConfig config, CaptureOptions options)
    : config_(std::move(config)), options_(std::move(options)), builder_(config_) {}

SourceConnector::~SourceConnector() = default;

bool SourceConnector::stopping() const {
  return (options_.stop && options_.stop->load()) || reached_max();
}

int SourceConnector::run() {
  sink_ = options_.sink ? options_.sink : std::make_shared<FileSink>(options_.output_path);
  auto p = sink_->recover();
  bool has_position = p && p->resume_lsn > 0;
  if (has_position) {
    resume_lsn_ = p->resume_lsn;
    last_commit_lsn_ = p->last_commit_lsn;
    last_xid_ = p->last_xid;
    last_commit_us_ = p->last_commit_us;
    replay_pending_ = p->has_partial;
    replay_xid_ = p->partial_xid;
    replay_count_ = p->partial_count;
  }
  incremental_ = std::make_unique<IncrementalSnapshot>(config_, config_.conninfo(), progress_);
  if (has_position) incremental_->restore(p->incremental);
  switch (config_.snapshot_mode) {
    case SnapshotMode::no_data:
      snapshot_pending_ = false;
      break;
    case SnapshotMode::always:
      snapshot_pending_ = true;
      break;
    default:
      snapshot_pending_ = !has_position;
      break;
  }
  if (config_.snapshot_mode == SnapshotMode::initial_only && has_position) {
    log::info(kLog, "snapshot.mode=initial_only and the snapshot was taken before: nothing to do");
    return 0;
  }
  // Records past the position from an interrupted snapshot are not sent again: a new snapshot
  // follows them (the file output is cut back instead).
  if (snapshot_pending_) sink_->forget_replay();
  flusher_ = std::make_unique<Flusher>(*sink_);

  int backoff = 200;
  bool first = true;
  while (!stopping()) {
    try {
      stream(first);
      break;
    } catch (const pg::Error& e) {
      if (!is_connection_error(e) && !(e.sqlstate() == "55006" && !first)) throw;
      log::warn(kLog, "connection to PostgreSQL lost or unavailable: {}; retrying in {} ms",
                e.what(), backoff);
    }
    repl_.reset();
    catalog_.reset();
    meta_.reset();
    for (int waited = 0; waited < backoff && !stopping(); waited += 50)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    backoff = std::min(backoff * 2, options_.max_backoff_ms);
    first = false;
  }
  // An unfinished snapshot saves no position: the next start takes it again.
  submit(!snapshot_pending_);
  flusher_->drain();
  return 0;
}

void SourceConnector::check_server(pg::Connection& conn) {
  int version = conn.server_version();
  if (version < 100000)
    throw FatalError(
        fmt::format("PostgreSQL {} is too old: logical decoding with pgoutput needs "
                    "PostgreSQL 10 or later",
                    version));
  std::string wal_level = conn.exec("SHOW wal_level").str(0, 0);
  if (wal_level != "logical")
    throw FatalError(fmt::format(
        "wal_level is '{}', but change capture needs wal_level=logical. Fix: run \"ALTER SYSTEM "
        "SET wal_level = logical\" as a superuser and restart PostgreSQL",
        wal_level));
  auto role = conn.exec(
      "SELECT rolsuper, rolreplication, current_user FROM pg_roles WHERE "
      "rolname = current_user");
  if (role.rows() == 1 && role.get(0, 0) != "t" && role.get(0, 1) != "t")
    throw FatalError(fmt::format(
        "user '{}' may not use logical replication: it lacks the REPLICATION attribute. Fix: run "
        "\"ALTER ROLE {} WITH REPLICATION\" as a superuser",
        role.str(0, 2), conn.quote_ident(role.get(0, 2))));
}

void SourceConnector::ensure_publication(pg::Connection& conn) {
  auto r = conn.exec_params("SELECT puballtables FROM pg_publication WHERE pubname = $1",
                            {config_.publication_name});
  bool exists = r.rows() == 1;
  auto mode = config_.publication_autocreate;
  if (exists && mode != PublicationAutocreate::filtered) return;
  if (!exists && mode == PublicationAutocreate::disabled)
    throw FatalError(fmt::format(
        "publication '{}' does not exist and publication.autocreate.mode=disabled. Fix: create it "
        "(CREATE PUBLICATION {} FOR ALL TABLES) or set publication.autocreate.mode",
        config_.publication_name, conn.quote_ident(config_.publication_name)));
  std::string pub = conn.quote_ident(config_.publication_name);
  std::string sql;
  if (mode == PublicationAutocreate::all_tables) {
    sql = "CREATE PUBLICATION " + pub + " FOR ALL TABLES";
  } else if (mode == PublicationAutocreate::no_tables) {
    sql = "CREATE PUBLICATION " + pub;
  } else {
    auto tables = conn.exec(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1, 2");
    std::string list;
    for (int i = 0; i < tables.rows(); ++i) {
      if (!config_.table_included(tables.str(i, 0), tables.str(i, 1))) continue;
      if (!list.empty()) list += ", ";
      list += conn.quote_ident(tables.get(i, 0)) + "." + conn.quote_ident(tables.get(i, 1));
    }
    if (exists)
      sql = list.empty() ? "" : "ALTER PUBLICATION " + pub + " SET TABLE " + list;
    else
      sql = "CREATE PUBLICATION " + pub + (list.empty() ? "" : " FOR TABLE " + list);
  }
  if (sql.empty()) return;
  try {
    conn.exec(sql);
    log::info(kLog, "{}", sql);
  } catch (const pg::Error& e) {
    if (e.sqlstate() == "42501")
      throw FatalError(fmt::format(
          "cannot create publication '{}': {}. Fix: create it as a superuser or the table "
          "owner, or set publication.autocreate.mode=filtered with a table.include.list",
          config_.publication_name, e.what()));
    if (e.sqlstate() != "42710") throw;  // created concurrently: fine
  }
}

pg::SlotInfo SourceConnector::create_slot(pg::ReplicationStream& repl, bool export_snapshot) {
  try {
    auto info = repl.create_slot(config_.slot_name, false, export_snapshot);
    log::info(kLog, "created replication slot {} at {}{}", info.name,
              format_lsn(info.consistent_point),
              export_snapshot ? " with snapshot " + info.snapshot_name : "");
    return info;
  } catch (const pg::Error& e) {
    if (e.sqlstate() == "42501")
      throw FatalError(fmt::format(
          "cannot create replication slot '{}': {}. Fix: ALTER ROLE {} WITH REPLICATION",
          config_.slot_name, e.what(), config_.user));
    if (e.sqlstate() == "53400")
      throw FatalError(
          fmt::format("cannot create replication slot '{}': {}. Fix: raise "
                      "max_replication_slots or drop unused slots",
                      config_.slot_name, e.what()));
    throw;
  }
}

bool SourceConnector::check_slot(pg::Connection& conn, bool first_attempt,
                                 std::optional<Lsn>& confirmed) {
  auto r = conn.exec_params(
      "SELECT plugin, database, active_pid, confirmed_flush_lsn FROM pg_replication_slots "
      "WHERE slot_name = $1",
      {config_.slot_name});
  if (r.rows() == 0) return false;
  if (r.get(0, 0) != "pgoutput")
    throw FatalError(
        fmt::format("replication slot '{}' uses plugin '{}', not pgoutput. Fix: drop "
                    "it (SELECT pg_drop_replication_slot('{}')) or choose another "
                    "slot.name",
                    config_.slot_name, r.get(0, 0), config_.slot_name));
  if (r.get(0, 1) != config_.dbname)
    throw FatalError(
        fmt::format("replication slot '{}' belongs to database '{}', not '{}'. Fix: "
                    "choose another slot.name",
                    config_.slot_name, r.get(0, 1), config_.dbname));
  confirmed = r.is_null(0, 3) ? std::nullopt : parse_lsn(r.get(0, 3));
  bool active = !r.is_null(0, 2);
  // A reader that just let go (this connector removed and added again) may still hold the slot
  // for a moment while its walsender exits.
  for (int i = 0; active && first_attempt && i < 30; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    active = !conn.exec_params("SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1",
                               {config_.slot_name})
                  .is_null(0, 0);
  }
  if (active && first_attempt)
    throw FatalError(fmt::format(
        "replication slot '{}' is in use by another process (PID {}): two readers of one slot "
        "lose data. Fix: stop the other connector or client, or choose another slot.name",
        config_.slot_name, r.get(0, 2)));
  return true;
}

void SourceConnector::ensure_slot(pg::Connection& conn, pg::ReplicationStream& repl,
                                  bool first_attempt) {
  std::optional<Lsn> confirmed;
  if (!check_slot(conn, first_attempt, confirmed)) {
    if (resume_lsn_ > 0)
      throw FatalError(fmt::format(
          "replication slot '{}' is gone, but the output is at {}: the changes in between went "
          "with the slot. Fix: start with a new output file (a gap is unavoidable), or restore "
          "the slot",
          config_.slot_name, format_lsn(resume_lsn_)));
    auto info = create_slot(repl, false);
    // Streaming starts there: the output is complete up to it.
    resume_lsn_ = info.consistent_point;
    return;
  }
  if (resume_lsn_ > 0 && confirmed && *confirmed > resume_lsn_)
    throw FatalError(fmt::format(
        "replication slot '{}' was advanced to {} by another reader, past the output's {}: the "
        "changes in between are lost to this output. Fix: start with a new output file, or use "
        "a slot of its own for each output",
        config_.slot_name, format_lsn(*confirmed), format_lsn(resume_lsn_)));
  if (resume_lsn_ == 0 && confirmed) resume_lsn_ = *confirmed;
}

void SourceConnector::stream(bool first_attempt) {
  std::string info = config_.conninfo();
  meta_ = std::make_unique<pg::Connection>(info);
  check_server(*meta_);
  ensure_publication(*meta_);
  catalog_ = std::make_unique<pg::Catalog>(*meta_);
  if (config_.snapshot_mode == SnapshotMode::when_needed && resume_lsn_ > 0 &&
      meta_->exec_params("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1",
                         {config_.slot_name})
              .rows() == 0) {
    log::warn(kLog,
              "replication slot '{}' is gone: the changes since {} went with it; "
              "snapshot.mode=when_needed takes a new snapshot",
              config_.slot_name, format_lsn(resume_lsn_));
    flusher_->drain();
    sink_->forget_replay();
    resume_lsn_ = 0;
    replay_pending_ = false;
    snapshot_pending_ = true;
  }
  repl_ = std::make_unique<pg::ReplicationStream>(info);
  if (snapshot_pending_) {
    initial_snapshot(info);
    if (finished_ || stopping()) return;
  }
  ensure_slot(*meta_, *repl_, first_attempt);
  relations_.clear();

  try {
    repl_->start(config_.slot_name, resume_lsn_, options_for(config_, meta_->server_version()));
  } catch (const pg::Error& e) {
    if (e.sqlstate() == "55006" && first_attempt)
      throw FatalError(
          fmt::format("replication slot '{}' is in use by another process: {}. Fix: "
                      "stop the other reader or choose another slot.name",
                      config_.slot_name, e.what()));
    throw;
  }
  log::info(kLog, "streaming from slot {} (publication {}) after {}", config_.slot_name,
            config_.publication_name, format_lsn(resume_lsn_));
  if (in_tx_ && !skip_tx_ && tx_records_ + skip_records_ > 0) {
    // The connection was lost inside a transaction: PostgreSQL sends it again, whole.
    replay_pending_ = true;
    replay_xid_ = xid_;
    replay_count_ = tx_records_ + skip_records_;
  }
  in_tx_ = false;
  skip_tx_ = false;
  skip_records_ = 0;
  confirmed_ = 0;
  last_feedback_ = std::chrono::steady_clock::now();
  last_heartbeat_ = last_feedback_;

  bool reply_due = false;
  while (!stopping()) {
    pg::StreamMessage m = repl_->read(0);
    if (m.kind == pg::StreamMessage::Kind::timeout) {
      // Nothing more is waiting: make what we have durable before blocking. While the flusher
      // is still syncing the previous group, keep collecting and look again in a millisecond
      // (group commit: one fsync per flush, however many transactions it covers). Inside a
      // transaction there is nothing to confirm yet, so a pause there costs no fsync.
      bool pending =
          !in_tx_ && (!buf_.empty() ||
                      (!position_held() && (unsynced_bytes_ || idle_lsn_ > submitted_resume_)));
      if (pending && flusher_->idle()) {
        submit(true);
        pending = false;
      }
      m = repl_->read(pending ? 1 : 100);
    }
    auto now = std::chrono::steady_clock::now();
    switch (m.kind) {
      case pg::StreamMessage::Kind::data:
        wal_start_ = m.wal_start;
        decoder_.decode(m.payload, *this);
        break;
      case pg::StreamMessage::Kind::keepalive:
        log::debug(kLog, "keepalive {} (in transaction: {})", format_lsn(m.wal_end), in_tx_);
        if (!in_tx_) idle_lsn_ = std::max(idle_lsn_, m.wal_end);
        reply_due = reply_due || m.reply_requested;
        break;
      case pg::StreamMessage::Kind::end:
        throw pg::Error("the server ended the replication stream", "08006");
      case pg::StreamMessage::Kind::timeout:
        break;
    }
    if (!in_tx_ && incremental_->wants_window()) {
      try {
        incremental_->open_window();
      } catch (const pg::Error& e) {
        if (is_connection_error(e)) throw;
        log::error(kLog, "incremental snapshot stopped: {}", e.what());
        incremental_->stop("error", "");
      }
    }
    if (buf_.size() >= kWriteChunk) submit(unsynced_bytes_ + buf_.size() >= kSyncBytes);
    confirm_durable();
    if (config_.heartbeat_interval_ms > 0 && !in_tx_ &&
        now - last_heartbeat_ >= std::chrono::milliseconds(config_.heartbeat_interval_ms)) {
      last_heartbeat_ = now;
      builder_.heartbeat(buf_, unix_micros() / 1000);
      submit(true);
    }
    if (reply_due ||
        now - last_feedback_ >= std::chrono::milliseconds(config_.status_update_interval_ms)) {
      repl_->send_feedback(confirmed_, confirmed_);
      last_feedback_ = now;
      reply_due = false;
    }
  }
  submit(true);
  flusher_->drain();
  confirm_durable();
  log::info(kLog, "stopped after {} records; confirmed {}", records_, format_lsn(confirmed_));
  if (config_.slot_drop_on_stop) {
    // Development only (Debezium's warning holds): changes made while stopped are lost.
    repl_.reset();
    // The walsender may still be exiting and holding the slot for a moment.
    for (int attempt = 0;; ++attempt) {
      try {
        meta_->exec_params("SELECT pg_drop_replication_slot($1)", {config_.slot_name});
        break;
      } catch (const pg::Error& e) {
        if (e.sqlstate() != "55006" || attempt >= 100) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    log::info(kLog, "dropped replication slot {} (slot.drop.on.stop=true)", config_.slot_name);
  }
}

Position SourceConnector::current_position() const {
  Position p;
  p.resume_lsn = resume_lsn_;
  p.last_commit_lsn = last_commit_lsn_;
  p.last_xid = last_xid_;
  p.last_commit_us = last_commit_us_;
  if (replay_pending_) {
    p.has_partial = true;
    p.partial_xid = replay_xid_;
    p.partial_count = replay_count_;
  }
  p.incremental = incremental_->state();
  return p;
}

bool SourceConnector::position_held() {
  if (seen_ && !in_tx_ && std::max(resume_lsn_, idle_lsn_) >= seen_->until) seen_.reset();
  return seen_.has_value() || snapshot_pending_;
}

void SourceConnector::submit(bool sync) {
  // A position before the snapshot's end in the stream could not be resumed from (the skip of
  // what the snapshot saw is not saved): the first one is saved once the stream is past it.
  if (position_held()) sync = false;
  if (!in_tx_) resume_lsn_ = std::max(resume_lsn_, idle_lsn_);
  Position p = current_position();
  if (in_tx_ && !skip_tx_ && tx_records_ + skip_records_ > 0) {
    // Records still to be skipped are in the output too (from before the restart).
    p.has_partial = true;
    p.partial_xid = xid_;
    p.partial_count = tx_records_ + skip_records_;
  }
  unsynced_bytes_ = sync ? 0 : unsynced_bytes_ + buf_.size();
  if (sync) submitted_resume_ = p.resume_lsn;
  records_shared_.store(records_, std::memory_order_relaxed);
  flusher_->submit(buf_, p, sync);
}

void SourceConnector::confirm_durable() {
  auto d = flusher_->durable();
  if (!d || !repl_ || d->resume_lsn <= confirmed_) return;
  confirmed_ = d->resume_lsn;
  repl_->send_feedback(confirmed_, confirmed_);
  last_feedback_ = std::chrono::steady_clock::now();
}

template <typename Build>
void SourceConnector::emit(Build&& build) {
  if (skip_records_ > 0) {
    --skip_records_;
    ++tx_records_;
    return;
  }
  if (reached_max()) return;
  build(buf_);
  ++tx_records_;
  ++records_;
}

SourceInfo SourceConnector::source_info() const {
  SourceInfo s;
  s.commit_time_us = tx_commit_us_;
  s.xid = xid_;
  s.lsn = wal_start_;
  s.last_commit_lsn = last_commit_lsn_;
  return s;
}

const TableSchema* SourceConnector::relation(uint32_t oid) {
  auto it = relations_.find(oid);
  if (it == relations_.end())
    throw pg::ProtocolError(
        fmt::format("change for relation {} arrived before its Relation "
                    "message",
                    oid));
  return it->second->included ? it->second.get() : nullptr;
}

void SourceConnector::emit_begin_if_needed() {
  if (!config_.provide_transaction_metadata || tx_begin_emitted_) return;
  tx_begin_emitted_ = true;
  emit([&](std::string& out) { builder_.transaction_begin(out, tx_id_, tx_commit_us_ / 1000); });
}

void SourceConnector::on_begin(const pg::BeginMessage& m) {
  in_tx_ = true;
  xid_ = m.xid;
  tx_final_lsn_ = m.final_lsn;
  tx_commit_us_ = m.commit_time_us + pg::kPgEpochUnixMicros;
  tx_records_ = 0;
  tx_total_order_ = 0;
  tx_begin_emitted_ = false;
  tx_collections_.clear();
  tx_id_ = fmt::format("{}:{}", m.xid, m.final_lsn);
  // A transaction that ended at or before the durable position is already in the output, and
  // one the snapshot saw is in it.
  skip_tx_ =
      m.final_lsn < resume_lsn_ || (seen_ && m.final_lsn < seen_->until && seen_->visible(m.xid));
  skip_records_ = 0;
  if (replay_pending_ && replay_xid_ == m.xid) {
    skip_records_ = replay_count_;
    replay_pending_ = false;
  }
}

void SourceConnector::on_commit(const pg::CommitMessage& m) {
  if (!skip_tx_ && tx_begin_emitted_) {
    emit([&](std::string& out) {
      builder_.transaction_end(out, tx_id_, tx_commit_us_ / 1000, tx_total_order_, tx_collections_);
    });
  }
  in_tx_ = false;
  skip_tx_ = false;
  skip_records_ = 0;
  if (reached_max() && tx_records_ > 0) {
    // Stopped part-way: the transaction counts as partial until it is wholly written.
    in_tx_ = true;
    return;
  }
  resume_lsn_ = std::max(resume_lsn_, m.end_lsn);
  last_commit_lsn_ = m.end_lsn;
  last_xid_ = xid_;
  last_commit_us_ = tx_commit_us_;
  if (chunk_due_) {
    // The window closed with this transaction: the chunk's rows that no change in the window
    // touched go out now, with the state that moves past them.
    chunk_due_ = false;
    records_ += incremental_->emit_chunk(buf_, builder_, last_commit_lsn_);
  }
}

void SourceConnector::on_relation(const pg::RelationMessage& m) {
  auto cat = catalog_->table(m.oid);
  relations_[m.oid] = build_table_schema(m, cat, *catalog_, config_);
  if (!config_.signal_data_collection.empty() &&
      m.schema + "." + m.table == config_.signal_data_collection) {
    signal_oid_ = m.oid;
    const char* names[3] = {"id", "type", "data"};
    for (int k = 0; k < 3; ++k) {
      signal_cols_[k] = -1;
      for (size_t i = 0; i < m.columns.size(); ++i)
        if (m.columns[i].name == names[k]) signal_cols_[k] = int(i);
    }
  }
}

void SourceConnector::on_signal(const pg::Tuple& row) {
  auto col = [&](int k) -> std::string_view {
    int i = signal_cols_[k];
    if (i < 0 && k < 3) i = k;  // Debezium reads the columns by position too
    return size_t(i) < row.size() && row[size_t(i)].kind == 't' ? row[size_t(i)].data
                                                                : std::string_view();
  };
  std::string_view id = col(0), type = col(1), data = col(2);
  if (type == "execute-snapshot") {
    incremental_->execute(id, data);
  } else if (type == "stop-snapshot") {
    incremental_->stop(id, data);
  } else if (type == "log") {
    log::info(kLog, "signal {}: {}", id, data);
  } else {
    log::warn(kLog,
              "signal {}: type '{}' is not supported (execute-snapshot, stop-snapshot, "
              "log)",
              id, type);
  }
}

void SourceConnector::note_change(const TableSchema& t, const pg::Tuple& row) {
  if (!incremental_->active() || t.key_columns.empty()) return;
  std::string key;
  builder_.key_payload(key, t, row);
  incremental_->on_change(t.data_collection, key);
}

void SourceConnector::on_type(uint32_t, std::string_view, std::string_view) {
  catalog_->invalidate_types();
}

namespace {
int64_t bump_collection(std::vector<std::pair<std::string, int64_t>>& v, const std::string& dc) {
  for (auto& [name, n] : v)
    if (name == dc) return ++n;
  v.emplace_back(dc, 1);
  return 1;
}
}  // namespace

const TxBlock* SourceConnector::tx_block(const TableSchema& t, TxBlock& block) {
  if (!config_.provide_transaction_metadata) return nullptr;
  emit_begin_if_needed();
  block.id = tx_id_;
  block.total_order = ++tx_total_order_;
  block.data_collection_order = bump_collection(tx_collections_, t.data_collection);
  return &block;
}

void SourceConnector::on_insert(uint32_t rel, const pg::Tuple& row) {
  if (rel == signal_oid_ && !skip_tx_) on_signal(row);
  const TableSchema* t = relation(rel);
  if (t) note_change(*t, row);
  if (!t || skip_tx_ || config_.skipped_operations.count('c')) return;
  TxBlock txb;
  const TxBlock* tx = tx_block(*t, txb);
  auto src = source_info();
  emit([&](std::string& out) { builder_.change(out, *t, 'c', nullptr, &row, nullptr, src, tx); });
}

void SourceConnector::on_update(uint32_t rel, char old_kind, const pg::Tuple& old_row,
                                const pg::Tuple& row) {
  const TableSchema* t = relation(rel);
  if (t) {
    note_change(*t, row);
    if (old_kind) note_change(*t, old_row);
  }
  if (!t || skip_tx_ || config_.skipped_operations.count('u')) return;
  auto src = source_info();
  bool key_changed = false;
  if (old_kind == 'K') {
    // PostgreSQL also sends the old key when it was stored out of line, or for a replica
    // identity index other than the primary key: compare, and ignore a key it did not carry.
    bool known = false;
    for (const auto& k : t->key_columns)
      known = known || (size_t(k.tuple_index) < old_row.size() &&
                        old_row[size_t(k.tuple_index)].kind == 't');
    if (known) {
      std::string a, b;
      builder_.key_payload(a, *t, old_row);
      builder_.key_payload(b, *t, row);
      key_changed = a != b;
    }
  } else if (old_kind == 'O') {
    for (const auto& k : t->key_columns) {
      size_t i = size_t(k.tuple_index);
      if (i < old_row.size() && i < row.size() &&
          (old_row[i].kind != row[i].kind || old_row[i].data != row[i].data) && row[i].kind != 'u')
        key_changed = true;
    }
  }
  if (!key_changed) {
    TxBlock txb;
    const TxBlock* tx = tx_block(*t, txb);
    const pg::Tuple* before = old_kind == 'O' ? &old_row : nullptr;
    emit([&](std::string& out) { builder_.change(out, *t, 'u', before, &row, before, src, tx); });
    return;
  }
  // A primary-key change is a delete of the old key, its tombstone and a create (Debezium).
  std::string old_key, new_key;
  builder_.key_payload(old_key, *t, old_row);
  builder_.key_payload(new_key, *t, row);
  {
    TxBlock txb;
    const TxBlock* tx = tx_block(*t, txb);
    emit([&](std::string& out) {
      builder_.change(out, *t, 'd', &old_row, nullptr, nullptr, src, tx,
                      {{"__debezium.newkey", new_key}});
    });
  }
  if (config_.tombstones_on_delete)
    emit([&](std::string& out) { builder_.tombstone(out, *t, old_row); });
  {
    TxBlock txb;
    const TxBlock* tx = tx_block(*t, txb);
    const pg::Tuple* toast = old_kind == 'O' ? &old_row : nullptr;
    emit([&](std::string& out) {
      builder_.change(out, *t, 'c', nullptr, &row, toast, src, tx,
                      {{"__debezium.oldkey", old_key}});
    });
  }
}

void SourceConnector::on_delete(uint32_t rel, char, const pg::Tuple& old_row) {
  const TableSchema* t = relation(rel);
  if (t) note_change(*t, old_row);
  if (!t || skip_tx_ || config_.skipped_operations.count('d')) return;
  auto src = source_info();
  {
    TxBlock txb;
    const TxBlock* tx = tx_block(*t, txb);
    emit([&](std::string& out) {
      builder_.change(out, *t, 'd', &old_row, nullptr, nullptr, src, tx);
    });
  }
  if (config_.tombstones_on_delete && !t->key_columns.empty())
    emit([&](std::string& out) { builder_.tombstone(out, *t, old_row); });
}

void SourceConnector::on_truncate(const std::vector<uint32_t>& rels, uint8_t) {
  for (uint32_t rel : rels)
    if (const TableSchema* t = relation(rel)) incremental_->on_truncate(t->data_collection);
  if (skip_tx_ || config_.skipped_operations.count('t')) return;
  auto src = source_info();
  for (uint32_t rel : rels) {
    const TableSchema* t = relation(rel);
    if (!t) continue;
    TxBlock txb;
    const TxBlock* tx = tx_block(*t, txb);
    emit([&](std::string& out) { builder_.truncate(out, *t, src, tx); });
  }
}

void SourceConnector::on_message(const pg::LogicalMessage& m) {
  if (m.prefix == kWatermarkPrefix) {
    if (incremental_->on_watermark(m.content)) chunk_due_ = true;
    if (!m.transactional) resume_lsn_ = std::max(resume_lsn_, m.lsn);
    return;
  }
  if (m.transactional && skip_tx_) return;
  if (!config_.message_prefix_included(std::string(m.prefix))) {
    if (!m.transactional) resume_lsn_ = std::max(resume_lsn_, m.lsn);
    return;
  }
  SourceInfo src;
  src.lsn = m.lsn;
  if (m.transactional) {
    src = source_info();
    src.lsn = m.lsn;
  } else {
    // Not part of a transaction: no txId, and the time it was first seen.
    // m.lsn is the end of the message's WAL record (the next record may start right there).
    if (m.lsn <= resume_lsn_ || reached_max()) return;
    src.has_txid = false;
    src.commit_time_us = unix_micros();
    src.last_commit_lsn = last_commit_lsn_;
    uint64_t before = tx_records_;
    bool was_in_tx = in_tx_;
    emit([&](std::string& out) { builder_.message(out, m.prefix, m.content, src); });
    tx_records_ = before;
    in_tx_ = was_in_tx;
    resume_lsn_ = std::max(resume_lsn_, m.lsn);
    return;
  }
  emit([&](std::string& out) { builder_.message(out, m.prefix, m.content, src); });
}

}  // namespace sluice::cdc
