// ApiVersions (18) v0-2: the versions of every API the server registered.
#include "kafka/server/core_apis.h"

namespace sluice::kafka {

namespace {

void api_versions(Request& req) {
  std::string out;
  Writer w(out);
  w.i16(0);
  w.array_count(int32_t(req.broker.apis->entries().size()));
  for (const auto& [key, e] : req.broker.apis->entries()) {
    w.i16(key);
    w.i16(e.min_version);
    w.i16(e.max_version);
  }
  if (req.header.api_version >= 1) w.i32(0);  // throttle_time_ms
  req.respond.send(std::move(out));
}

}  // namespace

void register_api_versions(ApiTable& t) { t.add({18, 0, 2, api_versions, true}); }

}  // namespace sluice::kafka
