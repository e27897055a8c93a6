// /api/v1/brands: platform admins manage brands; a brand admin reads its own.
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

json brand_json(const store::Brand& b) {
  return {{"id", b.id},
          {"name", b.name},
          {"enabled", b.enabled},
          {"language", b.language},
          {"created_at", b.created_at},
          {"updated_at", b.updated_at}};
}

constexpr TextRule kLanguage{.non_empty = true,
                             .max_length = 5,
                             .valid = is_language,
                             .problem = "a language code such as en, es or pt-BR"};

constexpr TextRule kName{.required = true,
                         .max_length = 100,
                         .valid = is_printable,
                         .problem = "must not contain control characters"};

}  // namespace

void add_brand_routes(http::Router& router, const Api& api, Services& s) {
  // Visible: platform admins see all, brand admins their own brand.
  auto find = [&s](const Caller& c, const std::string& id) -> Result<std::optional<store::Brand>> {
    auto b = s.tenants.find_brand(id);
    if (b && *b && !in_scope(c, {.brand_id = (*b)->id})) return std::optional<store::Brand>{};
    return b;
  };
  add_resource(
      router, api,
      {
          .path = "/api/v1/brands",
          .list = list_in_scope(
              Role::brand_admin, "brands are managed by admins",
              [&s](const auto& filter, const auto& page) {
                return s.tenants.list_brands(filter, page);
              },
              brand_json),
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::platform_admin))
                  return forbidden("only platform admins create brands");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only({"name", "language", "enabled"});
                auto name = in.text("name", kName);
                auto language = in.text("language", kLanguage);
                auto enabled = in.boolean("enabled");
                if (auto e = in.error()) return error_response(*e);
                auto created = s.tenants.create_brand(*name, language.value_or("en"));
                if (created && enabled && !*enabled)
                  return reply(s.tenants.update_brand(created->id, {.enabled = false}), 201,
                               brand_json);
                return reply(created, 201, brand_json);
              },
          .get = get_in_scope(find, "brand", brand_json),
          .patch = found_in_scope(
              find, "brand",
              [&s](const Caller& c, const Request& req, const auto& b) {
                // A brand admin may set its brand's mail language; renaming and switching a
                // brand on or off are the platform admin's.
                if (!at_least(c, Role::brand_admin))
                  return forbidden("only platform admins change brands");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only({"name", "language", "enabled"});
                store::BrandPatch patch{.name = in.text("name", {.non_empty = true,
                                                                 .max_length = 100,
                                                                 .valid = is_printable,
                                                                 .problem = kName.problem}),
                                        .enabled = in.boolean("enabled")};
                auto language = in.text("language", kLanguage);
                if (auto e = in.error()) return error_response(*e);
                if (patch.name && *patch.name == b.name) patch.name.reset();
                if (patch.enabled && *patch.enabled == b.enabled) patch.enabled.reset();
                if ((patch.name || patch.enabled) && !at_least(c, Role::platform_admin))
                  return forbidden("only platform admins rename or switch brands");
                store::Brand out = b;
                if (patch.name || patch.enabled) {
                  auto r = s.tenants.update_brand(b.id, patch);
                  if (!r) return error_response(r.error());
                  out = *r;
                }
                if (language) {
                  auto r = s.tenants.set_brand_language(b.id, *language);
                  if (!r) return error_response(r.error());
                  out = *r;
                }
                return Response::json(200, brand_json(out));
              }),
          .remove = found_in_scope(find, "brand",
                                   [&s](const Caller& c, const Request&, const auto& b) {
                                     if (!at_least(c, Role::platform_admin))
                                       return forbidden("only platform admins delete brands");
                                     return no_content_or_error(s.tenants.delete_brand(b.id));
                                   }),
      });
}

}  // namespace faxd::api
