// GET /api/groups: every consumer group with its members, their assignments (decoded from the
// consumer protocol) and the committed offset and lag of each partition. The coordinator lives
// on the Kafka listener's network thread and does not lock: its state is copied there (posted
// through broker->scheduler) and the HTTP thread waits for the copy, with a timeout.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <set>

#include "http/data_api_internal.h"
#include "kafka/group/coordinator.h"
#include "kafka/server/handler.h"
#include "kafka/wire.h"
#include "log/topic_store.h"

namespace sluice::http::data_api {

namespace {

constexpr auto kNetworkTimeout = std::chrono::seconds(5);

// Runs fn on the network thread and returns its result; nullopt when it did not run in time.
template <typename T>
std::optional<T> on_network_thread(kafka::Broker& broker, std::function<T()> fn) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  broker.scheduler->post([promise, fn = std::move(fn)] {
    try {
      promise->set_value(fn());
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  if (future.wait_for(kNetworkTimeout) != std::future_status::ready) return std::nullopt;
  return future.get();
}

bool has_coordinator(const ApiContext& ctx) {
  return ctx.broker && ctx.broker->groups && ctx.broker->scheduler;
}

struct TopicAssignment {
  std::string topic;
  std::vector<int32_t> partitions;
};

// ConsumerProtocolAssignment (any version: version, [topic, [partition]], user data, …);
// empty when the bytes are not one (another protocol type, or nothing assigned yet).
std::vector<TopicAssignment> decode_assignment(std::string_view bytes) {
  std::vector<TopicAssignment> out;
  if (bytes.size() < 6) return out;
  try {
    kafka::Reader in(bytes);
    if (in.i16() < 0) return {};
    int32_t n = in.array_count(2 + 4);
    for (int32_t i = 0; i < n; ++i) {
      TopicAssignment t{std::string(in.string()), {}};
      int32_t np = in.array_count(4);
      for (int32_t j = 0; j < np; ++j) t.partitions.push_back(in.i32());
      out.push_back(std::move(t));
    }
  } catch (const kafka::WireError&) {
    return {};
  }
  return out;
}

Response groups(const ApiContext& ctx) {
  auto snap = snapshot_groups(ctx);
  if (!snap) return json_error(503, "The Kafka listener did not answer in time; try again");
  std::sort(snap->begin(), snap->end(),
            [](const auto& a, const auto& b) { return a.listed.group_id < b.listed.group_id; });
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartArray();
  for (const auto& g : *snap) {
    const auto& d = g.described;
    w.StartObject();
    key(w, "group_id");
    str(w, g.listed.group_id);
    key(w, "state");
    str(w, d.state.empty() ? "Unknown" : d.state);
    key(w, "protocol_type");
    str(w, !d.protocol_type.empty() ? d.protocol_type : g.listed.protocol_type);
    key(w, "protocol");
    str(w, d.protocol);
    // Partitions to report: those committed and those assigned to a member.
    std::map<std::pair<std::string, int32_t>, int64_t> committed;  // -1: assigned, none committed
    key(w, "members");
    w.StartArray();
    for (const auto& m : d.members) {
      w.StartObject();
      key(w, "member_id");
      str(w, m.member_id);
      key(w, "client_id");
      str(w, m.client_id);
      key(w, "host");
      str(w, m.client_host);
      key(w, "assignments");
      w.StartArray();
      auto assigned = d.protocol_type == "consumer" ? decode_assignment(m.assignment)
                                                    : std::vector<TopicAssignment>{};
      for (const auto& a : assigned) {
        w.StartObject();
        key(w, "topic");
        str(w, a.topic);
        key(w, "partitions");
        w.StartArray();
        for (int32_t p : a.partitions) {
          w.Int(p);
          committed.emplace(std::make_pair(a.topic, p), -1);
        }
        w.EndArray();
        w.EndObject();
      }
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    for (const auto& t : g.offsets.topics)
      for (const auto& p : t.partitions)
        if (p.error == 0 && p.offset >= 0) committed[{t.name, p.partition}] = p.offset;
    key(w, "offsets");
    w.StartArray();
    int64_t total = 0;
    for (const auto& [tp, offset] : committed) {
      auto topic = ctx.topics ? ctx.topics->find(tp.first) : nullptr;
      auto part = topic ? topic->partition(tp.second) : nullptr;
      w.StartObject();
      key(w, "topic");
      str(w, tp.first);
      key(w, "partition");
      w.Int(tp.second);
      key(w, "committed");
      if (offset >= 0)
        w.Int64(offset);
      else
        w.Null();
      key(w, "end_offset");
      if (part)
        w.Int64(part->end_offset());
      else
        w.Null();
      key(w, "lag");
      if (part && offset >= 0) {
        int64_t lag = std::max<int64_t>(0, part->end_offset() - offset);
        total += lag;
        w.Int64(lag);
      } else {
        w.Null();
      }
      w.EndObject();
    }
    w.EndArray();
    key(w, "lag");
    w.Int64(total);
    w.EndObject();
  }
  w.EndArray();
  return json_ok(buf);
}

}  // namespace

std::optional<std::vector<GroupSnapshot>> snapshot_groups(const ApiContext& ctx) {
  if (!has_coordinator(ctx)) return std::vector<GroupSnapshot>{};
  kafka::group::Coordinator* coord = ctx.broker->groups;
  return on_network_thread<std::vector<GroupSnapshot>>(*ctx.broker, [coord] {
    std::vector<GroupSnapshot> out;
    for (auto& listed : coord->list()) {
      GroupSnapshot s;
      s.described = coord->describe(listed.group_id);
      s.offsets = coord->fetch_offsets({listed.group_id, std::nullopt});
      s.listed = std::move(listed);
      out.push_back(std::move(s));
    }
    return out;
  });
}

std::optional<size_t> count_groups(const ApiContext& ctx) {
  if (!has_coordinator(ctx)) return size_t(0);
  kafka::group::Coordinator* coord = ctx.broker->groups;
  return on_network_thread<size_t>(*ctx.broker, [coord] { return coord->list().size(); });
}

void add_group_routes(Router& router, const ApiContext& ctx) {
  router.add("GET", "/api/groups", [ctx](const Request&, const Params&) { return groups(ctx); });
}

}  // namespace sluice::http::data_api
