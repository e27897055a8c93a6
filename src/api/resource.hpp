#pragma once
// Registration of one REST resource (api.md: POST/GET on the collection, GET/PATCH/DELETE on
// /x/{id}) and the reply helpers every resource uses: paging, JSON bodies, store errors.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "faxd/api/api.hpp"
#include "faxd/api/json.hpp"
#include "faxd/http/router.hpp"
#include "faxd/store/tenancy.hpp"
#include "scope.hpp"

namespace faxd::api {

struct Resource {
  std::string path;  // "/api/v1/carriers"; items live at path + "/{id}"
  AuthedHandler list, create, get, patch, remove;
  std::size_t max_body_bytes = 64 * 1024;  // POST and PATCH bodies
};

// Registers the handlers that are set. Item handlers see an invalid id as 404 before running.
void add_resource(http::Router& router, const Api& api, const Resource& resource);

// ?limit= (1..500, default 50) and ?cursor= (an id) of a list request.
Result<store::Page> read_page(const http::Request& request);

template <class T, class ToJson>
nlohmann::json page_json(const store::Slice<T>& slice, ToJson to_json) {
  auto data = nlohmann::json::array();
  for (const auto& item : slice.items) data.push_back(to_json(item));
  return {{"data", std::move(data)},
          {"next_cursor", slice.next_cursor ? nlohmann::json(*slice.next_cursor) : nullptr}};
}

inline nlohmann::json nullable(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// The JSON body of a POST or PATCH, or the error response for a bad one.
Result<nlohmann::json> json_body(const http::Request& request);

// 200/201 with the object, or the error.
template <class T, class ToJson>
http::Response reply(const Result<T>& r, int status, ToJson to_json) {
  if (!r) return error_response(r.error());
  return http::Response::json(status, to_json(*r));
}

// GET /x: a page of the rows in the caller's scope, for callers of at least `role` (else 403
// with `denied`); `list(filter, page)` reads them, `to_json` renders one.
template <class List, class ToJson>
AuthedHandler list_in_scope(store::Role role, std::string denied, List list, ToJson to_json) {
  return [role, denied = std::move(denied), list, to_json](
             const Caller& c, const http::Request& req, const http::Params&) {
    if (!at_least(c, role)) return forbidden(denied);
    auto page = read_page(req);
    if (!page) return error_response(page.error());
    auto filter = list_filter(c, req);
    if (!filter) return error_response(filter.error());
    return reply(list(*filter, *page), 200,
                 [&to_json](const auto& slice) { return page_json(slice, to_json); });
  };
}

}  // namespace faxd::api
