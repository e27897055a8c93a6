// How a brand looks (store::BrandLookRepo): GET/PUT /api/v1/brands/{id}/look for the platform
// admin and the brand's own admins, and the public GET /api/v1/branding, which the login page
// asks before anyone is logged in: the look of the brand that claims the request's host name.
#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "body_reader.hpp"
#include "faxd/common/id.hpp"
#include "faxd/store/brand_look_repo.hpp"
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

constexpr std::size_t kMaxLogo = 200 * 1024;  // characters of the data: URL
constexpr std::size_t kMaxHosts = 10;

json look_json(const store::BrandLook& l) {
  return {{"brand_id", l.brand_id},         {"product_name", l.product_name}, {"logo", l.logo},
          {"accent_color", l.accent_color}, {"header_color", l.header_color}, {"hosts", l.hosts},
          {"updated_at", l.updated_at}};
}

bool is_hex_color(std::string_view s) noexcept {
  return s.size() == 7 && s[0] == '#' &&
         std::all_of(s.begin() + 1, s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

// WCAG contrast of white text on this colour ("#rrggbb").
double contrast_with_white(std::string_view hex) {
  auto channel = [&](int at) {
    const double v = std::stoi(std::string(hex.substr(at, 2)), nullptr, 16) / 255.0;
    return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
  };
  const double l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return 1.05 / (l + 0.05);
}

bool is_logo(std::string_view s) noexcept {
  for (std::string_view prefix : {"data:image/png;base64,", "data:image/jpeg;base64,",
                                  "data:image/svg+xml;base64,", "data:image/webp;base64,"})
    if (s.starts_with(prefix))
      return std::all_of(s.begin() + prefix.size(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '/' || c == '=';
      });
  return false;
}

bool is_host_name(std::string_view s) noexcept {
  return !s.empty() && s.size() <= 253 && s.front() != '.' && s.front() != '-' &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) {
           return std::islower(c) || std::isdigit(c) || c == '.' || c == '-';
         });
}

// The request's host name, lower case, without the port.
std::string request_host(const Request& req) {
  std::string host(req.header("Host"));
  if (host.starts_with('[')) return {};  // an IPv6 literal claims no brand
  if (auto colon = host.find(':'); colon != std::string::npos) host.resize(colon);
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return is_host_name(host) ? host : std::string{};
}

Result<store::BrandLook> read_look(const json& body, std::string brand_id) {
  BodyReader in(body);
  in.only({"brand_id", "product_name", "logo", "accent_color", "header_color", "hosts"});
  store::BrandLook l;
  l.brand_id = std::move(brand_id);
  l.product_name = in.text("product_name", {.max_length = 60,
                                            .valid = is_printable,
                                            .problem = "must not contain control characters"})
                       .value_or("");
  l.logo = in.text("logo", {.max_length = kMaxLogo,
                            .valid = is_logo,
                            .problem = "a PNG, JPEG, WebP or SVG image as a base64 data: URL"})
               .value_or("");
  for (auto [name, slot] :
       {std::pair{"accent_color", &l.accent_color}, std::pair{"header_color", &l.header_color}}) {
    *slot =
        in.text(name, {.max_length = 7, .valid = is_hex_color, .problem = "#rrggbb"}).value_or("");
    if (!slot->empty() && !in.error() && contrast_with_white(*slot) < 4.5)
      in.reject(name, fmt::format("{}: too light for white text (contrast {:.1f}:1, needs 4.5:1)",
                                  name, contrast_with_white(*slot)));
  }
  if (auto it = body.find("hosts"); it != body.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > kMaxHosts) {
      in.reject("hosts", fmt::format("hosts: at most {} host names", kMaxHosts));
    } else {
      for (const auto& h : *it) {
        std::string host = h.is_string() ? h.get<std::string>() : std::string{};
        std::transform(host.begin(), host.end(), host.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (!is_host_name(host)) {
          in.reject("hosts", "hosts: host names such as fax.example.com, without a port");
          break;
        }
        if (std::find(l.hosts.begin(), l.hosts.end(), host) == l.hosts.end())
          l.hosts.push_back(host);
      }
    }
  }
  if (auto e = in.error()) return std::unexpected(*e);
  return l;
}

}  // namespace

void add_brand_look_routes(http::Router& router, const Api& api, Services& s) {
  router.add("GET", "/api/v1/branding", [&s](const Request& req, const http::Params&) {
    auto look = s.looks.find_by_host(request_host(req));
    if (!look) return error_response(look.error());
    const auto l = look->value_or(store::BrandLook{});
    auto res = Response::json(200, {{"product_name", l.product_name},
                                    {"logo", l.logo},
                                    {"accent_color", l.accent_color},
                                    {"header_color", l.header_color}});
    res.set("Cache-Control", "no-cache");
    return res;
  });

  auto brand_in_scope = [&s](const Caller& c,
                             const std::string& id) -> Result<std::optional<store::Brand>> {
    if (!is_valid_id(id) || !at_least(c, Role::brand_admin)) return std::optional<store::Brand>{};
    auto b = s.tenants.find_brand(id);
    if (b && *b && !in_scope(c, {.brand_id = (*b)->id})) return std::optional<store::Brand>{};
    return b;
  };
  router.add("GET", "/api/v1/brands/{id}/look",
             api.authed(found_in_scope(brand_in_scope, "brand",
                                       [&s](const Caller&, const Request&, const auto& b) {
                                         auto l = s.looks.find(b.id);
                                         if (!l) return error_response(l.error());
                                         auto look = l->value_or(store::BrandLook{});
                                         look.brand_id = b.id;
                                         return Response::json(200, look_json(look));
                                       })));
  router.add("PUT", "/api/v1/brands/{id}/look",
             api.authed(found_in_scope(brand_in_scope, "brand",
                                       [&s](const Caller&, const Request& req, const auto& b) {
                                         auto body = json_body(req);
                                         if (!body) return error_response(body.error());
                                         auto look = read_look(*body, b.id);
                                         if (!look) return error_response(look.error());
                                         return reply(s.looks.put(*look), 200, look_json);
                                       })),
             {.max_body_bytes = kMaxLogo + 16 * 1024});
}

}  // namespace faxd::api
