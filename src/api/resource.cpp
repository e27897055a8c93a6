#include "resource.hpp"

#include <charconv>

#include "faxd/common/id.hpp"
#include "scope.hpp"

namespace faxd::api {

void add_resource(http::Router& router, const Api& api, const Resource& res) {
  const auto item = res.path + "/{id}";
  auto with_id = [&api](AuthedHandler h) {
    return api.authed(
        [h = std::move(h)](const Caller& c, const http::Request& req, const http::Params& p) {
          if (!is_valid_id(p.at("id"))) return not_found("object");
          return h(c, req, p);
        });
  };
  if (res.list) router.add("GET", res.path, api.authed(res.list));
  if (res.create)
    router.add("POST", res.path, api.authed(res.create), {.max_body_bytes = res.max_body_bytes});
  if (res.get) router.add("GET", item, with_id(res.get));
  if (res.patch)
    router.add("PATCH", item, with_id(res.patch), {.max_body_bytes = res.max_body_bytes});
  if (res.remove) router.add("DELETE", item, with_id(res.remove));
}

Result<store::Page> read_page(const http::Request& req) {
  store::Page page;
  if (auto limit = req.query_param("limit")) {
    int v = 0;
    const auto* end = limit->data() + limit->size();
    auto [ptr, ec] = std::from_chars(limit->data(), end, v);
    if (ec != std::errc{} || ptr != end || v < 1 || v > 500)
      return fail(Errc::invalid_argument, "limit: must be an integer from 1 to 500", "limit");
    page.limit = v;
  }
  if (auto cursor = req.query_param("cursor"); cursor && !cursor->empty()) {
    if (!is_valid_id(*cursor))
      return fail(Errc::invalid_argument, "cursor: not a cursor from a previous page", "cursor");
    page.after = *cursor;
  }
  return page;
}

Result<nlohmann::json> json_body(const http::Request& req) {
  return parse_body(req);
}

}  // namespace faxd::api
