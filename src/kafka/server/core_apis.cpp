#include "kafka/server/core_apis.h"

namespace sluice::kafka {

void register_core_apis(ApiTable& t) {
  register_api_versions(t);
  register_metadata(t);
  register_produce(t);
  register_fetch(t);
  register_list_offsets(t);
  register_init_producer_id(t);
}

ApiTable all_apis() {
  ApiTable t;
  register_core_apis(t);
  register_group_apis(t);
  register_admin_apis(t);
  register_sasl_apis(t);
  return t;
}

}  // namespace sluice::kafka
