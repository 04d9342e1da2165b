#include "kafka/server/handler.h"

namespace sluice::kafka {

void Responder::send(std::string body) const { finish(Outcome::send, std::move(body)); }
void Responder::none() const { finish(Outcome::none, {}); }
void Responder::close(std::string body) const { finish(Outcome::close, std::move(body)); }

}  // namespace sluice::kafka
