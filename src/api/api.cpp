#include "faxd/api/api.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "faxd/api/json.hpp"
#include "faxd/common/id.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/common/time.hpp"
#include "resources.hpp"
#include "services.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {
constexpr std::string_view kSessionCookie = "faxd_session";
constexpr std::string_view kCsrfCookie = "faxd_csrf";

bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Login CSRF: another site must not log a victim's browser into the attacker's account. A
// browser tells where a request comes from (Sec-Fetch-Site, Origin); a script sends neither.
// Returns the problem, or "" when the request may be a login.
std::string cross_site_problem(const Request& req) {
  const auto site = req.header("Sec-Fetch-Site");
  if (!site.empty() && site != "same-origin" && site != "none")
    return "logins are only taken from faxd's own pages";
  const auto origin = req.header("Origin");
  if (!origin.empty()) {
    const auto host = req.header("Host");
    const auto scheme_end = origin.find("://");
    if (origin == "null" || scheme_end == std::string_view::npos || host.empty() ||
        !iequals(origin.substr(scheme_end + 3), host))
      return "logins are only taken from faxd's own pages";
  }
  return {};
}

// JSON only: a form or text/plain body is what a cross-site form post would send.
bool is_json(const Request& req) {
  auto type = req.header("Content-Type");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return iequals(type, "application/json");
}
}  // namespace

Api::Api(Context ctx)
    : ctx_(ctx), services_(std::make_unique<Services>(ctx_, ctx_.login_throttle)) {}

Api::~Api() = default;

std::optional<Caller> Api::authenticate(const Request& req) const {
  std::string token;
  bool via_cookie = false;
  if (auto auth = req.header("Authorization"); auth.starts_with("Bearer ")) {
    token = std::string(auth.substr(7));
  } else if (auto c = req.cookie(kSessionCookie); !c.empty()) {
    token = std::move(c);
    via_cookie = true;
  }
  if (token.empty() || token.size() > 200) return std::nullopt;
  store::CredentialRules rules;
  rules.session_idle = std::chrono::minutes(ctx_.config.auth.session_idle_minutes);
  auto cred = ctx_.users.authenticate(token, rules);
  if (!cred || !*cred) return std::nullopt;
  return Caller{std::move((*cred)->user), via_cookie, std::move((*cred)->token_id),
                std::move((*cred)->kind)};
}

http::Handler Api::authed(AuthedHandler handler, bool audited) const {
  return [this, handler = std::move(handler), audited](const Request& req,
                                                       const http::Params& params) {
    auto caller = authenticate(req);
    if (!caller)
      return Response::error(401, "unauthenticated", "log in or send a valid API token")
          .set("WWW-Authenticate", "Bearer");
    if (caller->via_cookie && changes_state(req.method)) {
      const auto expected = req.cookie(kCsrfCookie);
      if (expected.empty() || req.header("X-CSRF-Token") != expected)
        return Response::error(403, "csrf", "missing or wrong X-CSRF-Token header");
    }
    if (audited && changes_state(req.method))
      return services_->auditor.run(*caller, req, params, handler);
    return handler(*caller, req, params);
  };
}

void Api::add_routes(http::Router& r) {
  r.add("GET", "/healthz", [this](const Request&, const http::Params&) {
    auto v = ctx_.db.read([](store::Conn& c) {
      auto& st = c.prepare("SELECT 1");
      return st.step();
    });
    if (!v || !*v || !ctx_.healthy()) return Response::text(503, "unavailable\n");
    return Response::text(200, "ok\n");
  });
  r.add("GET", "/api/v1/openapi.json", [](const Request&, const http::Params&) {
    return Response::text(200, std::string(openapi_document()), "application/json");
  });
  r.add("POST", "/api/v1/login",
        [this](const Request& req, const http::Params&) { return login(req); },
        {.max_body_bytes = 16 * 1024});
  r.add("POST", "/api/v1/logout",
        authed([this](const Caller& c, const Request& req, const http::Params&) {
          return logout(c, req);
        }));
  // The caller, with what the web UI needs to speak its language from the first page: the
  // company's name, language, time zone and country (the send form's default), and why its
  // tenant is switched off (`disabled`) (the user's own settings win where set).
  r.add("GET", "/api/v1/me", authed([this](const Caller& c, const Request&, const http::Params&) {
          auto me = me_with_tenant(c.user);
          me["company"] = nullptr;
          if (c.user.company_id) {
            auto co = services_->tenants.find_company(*c.user.company_id);
            if (!co) return error_response(co.error());
            if (*co)
              me["company"] = {
                  {"id", (*co)->id},
                  {"name", (*co)->name},
                  {"language", (*co)->language},
                  {"timezone", (*co)->timezone},
                  {"country", (*co)->country.empty() ? nlohmann::json(nullptr)
                                                     : nlohmann::json((*co)->country)}};
          }
          return Response::json(200, me);
        }));
  add_brand_routes(r, *this, *services_);
  add_company_routes(r, *this, *services_);
  add_cover_template_routes(r, *this, *services_);
  add_user_routes(r, *this, *services_);
  add_carrier_routes(r, *this, *services_);
  add_route_routes(r, *this, *services_);
  add_ddi_routes(r, *this, *services_);
  add_virtual_fax_routes(r, *this, *services_);
  add_token_routes(r, *this, *services_);
  add_brand_look_routes(r, *this, *services_);
  add_call_routes(r, *this, *services_);
  add_call_csv_schedule_routes(r, *this, *services_);
  add_audit_event_routes(r, *this, *services_);
  add_account_routes(r);
  services_->auditor.set_router(&r);
}

nlohmann::json Api::me_with_tenant(const store::User& u) const {
  auto me = me_json(u);
  // Why a switched-off tenant's users cannot send or receive, shown from the login on.
  // `disabled_by` says which switch is off, for the web UI's own words.
  std::optional<store::TenantState> off;
  if (u.company_id) {
    if (auto t = services_->tenants.tenant_state(*u.company_id); t && !t->enabled()) off = *t;
  } else if (u.brand_id) {
    if (auto b = services_->tenants.find_brand(*u.brand_id); b && *b && !(*b)->enabled)
      off = store::TenantState{.brand_enabled = false, .brand_name = (*b)->name};
  }
  me["disabled"] = off ? nlohmann::json(off->disabled_message()) : nlohmann::json(nullptr);
  me["disabled_by"] = off ? nlohmann::json(off->disabled_by()) : nlohmann::json(nullptr);
  return me;
}

Response Api::login(const Request& req) const {
  if (!is_json(req))
    return Response::error(415, "unsupported_media_type", "send the login as application/json");
  if (auto problem = cross_site_problem(req); !problem.empty())
    return Response::error(403, "cross_site", problem);
  auto body = parse_body(req);
  if (!body) return error_response(body.error());
  auto username = string_field(*body, "username", true);
  if (!username) return error_response(username.error());
  auto password = string_field(*body, "password", true);
  if (!password) return error_response(password.error());
  if (username->size() > 200 || password->size() > 1024)
    return Response::error(401, "invalid_credentials", "wrong username or password");
  const auto& addr = req.remote_address;
  // Throttled per (username, address) and per address, before the password is looked at.
  auto wait = services_->throttle.retry_after(*username, addr);
  if (!wait) return error_response(wait.error());
  if (wait->count() > 0) {
    spdlog::warn("api.login_throttled user={} addr={} wait_s={}", *username, addr, wait->count());
    services_->auditor.login(*username, std::nullopt, req, "throttled");
    return Response::error(429, "too_many_attempts", "too many failed logins; try again later")
        .set("Retry-After", std::to_string(wait->count()));
  }
  auto user = ctx_.users.find_by_username(*username);
  if (!user) return error_response(user.error());
  // Verify against a dummy hash for unknown users too, so timing does not reveal usernames.
  static const std::string dummy = hash_password("not-a-password");
  const bool ok = verify_password(*user ? (*user)->password_hash : dummy, *password) && *user;
  if (!ok) {
    spdlog::info("api.login_failed user={} addr={}", *username, addr);
    services_->auditor.login(*username, *user, req, "wrong username or password");
    if (auto r = services_->throttle.record_failure(*username, addr); !r)
      return error_response(r.error());
    return Response::error(401, "invalid_credentials", "wrong username or password");
  }
  (void)services_->throttle.record_success(*username, addr);
  const auto lifetime = std::chrono::hours(ctx_.config.auth.session_hours);
  const auto expires = ctx_.clock.now() + lifetime;
  auto token = ctx_.users.issue_session((*user)->id, expires, addr, req.header("User-Agent"));
  if (!token) return error_response(token.error());
  spdlog::info("api.login user={} addr={}", *username, addr);
  services_->auditor.login(*username, **user, req, std::nullopt);
  const auto csrf = random_hex(16);
  const std::string secure = req.secure ? "; Secure" : "";
  const auto max_age = std::chrono::seconds(lifetime).count();
  auto res = Response::json(200, {{"token", token->token},
                                  {"expires_at", token->expires_at},
                                  {"user", me_with_tenant(**user)}});
  res.headers.emplace_back("Set-Cookie",
                           fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
                                       kSessionCookie, token->token, max_age, secure));
  res.headers.emplace_back("Set-Cookie", fmt::format("{}={}; Path=/; SameSite=Strict; Max-Age={}{}",
                                                     kCsrfCookie, csrf, max_age, secure));
  return res;
}

Response Api::logout(const Caller&, const Request& req) const {
  std::string token;
  if (auto auth = req.header("Authorization"); auth.starts_with("Bearer "))
    token = std::string(auth.substr(7));
  else
    token = req.cookie(kSessionCookie);
  if (auto r = ctx_.users.revoke_token(token); !r) return error_response(r.error());
  auto res = Response::no_content();
  res.headers.emplace_back(
      "Set-Cookie",
      fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", kSessionCookie));
  res.headers.emplace_back("Set-Cookie",
                           fmt::format("{}=; Path=/; SameSite=Strict; Max-Age=0", kCsrfCookie));
  return res;
}

}  // namespace faxd::api
