#include "cdc/event_builder.h"

#include "core/base64.h"
#include "core/clock.h"
#include "core/json_writer.h"

namespace sluice::cdc {

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  json::append_string(out, s);
  return out;
}

const char* kMessageKeySchema =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":"
    "\"prefix\"}],\"optional\":false,\"name\":\"io.debezium.connector.postgresql.MessageKey\"}";
const char* kHeartbeatKeySchema =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":"
    "\"serverName\"}],\"optional\":false,\"name\":\"io.debezium.connector.common.ServerNameKey\"}";
const char* kHeartbeatValueSchema =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}"
    "],\"optional\":false,\"name\":\"io.debezium.connector.common.Heartbeat\"}";
const char* kTxKeySchema =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.common.TransactionMetadataKey\"}";
const char* kTxValueSchema =
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"status\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"event_count\"},"
    "{\"type\":\"array\",\"items\":{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"data_collection\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"event_count\"}],"
    "\"optional\":false,\"name\":\"event.collection\",\"version\":1},\"optional\":true,"
    "\"field\":\"data_collections\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.common.TransactionMetadataValue\","
    "\"version\":1}";

std::string message_value_schema() {
  return "{\"type\":\"struct\",\"fields\":[" + source_schema_field_json() +
         ",{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
         "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},"
         "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_us\"},"
         "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ns\"},"
         "{\"type\":\"struct\",\"fields\":["
         "{\"type\":\"string\",\"optional\":false,\"field\":\"prefix\"},"
         "{\"type\":\"bytes\",\"optional\":true,\"field\":\"content\"}],"
         "\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Message\",\"field\":"
         "\"message\"}],\"optional\":false,\"name\":\"io.debezium.connector.postgresql."
         "MessageValue\"}";
}

}  // namespace

EventBuilder::EventBuilder(const ConnectorConfig& config) : config_(config) {
  source_prefix_ = std::string("{\"version\":") + quoted(connector_version()) +
                   ",\"connector\":\"postgresql\",\"name\":" + quoted(config.topic_prefix) + ",";
  db_json_ = "\"db\":" + quoted(config.dbname) + ",";
  message_topic_json_ =
      "{\"topic\":" + quoted(adjust_topic_name(config.topic_prefix + ".message")) +
      ",\"partition\":0,";
  heartbeat_topic_json_ =
      "{\"topic\":" + quoted(adjust_topic_name(config.heartbeat_topic())) + ",\"partition\":0,";
  transaction_topic_json_ =
      "{\"topic\":" +
      quoted(adjust_topic_name(config.topic_prefix + "." + config.transaction_topic)) +
      ",\"partition\":0,";
  heartbeat_key_ = "{\"serverName\":" + quoted(config.topic_prefix) + "}";
}

void EventBuilder::row(std::string& out, const TableSchema& t, const pg::Tuple& tuple,
                       const pg::Tuple* toast_source) {
  out += '{';
  bool first = true;
  for (const auto& c : t.value_columns) {
    if (!first) out += ',';
    first = false;
    out += c.name_json;
    if (size_t(c.tuple_index) >= tuple.size()) {
      null_value(out, c);
      continue;
    }
    const pg::TupleValue* v = &tuple[size_t(c.tuple_index)];
    if (v->kind == 'u' && toast_source && size_t(c.tuple_index) < toast_source->size() &&
        (*toast_source)[size_t(c.tuple_index)].kind != 'u')
      v = &(*toast_source)[size_t(c.tuple_index)];
    switch (v->kind) {
      case 't':
        if (!c.converter->append_value(out, v->data)) json::append_string(out, v->data);
        break;
      case 'u':
        c.converter->append_unavailable(out, config_.unavailable_value_placeholder);
        break;
      case 'b':
        base64::append(out += '"', v->data);
        out += '"';
        break;
      default:
        null_value(out, c);
    }
  }
  out += '}';
}

void EventBuilder::transaction_block(std::string& out, const TxBlock* tx) {
  out += ",\"transaction\":";
  if (!tx) {
    out += "null";
    return;
  }
  out += "{\"id\":";
  json::append_string(out, tx->id);
  out += ",\"total_order\":";
  json::append_int(out, tx->total_order);
  out += ",\"data_collection_order\":";
  json::append_int(out, tx->data_collection_order);
  out += '}';
}

void EventBuilder::null_value(std::string& out, const ColumnPlan& c) const {
  // JsonConverter writes a null field as its schema default (replace.null.with.default).
  if (config_.replace_null_with_default && !c.default_json.empty())
    out += c.default_json;
  else
    out += "null";
}

void EventBuilder::key_payload(std::string& out, const TableSchema& t, const pg::Tuple& tuple) {
  out += '{';
  bool first = true;
  for (const auto& c : t.key_columns) {
    if (!first) out += ',';
    first = false;
    out += c.name_json;
    const pg::TupleValue* v =
        size_t(c.tuple_index) < tuple.size() ? &tuple[size_t(c.tuple_index)] : nullptr;
    if (!v || v->kind != 't') {
      out += "null";
    } else if (!c.converter->append_value(out, v->data)) {
      json::append_string(out, v->data);
    }
  }
  out += '}';
}

void EventBuilder::key(std::string& out, const TableSchema& t, const pg::Tuple* tuple) {
  out += "\"key\":";
  if (t.key_columns.empty() || !tuple) {
    out += "null";
    return;
  }
  if (config_.key_schemas_enable) {
    out += "{\"schema\":";
    out += t.key_schema_json;
    out += ",\"payload\":";
  }
  key_payload(out, t, *tuple);
  if (config_.key_schemas_enable) out += '}';
}

void EventBuilder::source(std::string& out, const SourceInfo& src,
                          std::string_view schema_table_json) {
  out += source_prefix_;
  out += "\"ts_ms\":";
  json::append_int(out, src.commit_time_us / 1000);
  out += ",\"snapshot\":\"";
  out += src.snapshot;
  out += "\",";
  out += db_json_;
  out += "\"sequence\":\"[";
  if (src.last_commit_lsn) {
    out += "\\\"";
    json::append_uint(out, src.last_commit_lsn);
    out += "\\\"";
  } else {
    out += "null";
  }
  if (src.has_lsn) {
    out += ",\\\"";
    json::append_uint(out, src.lsn);
    out += "\\\"]\",\"ts_us\":";
  } else {
    out += ",null]\",\"ts_us\":";
  }
  json::append_int(out, src.commit_time_us);
  out += ",\"ts_ns\":";
  json::append_int(out, src.commit_time_us * 1000);
  out += ',';
  out += schema_table_json;
  out += "\"txId\":";
  if (src.has_txid)
    json::append_uint(out, src.xid);
  else
    out += "null";
  out += ",\"lsn\":";
  if (src.has_lsn)
    json::append_uint(out, src.lsn);
  else
    out += "null";
  out += ",\"xmin\":null}";
}

void EventBuilder::timestamps(std::string& out) {
  int64_t ns = unix_nanos();
  out += "\"ts_ms\":";
  json::append_int(out, ns / 1000000);
  out += ",\"ts_us\":";
  json::append_int(out, ns / 1000);
  out += ",\"ts_ns\":";
  json::append_int(out, ns);
}

void EventBuilder::value_prefix(std::string& out, const std::string& schema_json) {
  out += ",\"value\":";
  if (config_.value_schemas_enable) {
    out += "{\"schema\":";
    out += schema_json;
    out += ",\"payload\":";
  }
}

void EventBuilder::value_suffix(std::string& out) {
  if (config_.value_schemas_enable) out += '}';
}

void EventBuilder::headers(std::string& out, const std::vector<Header>& h) {
  out += ",\"headers\":{";
  for (size_t i = 0; i < h.size(); ++i) {
    if (i) out += ',';
    json::append_string(out, h[i].name);
    out += ':';
    json::append_string(out, h[i].value);
  }
  out += "}}\n";
}

void EventBuilder::change(std::string& out, const TableSchema& t, char op, const pg::Tuple* before,
                          const pg::Tuple* after, const pg::Tuple* toast_source,
                          const SourceInfo& src, const TxBlock* tx,
                          const std::vector<Header>& hdrs) {
  out += t.topic_json;
  key(out, t, after ? after : before);
  value_prefix(out, t.envelope_schema_json);
  out += "{\"before\":";
  if (before)
    row(out, t, *before, nullptr);
  else
    out += "null";
  out += ",\"after\":";
  if (after)
    row(out, t, *after, toast_source);
  else
    out += "null";
  out += ",\"source\":";
  source(out, src, t.source_table_json);
  transaction_block(out, tx);
  out += ",\"op\":\"";
  out += op;
  out += "\",";
  timestamps(out);
  out += '}';
  value_suffix(out);
  headers(out, hdrs);
}

void EventBuilder::tombstone(std::string& out, const TableSchema& t, const pg::Tuple& key_row) {
  out += t.topic_json;
  key(out, t, &key_row);
  out += ",\"value\":null";
  headers(out, {});
}

void EventBuilder::truncate(std::string& out, const TableSchema& t, const SourceInfo& src,
                            const TxBlock* tx) {
  out += t.topic_json;
  out += "\"key\":null";
  value_prefix(out, t.envelope_schema_json);
  out += "{\"before\":null,\"after\":null,\"source\":";
  source(out, src, t.source_table_json);
  transaction_block(out, tx);
  out += ",\"op\":\"t\",";
  timestamps(out);
  out += '}';
  value_suffix(out);
  headers(out, {});
}

void EventBuilder::message(std::string& out, std::string_view prefix, std::string_view content,
                           const SourceInfo& src) {
  static const std::string value_schema = message_value_schema();
  out += message_topic_json_;
  out += "\"key\":";
  if (config_.key_schemas_enable) {
    out += "{\"schema\":";
    out += kMessageKeySchema;
    out += ",\"payload\":";
  }
  out += "{\"prefix\":";
  json::append_string(out, prefix);
  out += '}';
  if (config_.key_schemas_enable) out += '}';
  value_prefix(out, value_schema);
  out += "{\"source\":";
  source(out, src, "\"schema\":\"\",\"table\":\"\",");
  out += ",\"op\":\"m\",";
  timestamps(out);
  out += ",\"message\":{\"prefix\":";
  json::append_string(out, prefix);
  out += ",\"content\":";
  switch (config_.convert.binary) {
    case BinaryMode::bytes:
    case BinaryMode::base64:
      out += '"';
      base64::append(out, content);
      out += '"';
      break;
    case BinaryMode::base64_url_safe:
      out += '"';
      base64::append(out, content, true);
      out += '"';
      break;
    case BinaryMode::hex: {
      static constexpr char hex[] = "0123456789abcdef";
      out += '"';
      for (unsigned char c : content) {
        out += hex[c >> 4];
        out += hex[c & 15];
      }
      out += '"';
      break;
    }
  }
  out += "}}";
  value_suffix(out);
  headers(out, {});
}

void EventBuilder::heartbeat(std::string& out, int64_t ts_ms) {
  out += heartbeat_topic_json_;
  out += "\"key\":";
  if (config_.key_schemas_enable) {
    out += "{\"schema\":";
    out += kHeartbeatKeySchema;
    out += ",\"payload\":";
  }
  out += heartbeat_key_;
  if (config_.key_schemas_enable) out += '}';
  value_prefix(out, kHeartbeatValueSchema);
  out += "{\"ts_ms\":";
  json::append_int(out, ts_ms);
  out += '}';
  value_suffix(out);
  headers(out, {});
}

void EventBuilder::transaction_begin(std::string& out, std::string_view id, int64_t ts_ms) {
  transaction_end(out, id, ts_ms, -1, {});
}

void EventBuilder::transaction_end(std::string& out, std::string_view id, int64_t ts_ms,
                                   int64_t event_count,
                                   const std::vector<std::pair<std::string, int64_t>>& per) {
  bool begin = event_count < 0;
  out += transaction_topic_json_;
  out += "\"key\":";
  if (config_.key_schemas_enable) {
    out += "{\"schema\":";
    out += kTxKeySchema;
    out += ",\"payload\":";
  }
  out += "{\"id\":";
  json::append_string(out, id);
  out += '}';
  if (config_.key_schemas_enable) out += '}';
  value_prefix(out, kTxValueSchema);
  out += begin ? "{\"status\":\"BEGIN\",\"id\":" : "{\"status\":\"END\",\"id\":";
  json::append_string(out, id);
  out += ",\"event_count\":";
  if (begin) {
    out += "null,\"data_collections\":null";
  } else {
    json::append_int(out, event_count);
    out += ",\"data_collections\":[";
    for (size_t i = 0; i < per.size(); ++i) {
      if (i) out += ',';
      out += "{\"data_collection\":";
      json::append_string(out, per[i].first);
      out += ",\"event_count\":";
      json::append_int(out, per[i].second);
      out += '}';
    }
    out += ']';
  }
  out += ",\"ts_ms\":";
  json::append_int(out, ts_ms);
  out += '}';
  value_suffix(out);
  headers(out, {});
}

}  // namespace sluice::cdc
