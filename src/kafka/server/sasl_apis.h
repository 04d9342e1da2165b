// SaslHandshake and SaslAuthenticate as functions from a request body to a response body, kept
// apart from their handlers so tests can drive them without a server.
#pragma once
#include <string>

#include "kafka/server/handler.h"

namespace sluice::kafka::sasl {

struct Reply {
  std::string body;    // the response after the response header
  bool close = false;  // close the connection once the reply is sent (a failed authentication)
};

// 17, v0-1. Records the handshake (and its version) in the session when PLAIN is chosen.
Reply handshake(const RequestHeader& h, Reader& in, const BrokerConfig& config, Session& s);
// 36, v0-1. Marks the session authenticated on success.
Reply authenticate(const RequestHeader& h, Reader& in, const BrokerConfig& config, Session& s);

}  // namespace sluice::kafka::sasl
