// /api/v1/ddis: a brand admin creates its brand's numbers and gives them to companies
// (company_id); a company admin routes its company's numbers to its virtual faxes
// (virtual_fax_id) and may change nothing else.
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

json ddi_json(const store::Ddi& d) {
  return {{"id", d.id},
          {"brand_id", d.brand_id},
          {"company_id", nullable(d.company_id)},
          {"number", d.number},
          {"virtual_fax_id", nullable(d.virtual_fax_id)},
          {"created_at", d.created_at},
          {"updated_at", d.updated_at}};
}

constexpr TextRule kNumber{.non_empty = true,
                           .max_length = 16,
                           .valid = is_e164,
                           .problem = "not an E.164 number (+ and up to 15 digits)"};
const std::initializer_list<std::string_view> kFields = {"brand_id", "company_id", "number",
                                                         "virtual_fax_id"};

}  // namespace

void add_ddi_routes(http::Router& router, const Api& api, Services& s) {
  auto find = [&s](const Caller& c, const std::string& id) -> Result<std::optional<store::Ddi>> {
    auto d = s.ddis.find_ddi(id);
    if (d && *d && !in_scope(c, {.brand_id = (*d)->brand_id, .company_id = (*d)->company_id}))
      return std::optional<store::Ddi>{};
    return d;
  };
  add_resource(
      router, api,
      {
          .path = "/api/v1/ddis",
          .list = list_in_scope(
              Role::company_admin, "DDIs are managed by admins",
              [&s](const auto& filter, const auto& page) { return s.ddis.list_ddis(filter, page); },
              ddi_json),
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::brand_admin))
                  return forbidden("DDIs are created by brand admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                store::Ddi d;
                d.brand_id = brand_for_create(c, in);
                TextRule number = kNumber;
                number.required = true;
                if (auto v = in.text("number", number)) d.number = *v;
                if (auto v = in.nullable_id("company_id")) d.company_id = *v;
                if (auto v = in.nullable_id("virtual_fax_id")) d.virtual_fax_id = *v;
                if (auto e = in.error()) return error_response(*e);
                return reply(s.ddis.create_ddi(d), 201, ddi_json);
              },
          .get = get_in_scope(find, "DDI", ddi_json),
          .patch = found_in_scope(find, "DDI",
                                  [&s](const Caller& c, const Request& req, const auto& d) {
                                    auto body = json_body(req);
                                    if (!body) return error_response(body.error());
                                    BodyReader in(*body);
                                    in.only(kFields);
                                    if (auto b = in.id("brand_id"); b && *b != d.brand_id)
                                      in.reject("brand_id", "brand_id: cannot be changed");
                                    if (auto n = in.text("number", kNumber); n && *n != d.number)
                                      in.reject("number",
                                                "number: cannot be changed; create a new DDI");
                                    store::DdiPatch patch{in.nullable_id("company_id"),
                                                          in.nullable_id("virtual_fax_id")};
                                    if (auto e = in.error()) return error_response(*e);
                                    if (patch.company_id && *patch.company_id != d.company_id &&
                                        !at_least(c, Role::brand_admin))
                                      return forbidden("only brand admins give DDIs to companies");
                                    return reply(s.ddis.update_ddi(d.id, patch), 200, ddi_json);
                                  }),
          .remove = found_in_scope(find, "DDI",
                                   [&s](const Caller& c, const Request&, const auto& d) {
                                     if (!at_least(c, Role::brand_admin))
                                       return forbidden("DDIs are deleted by brand admins");
                                     return no_content_or_error(s.ddis.delete_ddi(d.id));
                                   }),
      });
}

}  // namespace faxd::api
