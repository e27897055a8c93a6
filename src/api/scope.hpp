#pragma once
// Tenant scope, decided in one place for every resource (api.md "Roles and scope"):
//   platform_admin  everything
//   brand_admin     rows of its brand
//   company_admin   rows of its company
//   user            only the virtual faxes it is linked to (checked by the virtual fax handlers)
// An object outside the caller's scope answers 404, exactly as a missing one; an object the
// caller sees but may not change answers 403; a role that has no business with a collection at
// all gets 403 on the collection.
#include <optional>
#include <string>
#include <string_view>

#include "body_reader.hpp"
#include "faxd/api/api.hpp"
#include "faxd/api/json.hpp"
#include "faxd/http/message.hpp"
#include "faxd/store/tenancy.hpp"
#include "faxd/store/user_repo.hpp"
#include "services.hpp"

namespace faxd::api {

// Power order: user 0 < company_admin 1 < brand_admin 2 < platform_admin 3.
int rank(store::Role role) noexcept;
bool at_least(const Caller& caller, store::Role role) noexcept;

// Where a row lives: its brand and (for company rows) its company.
struct Owner {
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
};

// True when the caller administers rows owned by `owner` (the `user` role never does).
bool in_scope(const Caller& caller, const Owner& owner) noexcept;

// The list filter matching the caller's scope.
store::TenantFilter scope_filter(const Caller& caller);
// The caller's scope narrowed by the list query's ?brand_id= and ?company_id= (a brand's
// companies, a company's users): a narrowing outside the scope matches nothing, as a missing
// object would. A malformed id is an error.
Result<store::TenantFilter> list_filter(const Caller& caller, const http::Request& request);

// The brand a new row goes to: the body's brand_id (required from platform admins, defaulting
// to the caller's own brand otherwise). A brand outside the caller's scope is reported on the
// reader as "brand_id: no such brand", exactly like a missing one.
std::string brand_for_create(const Caller& caller, BodyReader& in);
// The company a new row goes to, likewise (company admins default to their own company); the
// company is looked up so brand admins are held to their brand. nullopt when rejected.
std::optional<store::Company> company_for_create(const Caller& caller, BodyReader& in, Services& s,
                                                 std::string_view field = "company_id");

http::Response not_found(std::string_view what);
http::Response forbidden(std::string_view message);

// /x/{id} handlers: `find(caller, id)` gives the object the caller may see (nullopt outside its
// scope, answered 404 exactly as a missing one); `act(caller, request, object)` answers for it,
// checking what the caller may do with it (403).
template <class Find, class Act>
AuthedHandler found_in_scope(Find find, std::string what, Act act) {
  return [find, what = std::move(what), act](const Caller& c, const http::Request& req,
                                             const http::Params& p) {
    auto found = find(c, p.at("id"));
    if (!found) return error_response(found.error());
    if (!*found) return not_found(what);
    return act(c, req, **found);
  };
}

// GET /x/{id}: `to_json` of the object found in scope.
template <class Find, class ToJson>
AuthedHandler get_in_scope(Find find, std::string what, ToJson to_json) {
  return found_in_scope(std::move(find), std::move(what),
                        [to_json](const Caller&, const http::Request&, const auto& object) {
                          return http::Response::json(200, to_json(object));
                        });
}

// 204 when `done` succeeded, else its error (a DELETE's answer).
http::Response no_content_or_error(const Result<void>& done);

}  // namespace faxd::api
