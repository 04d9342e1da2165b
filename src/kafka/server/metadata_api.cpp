// Metadata (3) v0-8: this node is every partition's leader and only replica. Asking for an
// unknown topic creates it when auto-creation is on (v4+: and the request allows it).
#include <fmt/format.h>

#include "kafka/errors.h"
#include "kafka/server/core_apis.h"
#include "log/topic_store.h"

namespace sluice::kafka {

namespace {

void write_topic(Writer& w, int16_t v, const BrokerConfig& cfg, std::string_view name,
                 int16_t error, const log::Topic* t) {
  w.i16(error);
  w.string(name);
  if (v >= 1) w.boolean(t && name.starts_with("__"));
  int32_t n = t ? t->partition_count() : 0;
  w.array_count(n);
  for (int32_t p = 0; p < n; ++p) {
    w.i16(0);
    w.i32(p);
    w.i32(cfg.node_id);
    if (v >= 7) w.i32(0);  // leader epoch
    w.array_count(1);
    w.i32(cfg.node_id);
    w.array_count(1);
    w.i32(cfg.node_id);
    if (v >= 5) w.array_count(0);  // offline replicas
  }
  if (v >= 8) w.i32(INT32_MIN);  // authorized operations: not requested
}

void metadata(Request& req) {
  int16_t v = req.header.api_version;
  Reader& r = req.body;
  int32_t n = r.array_count(2);
  std::vector<std::string> names;
  for (int32_t i = 0; i < n; ++i) names.emplace_back(r.string());
  bool all = n < 0 || (v == 0 && n == 0);
  bool allow_create = true;
  if (v >= 4) allow_create = r.boolean();
  if (v >= 8) {
    r.boolean();
    r.boolean();
  }
  const auto& cfg = req.broker.config;
  auto& topics = *req.broker.topics;

  std::string out;
  Writer w(out);
  if (v >= 3) w.i32(0);
  w.array_count(1);
  w.i32(cfg.node_id);
  w.string(cfg.advertised_host);
  w.i32(cfg.port);
  if (v >= 1) w.nullable_string(std::nullopt);  // rack
  if (v >= 2) w.nullable_string(cfg.cluster_id);
  if (v >= 1) w.i32(cfg.node_id);  // controller
  if (all) {
    auto list = topics.list();
    w.array_count(int32_t(list.size()));
    for (auto& t : list) write_topic(w, v, cfg, t->name(), 0, t.get());
  } else {
    w.array_count(int32_t(names.size()));
    for (const auto& name : names) {
      auto t = topics.find(name);
      int16_t error = 0;
      if (!t) {
        if (!log::TopicStore::check_topic_name(name).empty()) {
          error = err::kInvalidTopicException;
        } else if (cfg.auto_create_topics && allow_create) {
          t = topics.find_or_create(name);
          if (!t) error = err::kLeaderNotAvailable;
        } else {
          error = err::kUnknownTopicOrPartition;
        }
      }
      write_topic(w, v, cfg, name, error, t.get());
    }
  }
  if (v >= 8) w.i32(INT32_MIN);
  req.respond.send(std::move(out));
}

}  // namespace

void register_metadata(ApiTable& t) { t.add({3, 0, 8, metadata}); }

}  // namespace sluice::kafka
