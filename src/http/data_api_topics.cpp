// GET /api/topics and /api/topics/{name}: partitions with their offsets and sizes, and for one
// topic every config with its effective value and where it comes from, as DescribeConfigs
// reports them (TopicConfig::get over topic_config_defs, the same source admin_configs.cpp uses).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>

#include "http/data_api_internal.h"
#include "log/topic_store.h"

namespace sluice::http::data_api {

namespace {

// DescribeConfigs' source ids as TopicConfig::get reports them, under Kafka's names.
const char* source_name(int source) {
  switch (source) {
    case 1:
      return "DYNAMIC_TOPIC_CONFIG";
    case 4:
      return "STATIC_BROKER_CONFIG";
    default:
      return "DEFAULT_CONFIG";
  }
}

void write_topic(JsonWriter& w, const log::Topic& t, const log::TopicStore* store, bool configs) {
  w.StartObject();
  key(w, "name");
  str(w, t.name());
  key(w, "internal");
  w.Bool(t.internal());
  auto parts = t.partitions();
  key(w, "partition_count");
  w.Int64(int64_t(parts.size()));
  int64_t messages = 0;
  uint64_t bytes = 0;
  key(w, "partitions");
  w.StartArray();
  for (const auto& p : parts) {
    int64_t start = p->start_offset(), end = p->end_offset();
    uint64_t size = p->size_bytes();
    messages += end - start;
    bytes += size;
    w.StartObject();
    key(w, "partition");
    w.Int(p->id());
    key(w, "start_offset");
    w.Int64(start);
    key(w, "end_offset");
    w.Int64(end);
    key(w, "messages");
    w.Int64(end - start);
    key(w, "size_bytes");
    w.Uint64(size);
    w.EndObject();
  }
  w.EndArray();
  key(w, "messages");  // records between the log start and the end (compaction may leave fewer)
  w.Int64(messages);
  key(w, "size_bytes");
  w.Uint64(bytes);
  if (configs) {
    static const std::map<std::string, std::string> kNone;
    log::TopicConfig cfg(t.config().overrides(), store ? &store->broker_defaults() : &kNone);
    key(w, "configs");
    w.StartArray();
    for (const auto& def : log::topic_config_defs()) {
      int source = 5;
      std::string value = cfg.get(def.name, &source);
      w.StartObject();
      key(w, "name");
      str(w, def.name);
      key(w, "value");
      str(w, value);
      key(w, "source");
      str(w, source_name(source));
      key(w, "is_default");
      w.Bool(source == 5);
      key(w, "supported");
      w.Bool(def.supported);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace

void add_topic_routes(Router& router, const ApiContext& ctx) {
  router.add("GET", "/api/topics", [ctx](const Request&, const Params&) {
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    w.StartArray();
    if (ctx.topics) {
      auto topics = ctx.topics->list();
      std::sort(topics.begin(), topics.end(),
                [](const auto& a, const auto& b) { return a->name() < b->name(); });
      for (const auto& t : topics) write_topic(w, *t, ctx.topics, false);
    }
    w.EndArray();
    return json_ok(buf);
  });
  router.add("GET", "/api/topics/{}", [ctx](const Request&, const Params& params) {
    auto t = ctx.topics ? ctx.topics->find(params[0]) : nullptr;
    if (!t) return json_error(404, fmt::format("Topic {} not found", params[0]));
    rapidjson::StringBuffer buf;
    JsonWriter w(buf);
    write_topic(w, *t, ctx.topics, true);
    return json_ok(buf);
  });
}

}  // namespace sluice::http::data_api
