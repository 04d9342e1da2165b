// Decodes one request frame's header and runs its handler: the part of the server that sees
// untrusted bytes, kept apart from the sockets so that it can be fuzzed on its own.
#pragma once
#include <functional>
#include <string>
#include <string_view>

#include "kafka/server/handler.h"

namespace sluice::kafka {

struct DispatchResult {
  enum class Kind {
    handled,                   // the handler ran (and answers through its Responder)
    unsupported_api_versions,  // answer with api_versions_unsupported()
    reject,                    // close the connection: reason says why
  };
  Kind kind = Kind::handled;
  std::string reason;
  RequestHeader header;
};

// make_responder is called once the header is known and the request is accepted. Throws
// WireError on a malformed request (the connection is closed).
DispatchResult dispatch(std::string_view frame, Broker& broker, Session& session,
                        const ApiTable& apis,
                        const std::function<Responder(const RequestHeader&)>& make_responder);

// The v0-format ApiVersions answer with UNSUPPORTED_VERSION and our ApiVersions range, so a
// client that asked for a newer version retries lower.
std::string api_versions_unsupported(const ApiTable& apis);

}  // namespace sluice::kafka
