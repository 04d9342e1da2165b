#include "cdc/position_record.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <charconv>

#include "cdc/fatal_error.h"
#include "core/json_writer.h"

namespace sluice::cdc {

namespace {

uint64_t get_u64(const rapidjson::Value& o, const char* name) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

int64_t get_i64(const rapidjson::Value& o, const char* name, int64_t def) {
  auto it = o.FindMember(name);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : def;
}

}  // namespace

std::string position_record_key(std::string_view connector, std::string_view server) {
  std::string k = "[";
  json::append_string(k, connector);
  k += ",{\"server\":";
  json::append_string(k, server);
  k += "}]";
  return k;
}

std::string partition_key(std::string_view topic, int32_t partition) {
  return fmt::format("{}/{}", topic, partition);
}

bool split_partition_key(std::string_view key, std::string& topic, int32_t& partition) {
  size_t slash = key.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  auto r = std::from_chars(key.data() + slash + 1, key.data() + key.size(), partition);
  if (r.ec != std::errc() || r.ptr != key.data() + key.size() || partition < 0) return false;
  topic.assign(key.substr(0, slash));
  return true;
}

std::string encode_position_record(const SinkPosition& sp) {
  std::string v = "{";
  if (sp.position) {
    const Position& p = *sp.position;
    // Debezium's own offset fields, so its tools can read where the connector is.
    v += "\"transaction_id\":null,\"lsn_proc\":";
    json::append_uint(v, p.resume_lsn);
    v += ",\"lsn_commit\":";
    json::append_uint(v, p.last_commit_lsn);
    v += ",\"lsn\":";
    json::append_uint(v, p.resume_lsn);
    v += ",\"txId\":";
    json::append_uint(v, p.last_xid);
    v += ",\"ts_usec\":";
    json::append_int(v, p.last_commit_us);
    v += ',';
  }
  v += "\"sluice\":{";
  if (sp.position) {
    const Position& p = *sp.position;
    v += "\"resume_lsn\":";
    json::append_uint(v, p.resume_lsn);
    v += ",\"last_commit_lsn\":";
    json::append_uint(v, p.last_commit_lsn);
    v += ",\"last_xid\":";
    json::append_uint(v, p.last_xid);
    v += ",\"last_commit_us\":";
    json::append_int(v, p.last_commit_us);
    v += ",\"partial\":";
    if (p.has_partial) {
      v += "{\"xid\":";
      json::append_uint(v, p.partial_xid);
      v += ",\"count\":";
      json::append_uint(v, p.partial_count);
      v += '}';
    } else {
      v += "null";
    }
    if (!p.incremental.empty()) {
      v += ",\"incremental\":";
      json::append_string(v, p.incremental);
    }
    v += ',';
  }
  v += "\"producer_id\":";
  json::append_int(v, sp.producer_id);
  v += ",\"epoch\":";
  json::append_int(v, sp.epoch);
  if (sp.prior_producer_id >= 0) {
    v += ",\"prior_producer_id\":";
    json::append_int(v, sp.prior_producer_id);
  }
  v += ",\"partitions\":{";
  bool first = true;
  for (const auto& [k, off] : sp.partitions) {
    if (!first) v += ',';
    first = false;
    json::append_string(v, k);
    v += ':';
    json::append_int(v, off);
  }
  v += "}}}";
  return v;
}

SinkPosition decode_position_record(std::string_view value) {
  rapidjson::Document d;
  d.Parse(value.data(), value.size());
  if (d.HasParseError() || !d.IsObject())
    throw FatalError(fmt::format("the position record in {} is not a JSON object: {}",
                                 kOffsetsTopic, value.substr(0, 200)));
  SinkPosition sp;
  auto s = d.FindMember("sluice");
  if (s == d.MemberEnd() || !s->value.IsObject()) {
    // Written by Debezium itself: resume after its last commit.
    if (!d.HasMember("lsn") && !d.HasMember("lsn_commit"))
      throw FatalError(fmt::format("the position record in {} holds no LSN: {}", kOffsetsTopic,
                                   value.substr(0, 200)));
    Position p;
    p.resume_lsn = get_u64(d, "lsn_commit");
    if (p.resume_lsn == 0) p.resume_lsn = get_u64(d, "lsn");
    p.last_commit_lsn = get_u64(d, "lsn_commit");
    sp.position = p;
    return sp;
  }
  const rapidjson::Value& o = s->value;
  if (o.HasMember("resume_lsn")) {
    Position p;
    p.resume_lsn = get_u64(o, "resume_lsn");
    p.last_commit_lsn = get_u64(o, "last_commit_lsn");
    p.last_xid = uint32_t(get_u64(o, "last_xid"));
    p.last_commit_us = get_i64(o, "last_commit_us", 0);
    auto partial = o.FindMember("partial");
    if (partial != o.MemberEnd() && partial->value.IsObject()) {
      p.has_partial = true;
      p.partial_xid = uint32_t(get_u64(partial->value, "xid"));
      p.partial_count = get_u64(partial->value, "count");
    }
    auto inc = o.FindMember("incremental");
    if (inc != o.MemberEnd() && inc->value.IsString())
      p.incremental.assign(inc->value.GetString(), inc->value.GetStringLength());
    sp.position = p;
  }
  sp.producer_id = get_i64(o, "producer_id", -1);
  sp.epoch = int16_t(get_i64(o, "epoch", -1));
  sp.prior_producer_id = get_i64(o, "prior_producer_id", -1);
  auto parts = o.FindMember("partitions");
  if (parts != o.MemberEnd() && parts->value.IsObject())
    for (auto& m : parts->value.GetObject())
      if (m.value.IsInt64())
        sp.partitions[std::string(m.name.GetString(), m.name.GetStringLength())] =
            m.value.GetInt64();
  return sp;
}

}  // namespace sluice::cdc
