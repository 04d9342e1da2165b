// The walsender side of logical replication over libpq: slot commands, START_REPLICATION, the
// CopyBoth message loop (XLogData and keepalives) and standby status feedback.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/lsn.h"
#include "pg/connection.h"

namespace sluice::pg {

struct SlotInfo {
  std::string name;
  Lsn consistent_point = 0;
  std::string snapshot_name;
};

struct StreamMessage {
  enum class Kind { data, keepalive, timeout, end } kind = Kind::timeout;
  Lsn wal_start = 0;  // data: position of this message's WAL record
  Lsn wal_end = 0;    // server's current end of WAL (keepalive: position sent up to)
  bool reply_requested = false;
  std::string_view payload;  // data: the pgoutput message; valid until the next read
};

class ReplicationStream {
 public:
  // conninfo is a normal connection string; replication=database is added.
  explicit ReplicationStream(const std::string& conninfo);
  ~ReplicationStream();

  Connection& connection() { return *conn_; }
  SlotInfo create_slot(const std::string& slot, bool temporary, bool export_snapshot);
  void start(const std::string& slot, Lsn from, const std::string& options);
  // Waits up to timeout_ms for the next message; timeout_ms 0 polls without waiting.
  StreamMessage read(int timeout_ms);
  // Standby status update: positions are "last byte + 1" of what was written/flushed/applied.
  void send_feedback(Lsn written, Lsn flushed, bool reply_requested = false);
  int socket() const;

 private:
  std::unique_ptr<Connection> conn_;
  char* buffer_ = nullptr;
  std::chrono::steady_clock::time_point last_wakeup_{};
};

// The session settings that fix the text forms the value converters parse.
std::string replication_session_options();

}  // namespace sluice::pg
