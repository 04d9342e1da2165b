// The web console's data API: JSON resources under /api for the topics (partitions, offsets,
// sizes, configs), their messages, the consumer groups with their lag, and the counters the
// console charts as throughput. Read-only; every read is bounded (a page of messages, never a
// whole topic). Shapes: docs/console.md.
#pragma once

#include "http/api_context.h"
#include "http/router.h"

namespace sluice::http {

// Registers GET /api/overview, /api/topics, /api/topics/{name}, /api/topics/{name}/messages,
// /api/groups and /api/metrics. ctx is copied; what it points to must outlive the router.
void add_data_api(Router& router, const ApiContext& ctx);

}  // namespace sluice::http
