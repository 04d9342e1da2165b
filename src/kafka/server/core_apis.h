// Registration of the core APIs, one file each (see register_core_apis).
#pragma once
#include "kafka/server/handler.h"

namespace sluice::kafka {

void register_api_versions(ApiTable& t);
void register_metadata(ApiTable& t);
void register_produce(ApiTable& t);
void register_fetch(ApiTable& t);
void register_list_offsets(ApiTable& t);
void register_init_producer_id(ApiTable& t);

// Every API the server answers (what `sluice run` registers).
ApiTable all_apis();

}  // namespace sluice::kafka
