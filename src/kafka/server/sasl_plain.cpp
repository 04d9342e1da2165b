#include "kafka/server/sasl_plain.h"

#include <fmt/format.h>

#include <vector>

namespace sluice::kafka {
namespace {

// Compares in time that depends on the lengths only, so timing does not reveal a password prefix.
bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

bool sasl_plain_check(const BrokerConfig& config, std::string_view token, std::string* user,
                      std::string* error) {
  auto fail = [&](std::string why) {
    if (error) *error = std::move(why);
    return false;
  };
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t nul = token.find('\0', start);
    parts.push_back(token.substr(start, nul == std::string_view::npos ? nul : nul - start));
    if (nul == std::string_view::npos) break;
    start = nul + 1;
  }
  if (parts.size() != 3)
    return fail(
        fmt::format("Invalid SASL/PLAIN response: expected 3 tokens, got {}", parts.size()));
  std::string_view authzid = parts[0], authcid = parts[1], password = parts[2];
  if (authcid.empty()) return fail("Authentication failed: username not specified");
  if (password.empty()) return fail("Authentication failed: password not specified");
  if (!authzid.empty() && authzid != authcid)
    return fail(
        "Authentication failed: Client requested an authorization id that is different from "
        "username");
  auto it = config.sasl_users.find(std::string(authcid));
  if (it == config.sasl_users.end() || !same_secret(it->second, password))
    return fail("Authentication failed: Invalid username or password");
  if (user) *user = std::string(authcid);
  return true;
}

}  // namespace sluice::kafka
