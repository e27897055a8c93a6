#pragma once
// The REST API (/api/v1) and the plain endpoints beside it (/healthz). Handlers are pure
// functions of the request and the store: they run on the worker pool (see http::Server).
//
// Authentication: `Authorization: Bearer TOKEN` (login session or API token) or the web
// session cookie `faxd_session`. Cookie-authenticated requests that change state must carry
// `X-CSRF-Token` equal to the `faxd_csrf` cookie (double-submit), so other sites cannot forge
// them.
#include <functional>
#include <memory>
#include <optional>

#include "faxd/common/clock.hpp"
#include "faxd/common/secret_box.hpp"
#include "faxd/config/config.hpp"
#include "faxd/http/router.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/login_throttle.hpp"
#include "faxd/store/user_repo.hpp"

#include <nlohmann/json.hpp>

namespace faxd::api {

struct Caller {
  store::User user;
  bool via_cookie = false;
  std::string token_id;    // the session or API token that authenticated this request
  std::string token_kind;  // "session" | "api"
};

// What handlers need; owned by the App and outliving the Api.
struct Context {
  store::Db& db;
  const Clock& clock;
  const config::Config& config;
  store::UserRepo& users;
  // True while the store and the SIP stack are up (for /healthz).
  std::function<bool()> healthy = [] { return true; };
  // Failed logins per username and per address before POST /login answers 429.
  store::ThrottlePolicy login_throttle{};
  // Called after a carrier is created, changed or deleted (any thread): the SIP allow-list of
  // inbound source addresses follows at once.
  std::function<void()> carriers_changed;
  // Runs blocking work off the connection's thread (the App's worker pool): the producers of
  // streamed bodies (GET /calls?format=csv). Empty: run at once on the calling thread (tests).
  std::function<void(std::function<void()>)> run_blocking;
  // Seals carrier passwords at rest (null: stored as given; unit tests).
  const SecretBox* secrets = nullptr;
};

struct Services;  // the repositories the resource handlers share (src/api/services.hpp)

using AuthedHandler =
    std::function<http::Response(const Caller&, const http::Request&, const http::Params&)>;

// Resources (one file each in src/api/): /brands, /companies, /users, /carriers, /routes,
// /ddis, /virtual-faxes, /tokens, /calls, /call-csv-schedules, /audit-events, plus /login,
// /logout, /me. Scope rules: src/api/scope.hpp.
class Api {
 public:
  explicit Api(Context ctx);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;
  void add_routes(http::Router& router);

  // Wraps a handler: 401 without valid credentials, 403 on a cookie request without CSRF token.
  // Every request that changes state (POST, PUT, PATCH, DELETE) and succeeds leaves an audit
  // event (src/api/audit.hpp); `audited = false` only for requests that change nothing (a
  // preview).
  http::Handler authed(AuthedHandler handler, bool audited = true) const;
  std::optional<Caller> authenticate(const http::Request& request) const;
  Context& context() { return ctx_; }

 private:
  http::Response login(const http::Request& request) const;
  // me_json plus `disabled`: why the user's company or brand is switched off, or null.
  nlohmann::json me_with_tenant(const store::User& user) const;
  http::Response logout(const Caller& caller, const http::Request& request) const;
  void add_account_routes(http::Router& router);

  Context ctx_;
  std::unique_ptr<Services> services_;
};

// The OpenAPI 3.1 document served at /api/v1/openapi.json.
std::string_view openapi_document();

}  // namespace faxd::api
