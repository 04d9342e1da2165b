// Renders Debezium records as output lines:
// {"topic":…,"partition":0,"key":…,"value":…,"headers":{…}}\n
// with key and value exactly as Kafka Connect's JsonConverter writes Debezium's records.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/connector_config.h"
#include "cdc/table_schema.h"
#include "core/lsn.h"
#include "pg/pgoutput.h"

namespace sluice::cdc {

// Per-record values of the source block.
struct SourceInfo {
  int64_t commit_time_us = 0;  // Unix microseconds
  bool has_txid = true;
  uint32_t xid = 0;
  Lsn lsn = 0;
  bool has_lsn = true;      // incremental snapshot reads have none
  Lsn last_commit_lsn = 0;  // 0: null
  const char* snapshot = "false";
};

// The transaction block of data events (provide.transaction.metadata=true).
struct TxBlock {
  std::string_view id;
  int64_t total_order = 0;
  int64_t data_collection_order = 0;
};

struct Header {
  std::string name;
  std::string value;
};

class EventBuilder {
 public:
  explicit EventBuilder(const ConnectorConfig& config);

  // A create/update/delete/read record. `before`/`after` may be null. `toast_source` supplies
  // values for unchanged-TOAST columns of `after` (the old row under REPLICA IDENTITY FULL).
  void change(std::string& out, const TableSchema& t, char op, const pg::Tuple* before,
              const pg::Tuple* after, const pg::Tuple* toast_source, const SourceInfo& src,
              const TxBlock* tx, const std::vector<Header>& headers = {});
  // The tombstone following a delete: the same key, a null value.
  void tombstone(std::string& out, const TableSchema& t, const pg::Tuple& key_row);
  void truncate(std::string& out, const TableSchema& t, const SourceInfo& src, const TxBlock* tx);
  void message(std::string& out, std::string_view prefix, std::string_view content,
               const SourceInfo& src);
  void heartbeat(std::string& out, int64_t ts_ms);
  void transaction_begin(std::string& out, std::string_view id, int64_t ts_ms);
  void transaction_end(std::string& out, std::string_view id, int64_t ts_ms, int64_t event_count,
                       const std::vector<std::pair<std::string, int64_t>>& per_collection);

  // Appends the key payload ({"id":1}) of a row, as used by headers and tombstones.
  void key_payload(std::string& out, const TableSchema& t, const pg::Tuple& row);

 private:
  void row(std::string& out, const TableSchema& t, const pg::Tuple& tuple,
           const pg::Tuple* toast_source);
  void key(std::string& out, const TableSchema& t, const pg::Tuple* row);
  void null_value(std::string& out, const ColumnPlan& c) const;
  static void transaction_block(std::string& out, const TxBlock* tx);
  void source(std::string& out, const SourceInfo& src, std::string_view schema_table_json);
  void timestamps(std::string& out);
  void value_prefix(std::string& out, const std::string& schema_json);
  void value_suffix(std::string& out);
  void headers(std::string& out, const std::vector<Header>& h);

  const ConnectorConfig& config_;
  std::string source_prefix_;  // {"version":…,"connector":"postgresql","name":…,
  std::string db_json_;        // "db":"…",
  std::string message_topic_json_, heartbeat_topic_json_, transaction_topic_json_;
  std::string heartbeat_key_;
};

}  // namespace sluice::cdc
