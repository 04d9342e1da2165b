// The data API's entry point, the overview and the metrics the console charts; topics and
// messages are in data_api_topics.cpp and data_api_messages.cpp, groups in data_api_groups.cpp.
#include "http/data_api.h"

#include <fmt/format.h>

#include <charconv>
#include <string>

#include "cdc/connector_host.h"
#include "core/clock.h"
#include "http/data_api_internal.h"
#include "kafka/server/handler.h"
#include "log/topic_store.h"

namespace sluice::http {

namespace data_api {

std::optional<int64_t> int_param(const Request& req, std::string_view name, int64_t min,
                                 int64_t max) {
  auto it = req.query.find(std::string(name));
  if (it == req.query.end()) return std::nullopt;
  const std::string& s = it->second;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size())
    throw BadRequest(fmt::format("{} must be an integer, not '{}'", name, s));
  if (v < min || v > max)
    throw BadRequest(fmt::format("{} must be between {} and {}, not {}", name, min, max, v));
  return v;
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

}  // namespace data_api

namespace {

using data_api::JsonWriter;
using data_api::key;
using data_api::str;

Response overview(const ApiContext& ctx) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  key(w, "version");
  str(w, ctx.version);
  key(w, "cluster_id");
  if (ctx.broker)
    str(w, ctx.broker->config.cluster_id);
  else
    w.Null();
  key(w, "kafka_listener");
  std::string listener = ctx.kafka_listener;
  // Given before the listener bound an ephemeral port: the broker knows the real one by now.
  if (ctx.broker && (listener.empty() || listener.ends_with(":0")))
    listener = fmt::format("{}:{}", ctx.broker->config.advertised_host, ctx.broker->config.port);
  str(w, listener);
  int64_t topics = 0, partitions = 0;
  if (ctx.topics) {
    for (const auto& t : ctx.topics->list()) {
      ++topics;
      partitions += t->partition_count();
    }
  }
  key(w, "topics");
  w.Int64(topics);
  key(w, "partitions");
  w.Int64(partitions);
  key(w, "groups");
  if (auto n = data_api::count_groups(ctx))
    w.Uint64(*n);
  else
    w.Null();  // the network thread is busy: unknown rather than wrong
  key(w, "connectors");
  w.Uint64(ctx.connectors ? ctx.connectors->status().size() : 0);
  key(w, "time_ms");
  w.Int64(unix_millis());
  w.EndObject();
  return data_api::json_ok(buf);
}

Response metrics(const ApiContext& ctx) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  key(w, "time_ms");
  w.Int64(unix_millis());
  key(w, "topics");
  w.StartObject();
  if (ctx.topics) {
    for (const auto& t : ctx.topics->list()) {
      int64_t messages = 0;
      uint64_t bytes = 0;
      for (const auto& p : t->partitions()) {
        messages += p->end_offset();
        bytes += p->size_bytes();
      }
      key(w, t->name());
      w.StartObject();
      key(w, "messages");
      w.Int64(messages);
      key(w, "size_bytes");
      w.Uint64(bytes);
      w.EndObject();
    }
  }
  w.EndObject();
  key(w, "connectors");
  w.StartObject();
  if (ctx.connectors) {
    for (const auto& s : ctx.connectors->status()) {
      key(w, s.name);
      w.StartObject();
      key(w, "state");
      str(w, cdc::to_string(s.state));
      key(w, "records_written");
      w.Uint64(s.records_written);
      w.EndObject();
    }
  }
  w.EndObject();
  w.EndObject();
  return data_api::json_ok(buf);
}

}  // namespace

void add_data_api(Router& router, const ApiContext& ctx) {
  router.add("GET", "/api/overview",
             [ctx](const Request&, const Params&) { return overview(ctx); });
  router.add("GET", "/api/metrics", [ctx](const Request&, const Params&) { return metrics(ctx); });
  data_api::add_topic_routes(router, ctx);
  data_api::add_message_routes(router, ctx);
  data_api::add_group_routes(router, ctx);
}

}  // namespace sluice::http
