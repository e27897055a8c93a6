// /api/v1/routes: outgoing routes of a brand or of one of its companies (company_id; type
// fax|call, prefix, carrier, priority, weight), managed by its brand admins. How they are used:
// jobs/route_selector.hpp; what a number would use: GET /api/v1/routes/plan (route_plan.cpp).
#include "body_reader.hpp"
#include "resource.hpp"
#include "resources.hpp"
#include "scope.hpp"
#include "validate.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;
using store::Role;

namespace {

json route_json(const store::Route& r) {
  return {{"id", r.id},
          {"brand_id", r.brand_id},
          {"company_id", nullable(r.company_id)},
          {"type", r.type},
          {"prefix", r.prefix},
          {"carrier_id", r.carrier_id},
          {"priority", r.priority},
          {"weight", r.weight},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at}};
}

bool is_route_type(std::string_view s) noexcept {
  return s == "fax" || s == "call";
}

constexpr TextRule kType{
    .non_empty = true, .max_length = 4, .valid = is_route_type, .problem = "must be fax or call"};
constexpr TextRule kPrefix{
    .max_length = 16,
    .valid = is_prefix,
    .problem =
        "must be + and the start of the numbers in international form (e.g. +34 for "
        "Spain, +4930 for Berlin), or empty for every number"};
const std::initializer_list<std::string_view> kFields = {
    "brand_id", "company_id", "type", "prefix", "carrier_id", "priority", "weight"};
constexpr int kMaxPriority = 1000;
constexpr int kMaxWeight = 1000;

}  // namespace

void add_route_routes(http::Router& router, const Api& api, Services& s) {
  auto find = [&s](const Caller& c, const std::string& id) -> Result<std::optional<store::Route>> {
    auto r = s.carriers.find_route(id);
    if (r && *r && (!at_least(c, Role::brand_admin) || !in_scope(c, {.brand_id = (*r)->brand_id})))
      return std::optional<store::Route>{};
    return r;
  };
  add_route_plan_route(router, api, s);  // before /routes/{id}, which would take "plan" as an id
  add_resource(
      router, api,
      {
          .path = "/api/v1/routes",
          .list = list_in_scope(
              Role::brand_admin, "routes are managed by brand admins",
              [&s](const auto& filter, const auto& page) {
                return s.carriers.list_routes(filter, page);
              },
              route_json),
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::brand_admin))
                  return forbidden("routes are managed by brand admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                store::Route r;
                r.brand_id = brand_for_create(c, in);
                if (auto v = in.text("type", kType)) r.type = *v;
                if (auto v = in.text("prefix", kPrefix)) r.prefix = *v;
                if (auto v = in.id("carrier_id", true)) r.carrier_id = *v;
                if (auto v = in.integer("priority", 0, kMaxPriority)) r.priority = *v;
                if (auto v = in.integer("weight", 1, kMaxWeight)) r.weight = *v;
                if (auto v = in.nullable_id("company_id")) r.company_id = *v;
                if (auto e = in.error()) return error_response(*e);
                return reply(s.carriers.create_route(r), 201, route_json);
              },
          .get = get_in_scope(find, "route", route_json),
          .patch = found_in_scope(
              find, "route",
              [&s](const Caller&, const Request& req, const auto& r) {
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                if (auto b = in.id("brand_id"); b && *b != r.brand_id)
                  in.reject("brand_id", "brand_id: cannot be changed");
                store::RoutePatch patch{.type = in.text("type", kType),
                                        .prefix = in.text("prefix", kPrefix),
                                        .carrier_id = in.id("carrier_id"),
                                        .priority = in.integer("priority", 0, kMaxPriority),
                                        .weight = in.integer("weight", 1, kMaxWeight),
                                        .company_id = in.nullable_id("company_id")};
                if (auto e = in.error()) return error_response(*e);
                return reply(s.carriers.update_route(r.id, patch), 200, route_json);
              }),
          .remove = found_in_scope(find, "route",
                                   [&s](const Caller&, const Request&, const auto& r) {
                                     return no_content_or_error(s.carriers.delete_route(r.id));
                                   }),
      });
}

}  // namespace faxd::api
