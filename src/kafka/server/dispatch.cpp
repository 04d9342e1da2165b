#include "kafka/server/dispatch.h"

#include <fmt/format.h>

#include "kafka/errors.h"

namespace sluice::kafka {

namespace {
constexpr int16_t kApiVersionsKey = 18;
}

DispatchResult dispatch(std::string_view frame, Broker& broker, Session& session,
                        const ApiTable& apis,
                        const std::function<Responder(const RequestHeader&)>& make_responder) {
  DispatchResult d;
  Reader r(frame);
  RequestHeader& h = d.header;
  h.api_key = r.i16();
  h.api_version = r.i16();
  h.correlation_id = r.i32();
  h.client_id = r.nullable_string();
  const ApiEntry* api = apis.find(h.api_key);
  auto reject = [&](std::string why) {
    d.kind = DispatchResult::Kind::reject;
    d.reason = std::move(why);
    return d;
  };
  if (h.api_key == kApiVersionsKey && api && h.api_version > api->max_version) {
    d.kind = DispatchResult::Kind::unsupported_api_versions;
    return d;
  }
  if (!api) return reject(fmt::format("unknown API key {}", h.api_key));
  if (h.api_version < api->min_version || h.api_version > api->max_version)
    return reject(fmt::format("API key {} version {} is not supported (versions {}-{})", h.api_key,
                              h.api_version, api->min_version, api->max_version));
  if (!session.authenticated && !api->before_auth)
    return reject(fmt::format("API key {} before SASL authentication", h.api_key));
  Request req{h, r, broker, session, make_responder(h)};
  api->handler(req);
  return d;
}

std::string api_versions_unsupported(const ApiTable& apis) {
  const ApiEntry* api = apis.find(kApiVersionsKey);
  std::string body;
  Writer w(body);
  w.i16(err::kUnsupportedVersion);
  w.array_count(1);
  w.i16(kApiVersionsKey);
  w.i16(api ? api->min_version : 0);
  w.i16(api ? api->max_version : 0);
  return body;
}

}  // namespace sluice::kafka
