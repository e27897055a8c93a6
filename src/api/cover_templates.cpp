// /api/v1/companies/{id}/cover-template: the company's cover page template. GET answers it (the
// defaults when none was saved), PUT replaces it: {title, company_name, company_details, footer,
// logo: "data:image/png;base64,..." | null}. Company admins and above, in their scope; a company
// outside it is 404. The logo is checked by drawing a cover with it, so a bad one is refused here
// and not when a fax is sent.
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "body_reader.hpp"
#include "faxd/document/render.hpp"
#include "faxd/store/cover_template_repo.hpp"
#include "resource.hpp"
#include "resources.hpp"
#include "scope.hpp"
#include "validate.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using store::Role;

namespace {

constexpr std::size_t kMaxLogoBytes = 256 * 1024;
constexpr std::string_view kDataUrl = "data:image/png;base64,";

nlohmann::json template_json(const store::CoverTemplate& t) {
  return {
      {"company_id", t.company_id},
      {"title", t.title},
      {"company_name", t.company_name},
      {"company_details", t.company_details},
      {"footer", t.footer},
      {"logo", t.logo_base64 ? nlohmann::json(std::string(kDataUrl) + *t.logo_base64)
                             : nlohmann::json(nullptr)},
      {"created_at", t.created_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.created_at)},
      {"updated_at",
       t.updated_at.empty() ? nlohmann::json(nullptr) : nlohmann::json(t.updated_at)}};
}

bool is_multiline_text(std::string_view s) noexcept {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < ' ' && c != '\n' && c != '\r' && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

constexpr TextRule kLine{.max_length = 100, .valid = is_printable, .problem = "one line of text"};
constexpr TextRule kLines{
    .max_length = 500, .valid = is_multiline_text, .problem = "text without control characters"};

}  // namespace

void add_cover_template_routes(http::Router& router, const Api& api, Services& s) {
  // The company if the caller administers it (company admin and above).
  auto company = [&s](const Caller& c, const std::string& id,
                      Response& error) -> std::optional<store::Company> {
    if (!at_least(c, Role::company_admin)) {
      error = forbidden("cover pages are set by admins");
      return std::nullopt;
    }
    auto co = s.tenants.find_company(id);
    if (!co) {
      error = error_response(co.error());
      return std::nullopt;
    }
    if (!*co || !in_scope(c, {.brand_id = (*co)->brand_id, .company_id = (*co)->id})) {
      error = not_found("company");
      return std::nullopt;
    }
    return **co;
  };
  const std::string path = "/api/v1/companies/{id}/cover-template";
  router.add("GET", path,
             api.authed([&s, company](const Caller& c, const Request&, const http::Params& p) {
               Response err;
               auto co = company(c, p.at("id"), err);
               if (!co) return err;
               auto t = store::CoverTemplateRepo(s.ctx.db, s.ctx.clock).find(co->id);
               if (!t) return error_response(t.error());
               return Response::json(
                   200, template_json(t->value_or(store::CoverTemplate{.company_id = co->id})));
             }));
  router.add(
      "PUT", path,
      api.authed([&s, company](const Caller& c, const Request& req, const http::Params& p) {
        Response err;
        auto co = company(c, p.at("id"), err);
        if (!co) return err;
        auto body = json_body(req);
        if (!body) return error_response(body.error());
        BodyReader in(*body);
        in.only({"company_id", "title", "company_name", "company_details", "footer", "logo"});
        store::CoverTemplate t{.company_id = co->id};
        t.title = in.text("title", kLine).value_or("");
        t.company_name = in.text("company_name", kLine).value_or("");
        t.company_details = in.text("company_details", kLines).value_or("");
        t.footer = in.text("footer", kLines).value_or("");
        if (body->contains("logo") && !(*body)["logo"].is_null()) {
          const auto& logo = (*body)["logo"];
          const std::string url = logo.is_string() ? logo.get<std::string>() : "";
          if (!url.starts_with(kDataUrl) ||
              url.size() > kDataUrl.size() + kMaxLogoBytes * 4 / 3 + 4)
            in.reject("logo", "a PNG as a data: URL (data:image/png;base64,...) up to 256 KB");
          else
            t.logo_base64 = url.substr(kDataUrl.size());
        }
        if (auto e = in.error()) return error_response(*e);
        if (t.logo_base64) {
          std::string png(t.logo_base64->size(), '\0');
          std::size_t len = 0;
          const bool decoded =
              sodium_base642bin(reinterpret_cast<unsigned char*>(png.data()), png.size(),
                                t.logo_base64->data(), t.logo_base64->size(), " \r\n", &len,
                                nullptr, sodium_base64_VARIANT_ORIGINAL) == 0;
          png.resize(len);
          if (!decoded ||
              !document::render_cover_page({.logo_png = png}, document::Quality::standard))
            return Response::error(422, "invalid_field", "logo: not a PNG image", "logo");
        }
        auto saved = store::CoverTemplateRepo(s.ctx.db, s.ctx.clock).put(t);
        if (!saved) return error_response(saved.error());
        return Response::json(200, template_json(*saved));
      }),
      {.max_body_bytes = 512 * 1024});
}

}  // namespace faxd::api
