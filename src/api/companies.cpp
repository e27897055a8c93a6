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
          {"retention_days", co.retention_days ? json(*co.retention_days) : json(nullptr)},
          {"country", co.country.empty() ? json(nullptr) : json(co.country)},
          {"default_outgoing_ddi_id", nullable(co.default_outgoing_ddi_id)},
          {"enabled", co.enabled},
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

// A retention of more than 100 years is a typo.
constexpr int kMaxRetentionDays = 36500;
const std::initializer_list<std::string_view> kFields = {
    "brand_id", "name",          "timezone", "language", "country", "default_outgoing_ddi_id",
    "enabled",  "retention_days"};

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
          .list = list_in_scope(
              Role::company_admin, "companies are managed by admins",
              [&s](const auto& filter, const auto& page) {
                return s.tenants.list_companies(filter, page);
              },
              company_json),
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::brand_admin))
                  return forbidden("companies are created by brand admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                store::Company co;
                co.brand_id = brand_for_create(c, in);
                TextRule name = kName;
                name.required = true;
                if (auto v = in.text("name", name)) co.name = *v;
                if (auto v = in.text("timezone", kTimezone)) co.timezone = *v;
                if (auto v = in.text("language", kLanguage)) co.language = *v;
                if (auto v = in.nullable_integer("retention_days", 0, kMaxRetentionDays))
                  co.retention_days = *v;
                if (auto v = in.country("country")) co.country = *v;
                if (auto v = in.boolean("enabled")) co.enabled = *v;
                if (auto v = in.nullable_id("default_outgoing_ddi_id"); v && *v)
                  in.reject("default_outgoing_ddi_id",
                            "default_outgoing_ddi_id: a new company has no DDIs yet; give it "
                            "DDIs first, then choose one");
                if (auto e = in.error()) return error_response(*e);
                return reply(s.tenants.create_company(co), 201, company_json);
              },
          .get = get_in_scope(find, "company", company_json),
          .patch = found_in_scope(
              find, "company",
              [&s](const Caller& c, const Request& req, const auto& co) {
                if (!at_least(c, Role::brand_admin))
                  return forbidden("companies are changed by brand admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                if (auto b = in.id("brand_id"); b && *b != co.brand_id)
                  in.reject("brand_id", "brand_id: cannot be changed");
                store::CompanyPatch patch{
                    .name = in.text("name", kName),
                    .timezone = in.text("timezone", kTimezone),
                    .language = in.text("language", kLanguage),
                    .retention_days = in.nullable_integer("retention_days", 0, kMaxRetentionDays),
                    .country = in.country("country"),
                    .default_outgoing_ddi_id = in.nullable_id("default_outgoing_ddi_id"),
                    .enabled = in.boolean("enabled")};
                if (auto e = in.error()) return error_response(*e);
                return reply(s.tenants.update_company(co.id, patch), 200, company_json);
              }),
          .remove = found_in_scope(find, "company",
                                   [&s](const Caller& c, const Request&, const auto& co) {
                                     if (!at_least(c, Role::brand_admin))
                                       return forbidden("companies are deleted by brand admins");
                                     return no_content_or_error(s.tenants.delete_company(co.id));
                                   }),
      });
}

}  // namespace faxd::api
