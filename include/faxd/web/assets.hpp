#pragma once
// The web UI: files under web/ compiled into the binary and served at "/". Paths that are not
// files fall back to index.html, so the single-page app owns its own URLs.
#include "faxd/http/router.hpp"

namespace faxd::web {

// Registers the static-file fallback on the router.
void add_routes(http::Router& router);

}  // namespace faxd::web
