// Decoder for the pgoutput logical replication protocol (version 1 messages plus logical
// messages). Tuple values are views into the message buffer, valid during the callback only.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/lsn.h"

namespace sluice::pg {

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RelationColumn {
  bool is_key = false;  // part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct RelationMessage {
  uint32_t oid = 0;
  std::string schema;
  std::string table;
  char replica_identity = 'd';  // d default, n nothing, f full, i index
  std::vector<RelationColumn> columns;
};

struct TupleValue {
  char kind = 'n';  // 'n' null, 'u' unchanged TOAST, 't' text, 'b' binary
  std::string_view data;
};
using Tuple = std::vector<TupleValue>;

struct BeginMessage {
  Lsn final_lsn;
  int64_t commit_time_us;  // microseconds since 2000-01-01
  uint32_t xid;
};

struct CommitMessage {
  Lsn commit_lsn;
  Lsn end_lsn;
  int64_t commit_time_us;
};

struct LogicalMessage {
  bool transactional;
  Lsn lsn;
  std::string_view prefix;
  std::string_view content;
};

class PgOutputHandler {
 public:
  virtual ~PgOutputHandler() = default;
  virtual void on_begin(const BeginMessage& m) = 0;
  virtual void on_commit(const CommitMessage& m) = 0;
  virtual void on_relation(const RelationMessage& m) = 0;
  virtual void on_type(uint32_t oid, std::string_view schema, std::string_view name) = 0;
  virtual void on_insert(uint32_t rel, const Tuple& row) = 0;
  // old_kind: 0 (no old tuple), 'K' (old key) or 'O' (old row, REPLICA IDENTITY FULL).
  virtual void on_update(uint32_t rel, char old_kind, const Tuple& old_row, const Tuple& row) = 0;
  virtual void on_delete(uint32_t rel, char old_kind, const Tuple& old_row) = 0;
  virtual void on_truncate(const std::vector<uint32_t>& rels, uint8_t options) = 0;
  virtual void on_message(const LogicalMessage& m) = 0;
  virtual void on_origin(Lsn, std::string_view) {}
};

class PgOutputDecoder {
 public:
  // Decodes one pgoutput message and calls the handler; throws ProtocolError on bad input.
  void decode(std::string_view msg, PgOutputHandler& handler);

 private:
  Tuple old_, new_;
  std::vector<uint32_t> rels_;
};

// PostgreSQL timestamps count microseconds from 2000-01-01; this is that epoch in Unix µs.
constexpr int64_t kPgEpochUnixMicros = 946684800LL * 1000000;

}  // namespace sluice::pg
