// The web console: static files from the console/ folder, embedded in the binary, served under
// /ui/ (and index.html at / for browsers, see wants_html). No framework, no build step.
#pragma once

#include "http/http_types.h"
#include "http/router.h"

namespace sluice::http {

// GET /ui and /ui/{file}: the embedded files with their Content-Type and Cache-Control:
// no-cache (a new binary serves new files at the same paths).
void add_console_routes(Router& router);
// True when the request's Accept header asks for HTML (a browser opening the address).
bool wants_html(const Request& req);
// The console's index.html.
Response console_index();

}  // namespace sluice::http
