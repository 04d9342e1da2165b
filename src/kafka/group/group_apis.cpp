// The group APIs' handlers: decode, ask the coordinator (Broker::groups), encode the answer.
// Answers that wait (joins, follower syncs, commits) capture the Responder and the version.
#include "kafka/errors.h"
#include "kafka/group/coordinator.h"
#include "kafka/group/group_codec.h"
#include "kafka/server/handler.h"

namespace sluice::kafka::group {

namespace {

std::string client_id(const Request& req) {
  return req.header.client_id ? std::string(*req.header.client_id) : std::string();
}

void find_coordinator(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_find_coordinator(req.body, v);
  FindCoordinatorResult res;
  if (in.key_type == 0 && req.broker.groups) {
    res.node_id = req.broker.config.node_id;
    res.host = req.broker.config.advertised_host;
    res.port = req.broker.config.port;
  } else if (in.key_type == 0 || in.key_type == 1) {
    res.error = err::kCoordinatorNotAvailable;
    res.message = in.key_type == 1 ? "transactions are not supported" : "no group coordinator";
  } else {
    res.error = err::kInvalidRequest;
    res.message = "unknown coordinator key type " + std::to_string(in.key_type);
  }
  req.respond.send(encode_find_coordinator(res, v));
}

void join_group(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_join_group(req.body, v);
  in.client_id = client_id(req);
  in.client_host = req.session.client_host;
  if (!req.broker.groups) {
    JoinResult r;
    r.error = err::kCoordinatorNotAvailable;
    r.member_id = in.member_id;
    return req.respond.send(encode_join_group(r, v));
  }
  req.broker.groups->join(in, [respond = req.respond, v](const JoinResult& r) {
    respond.send(encode_join_group(r, v));
  });
}

void sync_group(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_sync_group(req.body, v);
  if (!req.broker.groups)
    return req.respond.send(encode_sync_group({err::kCoordinatorNotAvailable, {}}, v));
  req.broker.groups->sync(in, [respond = req.respond, v](const SyncResult& r) {
    respond.send(encode_sync_group(r, v));
  });
}

void heartbeat(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_heartbeat(req.body, v);
  int16_t e = req.broker.groups ? req.broker.groups->heartbeat(in) : err::kCoordinatorNotAvailable;
  req.respond.send(encode_heartbeat(e, v));
}

void leave_group(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_leave_group(req.body, v);
  LeaveResult res;
  if (req.broker.groups) {
    res = req.broker.groups->leave(in);
  } else {
    res.error = err::kCoordinatorNotAvailable;
    res.members = in.members;
  }
  req.respond.send(encode_leave_group(res, v));
}

void offset_commit(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_offset_commit(req.body, v);
  if (!req.broker.groups) {
    CommitResult res{in.topics};
    for (auto& t : res.topics)
      for (auto& p : t.partitions) p.error = err::kCoordinatorNotAvailable;
    return req.respond.send(encode_offset_commit(res, v));
  }
  req.broker.groups->commit_offsets(in, [respond = req.respond, v](const CommitResult& r) {
    respond.send(encode_offset_commit(r, v));
  });
}

void offset_fetch(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_offset_fetch(req.body, v);
  OffsetFetchResult res;
  if (req.broker.groups) {
    res = req.broker.groups->fetch_offsets(in);
  } else {
    res.error = err::kCoordinatorNotAvailable;
    if (in.topics)
      for (auto& t : *in.topics) {
        res.topics.push_back({t.name, {}});
        for (int32_t p : t.partitions)
          res.topics.back().partitions.push_back({p, -1, -1, "", err::kCoordinatorNotAvailable});
      }
  }
  req.respond.send(encode_offset_fetch(res, v));
}

void describe_groups(Request& req) {
  const int16_t v = req.header.api_version;
  auto in = decode_describe_groups(req.body, v);
  std::vector<DescribedGroup> out;
  for (auto& id : in.groups) {
    if (req.broker.groups) {
      out.push_back(req.broker.groups->describe(id));
    } else {
      DescribedGroup d;
      d.error = err::kCoordinatorNotAvailable;
      d.group_id = id;
      out.push_back(std::move(d));
    }
  }
  req.respond.send(encode_describe_groups(out, in.include_authorized_operations, v));
}

void list_groups(Request& req) {
  const int16_t v = req.header.api_version;
  if (!req.broker.groups)
    return req.respond.send(encode_list_groups(err::kCoordinatorNotAvailable, {}, v));
  req.respond.send(encode_list_groups(err::kNone, req.broker.groups->list(), v));
}

void delete_groups(Request& req) {
  const int16_t v = req.header.api_version;
  auto ids = decode_delete_groups(req.body, v);
  if (!req.broker.groups) {
    std::vector<DeleteGroupResult> out;
    for (auto& id : ids) out.push_back({id, err::kCoordinatorNotAvailable});
    return req.respond.send(encode_delete_groups(out, v));
  }
  req.broker.groups->delete_groups(
      ids, [respond = req.respond, v](const std::vector<DeleteGroupResult>& r) {
        respond.send(encode_delete_groups(r, v));
      });
}

}  // namespace
}  // namespace sluice::kafka::group

namespace sluice::kafka {

void register_group_apis(ApiTable& t) {
  namespace g = group;
  // Minimum 0 everywhere: librdkafka enables its consumer only if version 0 points are covered.
  t.add({8, 0, g::kOffsetCommitMax, g::offset_commit});
  t.add({9, 0, g::kOffsetFetchMax, g::offset_fetch});
  t.add({10, 0, g::kFindCoordinatorMax, g::find_coordinator});
  t.add({11, 0, g::kJoinGroupMax, g::join_group});
  t.add({12, 0, g::kHeartbeatMax, g::heartbeat});
  t.add({13, 0, g::kLeaveGroupMax, g::leave_group});
  t.add({14, 0, g::kSyncGroupMax, g::sync_group});
  t.add({15, 0, g::kDescribeGroupsMax, g::describe_groups});
  t.add({16, 0, g::kListGroupsMax, g::list_groups});
  t.add({42, 0, g::kDeleteGroupsMax, g::delete_groups});
}

}  // namespace sluice::kafka
