// CreateTopics, DeleteTopics, CreatePartitions and DeleteRecords, and the registration of every
// admin API (the config APIs live in admin_configs.cpp). sluice is a one-node cluster, so
// replication factors other than 1 and replica assignments naming other brokers are refused.
#include "kafka/server/admin_apis.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "kafka/errors.h"
#include "log/topic_store.h"

namespace sluice::kafka {
namespace admin {
namespace {

int32_t count_or_zero(int32_t n) { return n < 0 ? 0 : n; }

std::string list_text(const std::vector<int32_t>& v) {
  return fmt::format("[{}]", fmt::join(v, ", "));
}

// "" when every replica list is exactly this broker; otherwise why not.
std::string check_replicas(const std::vector<std::vector<int32_t>>& lists, int32_t first,
                           int32_t node_id) {
  for (size_t i = 0; i < lists.size(); ++i) {
    const auto& ids = lists[i];
    if (ids.empty())
      return fmt::format("Replica assignment for partition {} is empty.", first + int32_t(i));
    if (ids.size() != 1 || ids[0] != node_id)
      return fmt::format(
          "Partition {} cannot be placed on brokers {}: this cluster has one broker, {}, and "
          "replication factor 1.",
          first + int32_t(i), list_text(ids), node_id);
  }
  return "";
}

std::vector<int32_t> read_int32_array(Reader& in) {
  std::vector<int32_t> out;
  int32_t n = count_or_zero(in.array_count(4));
  for (int32_t i = 0; i < n; ++i) out.push_back(in.i32());
  return out;
}

struct Outcome {
  int16_t error = err::kNone;
  std::string message;
};

struct CreatableTopic {
  std::string name;
  int32_t partitions = 0;
  int16_t replication = 0;
  std::map<int32_t, std::vector<int32_t>> assignments;  // partition -> broker ids
  std::vector<std::pair<std::string, std::optional<std::string>>> configs;
};

Outcome create_one(const CreatableTopic& t, [[maybe_unused]] int16_t version, bool validate_only,
                   Broker& b) {
  auto fail = [](int16_t e, std::string m) { return Outcome{e, std::move(m)}; };
  if (auto why = log::TopicStore::check_topic_name(t.name); !why.empty())
    return fail(err::kInvalidTopicException, why);
  if (b.topics->find(t.name))
    return fail(err::kTopicAlreadyExists, fmt::format("Topic '{}' already exists.", t.name));
  int32_t partitions = t.partitions;
  if (!t.assignments.empty()) {
    if (t.partitions != -1 || t.replication != -1)
      return fail(err::kInvalidRequest,
                  "Both numPartitions or replicationFactor and replicasAssignments were set. "
                  "Both cannot be used at the same time.");
    std::vector<std::vector<int32_t>> lists;
    int32_t expect = 0;
    for (const auto& [p, ids] : t.assignments) {
      if (p != expect++)
        return fail(err::kInvalidReplicaAssignment,
                    "Partitions should be a consecutive 0-based integer sequence.");
      lists.push_back(ids);
    }
    if (auto why = check_replicas(lists, 0, b.config.node_id); !why.empty())
      return fail(err::kInvalidReplicaAssignment, why);
    partitions = int32_t(lists.size());
  } else {
    // -1 asks for the broker's default in every version, as brokers since Kafka 2.4 (KIP-464)
    // accept it; only the Java client restricts it to v4.
    bool default_ok = true;
    if (partitions == -1 && default_ok)
      partitions = 0;
    else if (partitions <= 0)
      return fail(err::kInvalidPartitions, "Number of partitions must be larger than 0.");
    if (!(t.replication == -1 && default_ok)) {
      if (t.replication <= 0)
        return fail(err::kInvalidReplicationFactor, "Replication factor must be larger than 0.");
      if (t.replication > 1)
        return fail(
            err::kInvalidReplicationFactor,
            fmt::format("Replication factor: {} larger than available brokers: 1.", t.replication));
    }
  }
  std::map<std::string, std::string> configs;
  for (const auto& [name, value] : t.configs) {
    if (!value)
      return fail(err::kInvalidConfig,
                  fmt::format("Null value not supported for topic configs: {}", name));
    if (auto why = log::validate_topic_config(name, *value); !why.empty())
      return fail(err::kInvalidConfig, why);
    configs[name] = *value;
  }
  auto r = b.topics->create(t.name, partitions, configs, validate_only);
  return Outcome{r.error, r.message};
}

}  // namespace

std::string create_topics(const RequestHeader& h, Reader& in, Broker& b) {
  const int16_t v = h.api_version;
  std::vector<CreatableTopic> topics;
  int32_t n = count_or_zero(in.array_count(2 + 4 + 2 + 4 + 4));
  for (int32_t i = 0; i < n; ++i) {
    CreatableTopic t;
    t.name = std::string(in.string());
    t.partitions = in.i32();
    t.replication = in.i16();
    int32_t na = count_or_zero(in.array_count(8));
    for (int32_t j = 0; j < na; ++j) {
      int32_t p = in.i32();
      t.assignments[p] = read_int32_array(in);
    }
    int32_t nc = count_or_zero(in.array_count(4));
    for (int32_t j = 0; j < nc; ++j) {
      std::string name(in.string());
      auto value = in.nullable_string();
      t.configs.emplace_back(std::move(name),
                             value ? std::optional<std::string>(*value) : std::nullopt);
    }
    topics.push_back(std::move(t));
  }
  in.i32();  // timeout: creating is synchronous here
  bool validate_only = v >= 1 && in.boolean();

  std::map<std::string, int> seen;
  for (const auto& t : topics) ++seen[t.name];
  std::string out;
  Writer w(out);
  if (v >= 2) w.i32(0);  // throttle time
  size_t count_at = w.reserve_i32();
  int32_t count = 0;
  std::set<std::string> answered;
  for (const auto& t : topics) {
    if (!answered.insert(t.name).second) continue;  // one answer per name, as Kafka keys them
    Outcome o = seen[t.name] > 1
                    ? Outcome{err::kInvalidRequest,
                              fmt::format("Create topics request contains multiple entries for "
                                          "the topic '{}'.",
                                          t.name)}
                    : create_one(t, v, validate_only, b);
    w.string(t.name);
    w.i16(o.error);
    if (v >= 1)
      w.nullable_string(o.error ? std::optional<std::string_view>(o.message) : std::nullopt);
    ++count;
  }
  w.patch_i32(count_at, count);
  return out;
}

std::string delete_topics(const RequestHeader& h, Reader& in, Broker& b) {
  std::vector<std::string> names;
  int32_t n = count_or_zero(in.array_count(2));
  for (int32_t i = 0; i < n; ++i) names.emplace_back(in.string());
  in.i32();  // timeout
  std::string out;
  Writer w(out);
  if (h.api_version >= 1) w.i32(0);  // throttle time
  size_t count_at = w.reserve_i32();
  int32_t count = 0;
  std::set<std::string> done;
  for (const auto& name : names) {
    if (!done.insert(name).second) continue;
    w.string(name);
    w.i16(b.topics->remove(name));
    ++count;
  }
  w.patch_i32(count_at, count);
  return out;
}

std::string create_partitions(const RequestHeader&, Reader& in, Broker& b) {
  struct Item {
    std::string name;
    int32_t count;
    std::optional<std::vector<std::vector<int32_t>>> assignments;
  };
  std::vector<Item> items;
  int32_t n = count_or_zero(in.array_count(2 + 4 + 4));
  for (int32_t i = 0; i < n; ++i) {
    Item it{std::string(in.string()), in.i32(), std::nullopt};
    int32_t na = in.array_count(4);
    if (na >= 0) {
      it.assignments.emplace();
      for (int32_t j = 0; j < na; ++j) it.assignments->push_back(read_int32_array(in));
    }
    items.push_back(std::move(it));
  }
  in.i32();  // timeout
  bool validate_only = in.boolean();

  std::map<std::string, int> seen;
  for (const auto& it : items) ++seen[it.name];
  std::string out;
  Writer w(out);
  w.i32(0);  // throttle time
  size_t count_at = w.reserve_i32();
  int32_t count = 0;
  std::set<std::string> answered;
  for (const auto& it : items) {
    if (!answered.insert(it.name).second) continue;
    Outcome o;
    auto topic = b.topics->find(it.name);
    if (seen[it.name] > 1) {
      o = {err::kInvalidRequest, "Duplicate topic in request."};
    } else if (!topic) {
      o = {err::kUnknownTopicOrPartition, fmt::format("The topic '{}' does not exist.", it.name)};
    } else if (int32_t current = topic->partition_count(); it.assignments && it.count > current) {
      int32_t added = it.count - current;
      if (int32_t(it.assignments->size()) != added)
        o = {err::kInvalidReplicaAssignment,
             fmt::format("Increasing the number of partitions by {} but {} assignments provided.",
                         added, it.assignments->size())};
      else if (auto why = check_replicas(*it.assignments, current, b.config.node_id); !why.empty())
        o = {err::kInvalidReplicaAssignment, why};
    }
    if (!o.error) o.error = b.topics->add_partitions(it.name, it.count, validate_only, &o.message);
    w.string(it.name);
    w.i16(o.error);
    w.nullable_string(o.error ? std::optional<std::string_view>(o.message) : std::nullopt);
    ++count;
  }
  w.patch_i32(count_at, count);
  return out;
}

std::string delete_records(const RequestHeader&, Reader& in, Broker& b) {
  std::string out;
  Writer w(out);
  w.i32(0);  // throttle time
  int32_t n = count_or_zero(in.array_count(2 + 4));
  // Answered while reading: the response mirrors the request's topics and partitions.
  w.array_count(n);
  for (int32_t i = 0; i < n; ++i) {
    std::string name(in.string());
    auto topic = b.topics->find(name);
    w.string(name);
    int32_t np = count_or_zero(in.array_count(12));
    w.array_count(np);
    for (int32_t j = 0; j < np; ++j) {
      int32_t index = in.i32();
      int64_t offset = in.i64();
      int64_t low = -1;
      int16_t error = err::kNone;
      auto part = topic ? topic->partition(index) : nullptr;
      if (!part) {
        error = err::kUnknownTopicOrPartition;
      } else {
        int64_t hw = part->end_offset();
        if (offset == -1) offset = hw;  // -1: everything up to the high watermark
        if (offset < 0 || offset > hw)
          error = err::kOffsetOutOfRange;
        else
          error = part->delete_records(offset, low);
        if (error) low = -1;
      }
      w.i32(index);
      w.i64(low);
      w.i16(error);
    }
  }
  in.i32();  // timeout: deleting is synchronous here
  return out;
}

}  // namespace admin

namespace {

using BodyFn = std::string (*)(const RequestHeader&, Reader&, Broker&);

template <BodyFn F>
void answer(Request& r) {
  r.respond.send(F(r.header, r.body, r.broker));
}

}  // namespace

void register_admin_apis(ApiTable& t) {
  // Highest non-flexible versions only: the server speaks no flexible versions.
  t.add({19, 0, 4, answer<admin::create_topics>});
  t.add({20, 0, 3, answer<admin::delete_topics>});
  t.add({21, 0, 1, answer<admin::delete_records>});
  t.add({32, 0, 3, answer<admin::describe_configs>});
  t.add({33, 0, 1, answer<admin::alter_configs>});
  t.add({37, 0, 1, answer<admin::create_partitions>});
  t.add({44, 0, 0, answer<admin::incremental_alter_configs>});
}

}  // namespace sluice::kafka
