// SASL/PLAIN token checks and the SaslHandshake / SaslAuthenticate exchanges.
#include <gtest/gtest.h>

#include "kafka/errors.h"
#include "kafka/server/sasl_apis.h"
#include "kafka/server/sasl_plain.h"

namespace sluice::kafka {
namespace {

using namespace std::string_literals;

BrokerConfig with_users() {
  BrokerConfig c;
  c.sasl_users = {{"alice", "s3cret"}, {"bob", "pw"}};
  return c;
}

TEST(SaslPlain, ChecksTokens) {
  BrokerConfig c = with_users();
  std::string user, error;
  EXPECT_TRUE(sasl_plain_check(c, "\0alice\0s3cret"s, &user, &error)) << error;
  EXPECT_EQ(user, "alice");
  EXPECT_TRUE(sasl_plain_check(c, "bob\0bob\0pw"s, &user, &error)) << "authzid = authcid";
  EXPECT_EQ(user, "bob");
  EXPECT_FALSE(sasl_plain_check(c, "\0alice\0wrong"s, &user, &error));
  EXPECT_EQ(error, "Authentication failed: Invalid username or password");
  EXPECT_FALSE(sasl_plain_check(c, "\0carol\0s3cret"s, &user, &error));
  EXPECT_EQ(error, "Authentication failed: Invalid username or password");
  EXPECT_FALSE(sasl_plain_check(c, "\0alice\0s3cre"s, &user, &error)) << "a prefix";
  EXPECT_FALSE(sasl_plain_check(c, "bob\0alice\0s3cret"s, &user, &error));
  EXPECT_NE(error.find("authorization id"), std::string::npos);
  EXPECT_FALSE(sasl_plain_check(c, "alice\0s3cret"s, &user, &error));
  EXPECT_EQ(error, "Invalid SASL/PLAIN response: expected 3 tokens, got 2");
  EXPECT_FALSE(sasl_plain_check(c, "\0alice\0s3cret\0"s, &user, &error));
  EXPECT_FALSE(sasl_plain_check(c, "\0\0s3cret"s, &user, &error));
  EXPECT_EQ(error, "Authentication failed: username not specified");
  EXPECT_FALSE(sasl_plain_check(c, "\0alice\0"s, &user, &error));
  EXPECT_EQ(error, "Authentication failed: password not specified");
  EXPECT_FALSE(sasl_plain_check(BrokerConfig{}, "\0alice\0s3cret"s, &user, &error));
  EXPECT_EQ(user, "bob") << "untouched on failure";
}

std::string string_req(std::string_view s) {
  std::string out;
  Writer(out).string(s);
  return out;
}

std::string bytes_req(std::string_view s) {
  std::string out;
  Writer(out).bytes(s);
  return out;
}

struct Handshake {
  int16_t error;
  std::vector<std::string> mechanisms;
  bool close;
};

Handshake handshake(const BrokerConfig& c, Session& s, int16_t v, std::string_view mechanism) {
  RequestHeader h;
  h.api_version = v;
  std::string req = string_req(mechanism);
  Reader in(req);
  auto reply = sasl::handshake(h, in, c, s);
  Reader r(reply.body);
  Handshake out{r.i16(), {}, reply.close};
  int32_t n = r.array_count();
  for (int32_t i = 0; i < n; ++i) out.mechanisms.emplace_back(r.string());
  EXPECT_EQ(r.remaining(), 0u);
  return out;
}

struct Auth {
  int16_t error;
  std::optional<std::string> message;
  bool close;
};

Auth authenticate(const BrokerConfig& c, Session& s, int16_t v, std::string_view token) {
  RequestHeader h;
  h.api_version = v;
  std::string req = bytes_req(token);
  Reader in(req);
  auto reply = sasl::authenticate(h, in, c, s);
  Reader r(reply.body);
  Auth out{r.i16(), std::nullopt, reply.close};
  if (auto m = r.nullable_string()) out.message = std::string(*m);
  EXPECT_EQ(r.bytes(), std::optional<std::string_view>(""));
  if (v >= 1) {
    EXPECT_EQ(r.i64(), 0);
  }
  EXPECT_EQ(r.remaining(), 0u);
  return out;
}

TEST(SaslApis, HandshakeThenAuthenticate) {
  BrokerConfig c = with_users();
  Session s;
  auto hs = handshake(c, s, 1, "PLAIN");
  EXPECT_EQ(hs.error, 0);
  EXPECT_EQ(hs.mechanisms, std::vector<std::string>{"PLAIN"});
  EXPECT_FALSE(hs.close);
  EXPECT_TRUE(s.sasl_handshake_done);
  EXPECT_EQ(s.sasl_handshake_version, 1);
  auto a = authenticate(c, s, 1, "\0alice\0s3cret"s);
  EXPECT_EQ(a.error, 0);
  EXPECT_FALSE(a.message);
  EXPECT_FALSE(a.close);
  EXPECT_TRUE(s.authenticated);
  EXPECT_EQ(s.principal, "alice");
  // Nothing more to do once authenticated.
  EXPECT_EQ(authenticate(c, s, 0, "\0alice\0s3cret"s).error, err::kIllegalSaslState);
  EXPECT_EQ(handshake(c, s, 1, "PLAIN").error, err::kIllegalSaslState);
}

TEST(SaslApis, FailuresCloseTheConnection) {
  BrokerConfig c = with_users();
  Session s;
  auto hs = handshake(c, s, 1, "SCRAM-SHA-256");
  EXPECT_EQ(hs.error, err::kUnsupportedSaslMechanism);
  EXPECT_EQ(hs.mechanisms, std::vector<std::string>{"PLAIN"});
  EXPECT_TRUE(hs.close);
  EXPECT_FALSE(s.sasl_handshake_done);
  auto early = authenticate(c, s, 0, "\0alice\0s3cret"s);
  EXPECT_EQ(early.error, err::kIllegalSaslState) << "no handshake first";
  EXPECT_TRUE(early.close);

  Session s2;
  handshake(c, s2, 1, "PLAIN");
  auto bad = authenticate(c, s2, 0, "\0alice\0nope"s);
  EXPECT_EQ(bad.error, err::kSaslAuthenticationFailed);
  EXPECT_EQ(bad.message, "Authentication failed: Invalid username or password");
  EXPECT_TRUE(bad.close);
  EXPECT_FALSE(s2.authenticated);

  // SASL off: no mechanism enabled.
  Session s3;
  s3.authenticated = true;
  auto off = handshake(BrokerConfig{}, s3, 1, "PLAIN");
  EXPECT_EQ(off.error, err::kUnsupportedSaslMechanism);
  EXPECT_TRUE(off.mechanisms.empty());
  EXPECT_FALSE(off.close);
}

TEST(SaslApis, RegisteredBeforeAuthAndCloseAfterAFailure) {
  ApiTable t;
  register_sasl_apis(t);
  ASSERT_TRUE(t.find(17) && t.find(36));
  EXPECT_TRUE(t.find(17)->before_auth);
  EXPECT_TRUE(t.find(36)->before_auth);
  EXPECT_EQ(t.find(17)->max_version, 1);
  EXPECT_EQ(t.find(36)->max_version, 1);

  Broker b;
  b.config = with_users();
  Session s;
  s.sasl_handshake_done = true;
  s.sasl_handshake_version = 1;
  std::string req = bytes_req("\0alice\0bad"s);
  Reader in(req);
  std::optional<Responder::Outcome> outcome;
  std::string body;
  Request r{RequestHeader{36, 1, 1, std::nullopt, false}, in, b, s,
            Responder::make([&](Responder::Outcome o, std::string out) {
              outcome = o;
              body = std::move(out);
            })};
  t.find(36)->handler(r);
  ASSERT_EQ(outcome, Responder::Outcome::close);
  EXPECT_EQ(Reader(body).i16(), err::kSaslAuthenticationFailed) << "sent before closing";
}

}  // namespace
}  // namespace sluice::kafka
