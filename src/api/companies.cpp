// /api/v1/companies: brand admins manage the companies of their brand; a company admin reads its
// own company.
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

json company_json(const store::Company& co) {
  return {{"id", co.id},
          {"brand_id", co.brand_id},
          {"name", co.name},
          {"timezone", co.timezone},
          {"language", co.language},
          {"created_at", co.created_at},
          {"updated_at", co.updated_at}};
}

constexpr TextRule kName{.non_empty = true,
                         .max_length = 100,
                         .valid = is_printable,
                         .problem = "must not contain control characters"};
constexpr TextRule kTimezone{.non_empty = true,
                             .max_length = 64,
                             .valid = is_timezone,
                             .problem = "not a known IANA time zone (e.g. Europe/Berlin)"};
constexpr TextRule kLanguage{.non_empty = true,
                             .max_length = 5,
                             .valid = is_language,
                             .problem = "not a language tag (e.g. en, pt-BR)"};

}  // namespace

void add_company_routes(http::Router& router, const Api& api, Services& s) {
  auto find = [&s](const Caller& c,
                   const std::string& id) -> Result<std::optional<store::Company>> {
    auto co = s.tenants.find_company(id);
    if (co && *co && !in_scope(c, {.brand_id = (*co)->brand_id, .company_id = (*co)->id}))
      return std::optional<store::Company>{};
    return co;
  };
  add_resource(
      router, api,
      {
          .path = "/api/v1/companies",
          .list =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::company_admin))
                  return forbidden("companies are managed by admins");
                auto page = read_page(req);
                if (!page) return error_response(page.error());
                auto r = s.tenants.list_companies(scope_filter(c), *page);
                return reply(r, 200, [](const auto& sl) { return page_json(sl, company_json); });
              },
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::brand_admin))
                  return forbidden("companies are created by brand admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only({"brand_id", "name", "timezone", "language"});
                store::Company co;
                co.brand_id = brand_for_create(c, in);
                TextRule name = kName;
                name.required = true;
                if (auto v = in.text("name", name)) co.name = *v;
                if (auto v = in.text("timezone", kTimezone)) co.timezone = *v;
                if (auto v = in.text("language", kLanguage)) co.language = *v;
                if (auto e = in.error()) return error_response(*e);
                return reply(s.tenants.create_company(co), 201, company_json);
              },
          .get = get_in_scope(find, "company", company_json),
          .patch =
              [&s, find](const Caller& c, const Request& req, const http::Params& p) {
                auto co = find(c, p.at("id"));
                if (!co) return error_response(co.error());
                if (!*co) return not_found("company");
                if (!at_least(c, Role::brand_admin))
                  return forbidden("companies are changed by brand admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only({"brand_id", "name", "timezone", "language"});
                if (auto b = in.id("brand_id"); b && *b != (*co)->brand_id)
                  in.reject("brand_id", "brand_id: cannot be changed");
                store::CompanyPatch patch{in.text("name", kName), in.text("timezone", kTimezone),
                                          in.text("language", kLanguage)};
                if (auto e = in.error()) return error_response(*e);
                return reply(s.tenants.update_company((*co)->id, patch), 200, company_json);
              },
          .remove =
              [&s, find](const Caller& c, const Request&, const http::Params& p) {
                auto co = find(c, p.at("id"));
                if (!co) return error_response(co.error());
                if (!*co) return not_found("company");
                if (!at_least(c, Role::brand_admin))
                  return forbidden("companies are deleted by brand admins");
                if (auto r = s.tenants.delete_company((*co)->id); !r)
                  return error_response(r.error());
                return Response::no_content();
              },
      });
}

}  // namespace faxd::api
