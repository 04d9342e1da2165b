// SaslHandshake (17) and SaslAuthenticate (36), PLAIN only. Both are allowed before
// authentication. A v0 handshake is followed by raw tokens, which the connection layer reads;
// after a v1 handshake the token comes in SaslAuthenticate.
#include "kafka/server/sasl_apis.h"

#include "kafka/errors.h"
#include "kafka/server/sasl_plain.h"

namespace sluice::kafka {
namespace sasl {

Reply handshake(const RequestHeader& h, Reader& in, const BrokerConfig& config, Session& s) {
  std::string_view mechanism = in.string();
  Reply r;
  Writer w(r.body);
  if (config.sasl_users.empty()) {
    w.i16(err::kUnsupportedSaslMechanism);  // SASL is off: no mechanism is enabled
    w.array_count(0);
  } else if (s.authenticated) {
    w.i16(err::kIllegalSaslState);  // re-authentication is not supported
    w.array_count(0);
  } else {
    bool plain = mechanism == "PLAIN";
    w.i16(plain ? err::kNone : err::kUnsupportedSaslMechanism);
    w.array_count(1);
    w.string("PLAIN");
    if (plain) {
      s.sasl_handshake_done = true;
      s.sasl_handshake_version = h.api_version;
    }
    r.close = !plain;  // as Kafka does: the client cannot go on without a mechanism
  }
  return r;
}

Reply authenticate(const RequestHeader& h, Reader& in, const BrokerConfig& config, Session& s) {
  std::string_view token = in.bytes().value_or("");
  Reply r;
  int16_t error = err::kNone;
  std::string message;
  if (config.sasl_users.empty() || s.authenticated) {
    error = err::kIllegalSaslState;
    message = "SaslAuthenticate request received after successful authentication";
  } else if (!s.sasl_handshake_done || s.sasl_handshake_version < 1) {
    error = err::kIllegalSaslState;
    message = "Unexpected SaslAuthenticate request without a SaslHandshake v1 first";
    r.close = true;
  } else if (std::string user; sasl_plain_check(config, token, &user, &message)) {
    s.authenticated = true;
    s.principal = std::move(user);
  } else {
    error = err::kSaslAuthenticationFailed;
    r.close = true;
  }
  Writer w(r.body);
  w.i16(error);
  w.nullable_string(error ? std::optional<std::string_view>(message) : std::nullopt);
  w.bytes(std::string_view());       // PLAIN has no server challenge
  if (h.api_version >= 1) w.i64(0);  // session lifetime: no re-authentication required
  return r;
}

}  // namespace sasl

namespace {

void answer(Request& req, sasl::Reply r) {
  if (r.close)
    req.respond.close(std::move(r.body));  // sends the reply, then closes
  else
    req.respond.send(std::move(r.body));
}

void handle_handshake(Request& req) {
  answer(req, sasl::handshake(req.header, req.body, req.broker.config, req.session));
}

void handle_authenticate(Request& req) {
  answer(req, sasl::authenticate(req.header, req.body, req.broker.config, req.session));
}

}  // namespace

void register_sasl_apis(ApiTable& t) {
  t.add({17, 0, 1, handle_handshake, /*before_auth=*/true});
  t.add({36, 0, 1, handle_authenticate, /*before_auth=*/true});
}

}  // namespace sluice::kafka
