// SASL/PLAIN (RFC 4616) against the broker's configured users. Shared by SaslAuthenticate and the
// connection layer, which reads the raw tokens that follow a v0 SaslHandshake.
#pragma once
#include <string>
#include <string_view>

#include "kafka/server/handler.h"

namespace sluice::kafka {

// token is authzid NUL authcid NUL password. True when authcid is a configured user with that
// password (authzid empty or the same user); *user is then the user. Otherwise *error says why,
// worded as Kafka words it, without telling which of user or password was wrong.
bool sasl_plain_check(const BrokerConfig& config, std::string_view token, std::string* user,
                      std::string* error);

}  // namespace sluice::kafka
