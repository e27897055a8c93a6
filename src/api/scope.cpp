#include "scope.hpp"

#include <fmt/format.h>

#include "faxd/common/id.hpp"

namespace faxd::api {

using store::Role;

int rank(Role role) noexcept {
  switch (role) {
    case Role::platform_admin:
      return 3;
    case Role::brand_admin:
      return 2;
    case Role::company_admin:
      return 1;
    case Role::user:
      return 0;
  }
  return 0;
}

bool at_least(const Caller& caller, Role role) noexcept {
  return rank(caller.user.role) >= rank(role);
}

bool in_scope(const Caller& caller, const Owner& owner) noexcept {
  const auto& u = caller.user;
  switch (u.role) {
    case Role::platform_admin:
      return true;
    case Role::brand_admin:
      return owner.brand_id && u.brand_id && *owner.brand_id == *u.brand_id;
    case Role::company_admin:
      return owner.company_id && u.company_id && *owner.company_id == *u.company_id;
    case Role::user:
      return false;
  }
  return false;
}

store::TenantFilter scope_filter(const Caller& caller) {
  const auto& u = caller.user;
  switch (u.role) {
    case Role::platform_admin:
      return {};
    case Role::brand_admin:
      return {.brand_id = u.brand_id.value_or("-")};
    case Role::company_admin:
      return {.company_id = u.company_id.value_or("-")};
    case Role::user:
      return {.linked_user_id = u.id};
  }
  return {.linked_user_id = u.id};
}

Result<store::TenantFilter> list_filter(const Caller& caller, const http::Request& req) {
  auto f = scope_filter(caller);
  for (const std::string_view name : {"brand_id", "company_id"}) {
    const auto given = req.query_param(name);
    if (!given || given->empty()) continue;
    if (!is_valid_id(*given))
      return fail(Errc::invalid_argument, fmt::format("{}: not an id", name), std::string(name));
    auto& slot = name == "brand_id" ? f.brand_id : f.company_id;
    slot = (slot && *slot != *given) ? std::string("-") : std::string(*given);
  }
  return f;
}

std::string brand_for_create(const Caller& c, BodyReader& in) {
  auto given = in.id("brand_id", c.user.role == Role::platform_admin);
  auto brand = given.value_or(c.user.brand_id.value_or(""));
  if (!in.error() && !in_scope(c, {.brand_id = brand}))
    in.reject("brand_id", "brand_id: no such brand");
  return brand;
}

std::optional<store::Company> company_for_create(const Caller& c, BodyReader& in, Services& s,
                                                 std::string_view field) {
  auto given = in.id(field, c.user.role != Role::company_admin);
  if (in.error()) return std::nullopt;
  const auto id = given.value_or(c.user.company_id.value_or(""));
  auto co = s.tenants.find_company(id);
  if (!co) {
    in.reject(field, co.error().message);
    return std::nullopt;
  }
  if (!*co || !in_scope(c, {.brand_id = (*co)->brand_id, .company_id = (*co)->id})) {
    in.reject(field, fmt::format("{}: no such company", field));
    return std::nullopt;
  }
  return **co;
}

http::Response not_found(std::string_view what) {
  return http::Response::error(404, "not_found", fmt::format("no such {}", what));
}

http::Response forbidden(std::string_view message) {
  return http::Response::error(403, "forbidden", message);
}

http::Response no_content_or_error(const Result<void>& done) {
  if (!done) return error_response(done.error());
  return http::Response::no_content();
}

}  // namespace faxd::api
