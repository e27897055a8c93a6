// /api/v1/tokens: the caller's own API tokens. The token itself is shown once, in the reply to
// POST; only its SHA-256 is stored, so lists show name and last use only. Every role may hold
// tokens; they act with the rights of their owner.
#include <fmt/format.h>

#include "body_reader.hpp"
#include "faxd/common/time.hpp"
#include "resource.hpp"
#include "resources.hpp"
#include "scope.hpp"
#include "validate.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json token_json(const store::TokenInfo& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"last_used_at", nullable(t.last_used_at)},
          {"expires_at", nullable(t.expires_at)},
          {"created_at", t.created_at},
          {"updated_at", t.updated_at}};
}

constexpr TextRule kName{.required = true,
                         .max_length = 100,
                         .valid = is_printable,
                         .problem = "must not contain control characters"};

constexpr TextRule kExpires{.max_length = 40};

// When a new token expires: the body's expires_at (RFC 3339, in the future), limited by
// [auth] api_token_max_days, which is also the default when set.
Result<std::optional<SysTime>> token_expiry(Services& s, const std::optional<std::string>& text) {
  const auto now = s.ctx.clock.now();
  const int max_days = s.ctx.config.auth.api_token_max_days;
  const auto limit = now + std::chrono::days(max_days);
  if (!text) {
    if (max_days > 0) return std::optional<SysTime>{limit};
    return std::optional<SysTime>{};
  }
  auto at = parse_rfc3339(*text);
  if (!at) return fail(Errc::invalid_argument, "expires_at: not an RFC 3339 time", "expires_at");
  if (*at <= now) return fail(Errc::invalid_argument, "expires_at: in the past", "expires_at");
  if (max_days > 0 && *at > limit)
    return fail(Errc::invalid_argument,
                fmt::format("expires_at: at most {} days from now", max_days), "expires_at");
  return std::optional<SysTime>{*at};
}

}  // namespace

void add_token_routes(http::Router& router, const Api& api, Services& s) {
  add_resource(
      router, api,
      {
          .path = "/api/v1/tokens",
          .list =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                auto page = read_page(req);
                if (!page) return error_response(page.error());
                auto r = s.ctx.users.list_api_tokens(c.user.id, *page);
                return reply(r, 200, [](const auto& sl) { return page_json(sl, token_json); });
              },
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only({"name", "expires_at"});
                auto name = in.text("name", kName);
                auto expires_text = in.text("expires_at", kExpires);
                if (auto e = in.error()) return error_response(*e);
                auto expires = token_expiry(s, expires_text);
                if (!expires) return error_response(expires.error());
                auto t = s.ctx.users.issue_token(c.user.id, "api", *name, *expires);
                if (!t) return error_response(t.error());
                const auto now = format_rfc3339(s.ctx.clock.now());
                return Response::json(
                    201, {{"id", t->id},
                          {"name", *name},
                          {"token", t->token},
                          {"last_used_at", nullptr},
                          {"expires_at", *expires ? json(format_rfc3339(**expires)) : json()},
                          {"created_at", now},
                          {"updated_at", now}});
              },
          .remove =
              [&s](const Caller& c, const Request&, const http::Params& p) {
                if (auto r = s.ctx.users.delete_api_token(c.user.id, p.at("id")); !r) {
                  if (r.error().code == Errc::not_found) return not_found("token");
                  return error_response(r.error());
                }
                return Response::no_content();
              },
      });
}

}  // namespace faxd::api
