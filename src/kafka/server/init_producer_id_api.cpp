// InitProducerId (22) v0-1: ids for idempotent producers. Transactions are not supported, so a
// transactional id is refused.
#include "kafka/errors.h"
#include "kafka/server/core_apis.h"
#include "log/producer_ids.h"

namespace sluice::kafka {

namespace {

void init_producer_id(Request& req) {
  auto txn = req.body.nullable_string();
  req.body.i32();  // transaction timeout
  std::string out;
  Writer w(out);
  w.i32(0);
  if (txn) {
    w.i16(53);  // TRANSACTIONAL_ID_AUTHORIZATION_FAILED: sluice has no transaction coordinator
    w.i64(-1);
    w.i16(-1);
  } else {
    w.i16(err::kNone);
    w.i64(req.broker.producer_ids->next());
    w.i16(0);
  }
  req.respond.send(std::move(out));
}

}  // namespace

void register_init_producer_id(ApiTable& t) { t.add({22, 0, 1, init_producer_id}); }

}  // namespace sluice::kafka
