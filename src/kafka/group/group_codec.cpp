#include "kafka/group/group_codec.h"

#include <climits>

namespace sluice::kafka::group {

namespace {

std::optional<std::string> opt_string(std::optional<std::string_view> s) {
  return s ? std::optional<std::string>(*s) : std::nullopt;
}

std::string bytes_or_empty(std::optional<std::string_view> b) {
  return b ? std::string(*b) : std::string();
}

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

// Smallest encodings, so a forged array count is refused before anything is allocated.
constexpr size_t kMinString = 2;
constexpr size_t kMinBytes = 4;

}  // namespace

FindCoordinatorRequest decode_find_coordinator(Reader& r, int16_t v) {
  FindCoordinatorRequest req;
  req.key = r.string();
  if (v >= 1) req.key_type = r.i8();
  return req;
}

std::string encode_find_coordinator(const FindCoordinatorResult& res, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 1) w.i32(0);  // throttle_time_ms
  w.i16(res.error);
  if (v >= 1) w.nullable_string(view(res.message));
  w.i32(res.node_id);
  w.string(res.host);
  w.i32(res.port);
  return out;
}

JoinRequest decode_join_group(Reader& r, int16_t v) {
  JoinRequest req;
  req.group_id = r.string();
  req.session_timeout_ms = r.i32();
  req.rebalance_timeout_ms = v >= 1 ? r.i32() : -1;
  req.member_id = r.string();
  if (v >= 5) req.instance_id = opt_string(r.nullable_string());
  req.protocol_type = r.string();
  int32_t n = r.array_count(kMinString + kMinBytes);
  for (int32_t i = 0; i < n; ++i) {
    Protocol p;
    p.name = r.string();
    p.metadata = bytes_or_empty(r.bytes());
    req.protocols.push_back(std::move(p));
  }
  req.require_known_member_id = v >= 4;
  return req;
}

std::string encode_join_group(const JoinResult& res, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 2) w.i32(0);
  w.i16(res.error);
  w.i32(res.generation);
  w.string(res.protocol);
  w.string(res.leader);
  w.string(res.member_id);
  w.array_count(int32_t(res.members.size()));
  for (auto& m : res.members) {
    w.string(m.member_id);
    if (v >= 5) w.nullable_string(view(m.instance_id));
    w.bytes(m.metadata);
  }
  return out;
}

SyncRequest decode_sync_group(Reader& r, int16_t v) {
  SyncRequest req;
  req.group_id = r.string();
  req.generation = r.i32();
  req.member_id = r.string();
  if (v >= 3) req.instance_id = opt_string(r.nullable_string());
  int32_t n = r.array_count(kMinString + kMinBytes);
  for (int32_t i = 0; i < n; ++i) {
    Assignment a;
    a.member_id = r.string();
    a.assignment = bytes_or_empty(r.bytes());
    req.assignments.push_back(std::move(a));
  }
  return req;
}

std::string encode_sync_group(const SyncResult& res, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 1) w.i32(0);
  w.i16(res.error);
  w.bytes(res.assignment);
  return out;
}

HeartbeatRequest decode_heartbeat(Reader& r, int16_t v) {
  HeartbeatRequest req;
  req.group_id = r.string();
  req.generation = r.i32();
  req.member_id = r.string();
  if (v >= 3) req.instance_id = opt_string(r.nullable_string());
  return req;
}

std::string encode_heartbeat(int16_t error, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 1) w.i32(0);
  w.i16(error);
  return out;
}

LeaveRequest decode_leave_group(Reader& r, int16_t v) {
  LeaveRequest req;
  req.group_id = r.string();
  if (v < 3) {
    req.members.push_back({std::string(r.string()), std::nullopt, 0});
    return req;
  }
  int32_t n = r.array_count(kMinString * 2);
  for (int32_t i = 0; i < n; ++i) {
    LeavingMember m;
    m.member_id = r.string();
    m.instance_id = opt_string(r.nullable_string());
    req.members.push_back(std::move(m));
  }
  return req;
}

std::string encode_leave_group(const LeaveResult& res, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 1) w.i32(0);
  if (v < 3) {
    // One member per request: its outcome is the answer.
    int16_t e = res.error;
    if (e == 0 && !res.members.empty()) e = res.members.front().error;
    w.i16(e);
    return out;
  }
  w.i16(res.error);
  w.array_count(int32_t(res.members.size()));
  for (auto& m : res.members) {
    w.string(m.member_id);
    w.nullable_string(view(m.instance_id));
    w.i16(m.error);
  }
  return out;
}

CommitRequest decode_offset_commit(Reader& r, int16_t v) {
  CommitRequest req;
  req.group_id = r.string();
  if (v >= 1) {
    req.generation = r.i32();
    req.member_id = r.string();
  }
  if (v >= 7) req.instance_id = opt_string(r.nullable_string());
  if (v >= 2 && v <= 4) r.i64();  // retention_time_ms: retention is the broker's business
  int32_t nt = r.array_count(kMinString + 4);
  for (int32_t i = 0; i < nt; ++i) {
    CommitTopic t;
    t.name = r.string();
    int32_t np = r.array_count(4 + 8 + kMinString);
    for (int32_t j = 0; j < np; ++j) {
      CommitPartition p;
      p.partition = r.i32();
      p.offset = r.i64();
      if (v >= 6) p.leader_epoch = r.i32();
      if (v == 1) r.i64();  // commit_timestamp: we stamp commits ourselves
      p.metadata = opt_string(r.nullable_string());
      t.partitions.push_back(std::move(p));
    }
    req.topics.push_back(std::move(t));
  }
  return req;
}

std::string encode_offset_commit(const CommitResult& res, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 3) w.i32(0);
  w.array_count(int32_t(res.topics.size()));
  for (auto& t : res.topics) {
    w.string(t.name);
    w.array_count(int32_t(t.partitions.size()));
    for (auto& p : t.partitions) {
      w.i32(p.partition);
      w.i16(p.error);
    }
  }
  return out;
}

OffsetFetchRequest decode_offset_fetch(Reader& r, int16_t v) {
  OffsetFetchRequest req;
  req.group_id = r.string();
  int32_t nt = r.array_count(kMinString + 4);
  if (nt < 0) {
    if (v < 2) throw WireError("OffsetFetch topics may be null only from version 2");
    return req;
  }
  req.topics.emplace();
  for (int32_t i = 0; i < nt; ++i) {
    FetchTopicRequest t;
    t.name = r.string();
    int32_t np = r.array_count(4);
    for (int32_t j = 0; j < np; ++j) t.partitions.push_back(r.i32());
    req.topics->push_back(std::move(t));
  }
  return req;
}

std::string encode_offset_fetch(const OffsetFetchResult& res, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 3) w.i32(0);
  w.array_count(int32_t(res.topics.size()));
  for (auto& t : res.topics) {
    w.string(t.name);
    w.array_count(int32_t(t.partitions.size()));
    for (auto& p : t.partitions) {
      w.i32(p.partition);
      w.i64(p.offset);
      if (v >= 5) w.i32(p.leader_epoch);
      w.nullable_string(p.metadata);
      w.i16(p.error);
    }
  }
  if (v >= 2) w.i16(res.error);
  return out;
}

DescribeGroupsRequest decode_describe_groups(Reader& r, int16_t v) {
  DescribeGroupsRequest req;
  int32_t n = r.array_count(kMinString);
  for (int32_t i = 0; i < n; ++i) req.groups.emplace_back(r.string());
  if (v >= 3) req.include_authorized_operations = r.boolean();
  return req;
}

std::string encode_describe_groups(const std::vector<DescribedGroup>& groups,
                                   bool include_authorized_operations, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 1) w.i32(0);
  w.array_count(int32_t(groups.size()));
  for (auto& g : groups) {
    w.i16(g.error);
    w.string(g.group_id);
    w.string(g.state);
    w.string(g.protocol_type);
    w.string(g.protocol);
    w.array_count(int32_t(g.members.size()));
    for (auto& m : g.members) {
      w.string(m.member_id);
      if (v >= 4) w.nullable_string(view(m.instance_id));
      w.string(m.client_id);
      w.string(m.client_host);
      w.bytes(m.metadata);
      w.bytes(m.assignment);
    }
    if (v >= 3) w.i32(include_authorized_operations ? g.authorized_operations : INT32_MIN);
  }
  return out;
}

std::string encode_list_groups(int16_t error, const std::vector<ListedGroup>& groups, int16_t v) {
  std::string out;
  Writer w(out);
  if (v >= 1) w.i32(0);
  w.i16(error);
  w.array_count(int32_t(groups.size()));
  for (auto& g : groups) {
    w.string(g.group_id);
    w.string(g.protocol_type);
  }
  return out;
}

std::vector<std::string> decode_delete_groups(Reader& r, int16_t /*v*/) {
  std::vector<std::string> out;
  int32_t n = r.array_count(kMinString);
  for (int32_t i = 0; i < n; ++i) out.emplace_back(r.string());
  return out;
}

std::string encode_delete_groups(const std::vector<DeleteGroupResult>& results, int16_t /*v*/) {
  std::string out;
  Writer w(out);
  w.i32(0);  // throttle_time_ms, in every version
  w.array_count(int32_t(results.size()));
  for (auto& r : results) {
    w.string(r.group_id);
    w.i16(r.error);
  }
  return out;
}

}  // namespace sluice::kafka::group
