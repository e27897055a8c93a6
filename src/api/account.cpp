// /api/v1/me/...: what every user may do with their own account, whatever their role: change
// their password (the current one required; their other sessions end) and see and end their
// login sessions. The web UI's "My account" page is built on these.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "body_reader.hpp"
#include "faxd/api/api.hpp"
#include "faxd/api/json.hpp"
#include "faxd/common/password_policy.hpp"
#include "faxd/common/secrets.hpp"
#include "resource.hpp"
#include "services.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

json session_json(const store::SessionInfo& s, const Caller& c) {
  return {{"id", s.id},
          {"address", nullable(s.address)},
          {"user_agent", nullable(s.user_agent)},
          {"created_at", s.created_at},
          {"last_used_at", nullable(s.last_used_at)},
          {"expires_at", s.expires_at},
          {"current", c.token_kind == "session" && c.token_id == s.id}};
}

constexpr TextRule kSecret{.required = true, .max_length = 1024};

}  // namespace

void Api::add_account_routes(http::Router& r) {
  Services& s = *services_;
  // The current password is checked under the login throttle, so a stolen session cannot be
  // used to guess it any faster than a login could.
  r.add("POST", "/api/v1/me/password",
        authed([&s](const Caller& c, const Request& req, const http::Params&) {
          auto body = json_body(req);
          if (!body) return error_response(body.error());
          BodyReader in(*body);
          in.only({"current_password", "new_password"});
          auto current = in.text("current_password", kSecret);
          auto next = in.text("new_password", kSecret);
          if (auto e = in.error()) return error_response(*e);
          const auto& addr = req.remote_address;
          auto wait = s.throttle.retry_after(c.user.username, addr);
          if (!wait) return error_response(wait.error());
          if (wait->count() > 0)
            return Response::error(429, "too_many_attempts",
                                   "too many wrong passwords; try again later")
                .set("Retry-After", std::to_string(wait->count()));
          if (!verify_password(c.user.password_hash, *current)) {
            if (auto f = s.throttle.record_failure(c.user.username, addr); !f)
              return error_response(f.error());
            spdlog::info("api.password_change_refused user={} addr={}", c.user.username, addr);
            return Response::error(422, "invalid_field", "current_password: wrong password",
                                   "current_password");
          }
          (void)s.throttle.record_success(c.user.username, addr);
          if (auto problem = password_problem(*next, c.user.username))
            return Response::error(422, "invalid_field", "new_" + *problem, "new_password");
          const auto hash = hash_password(*next);
          if (hash.empty()) return error_response({Errc::internal, "hashing failed"});
          // The session that asked stays; every other session of the user ends. API tokens
          // stay: they were made on purpose and are listed under /tokens.
          const std::string keep = c.token_kind == "session" ? c.token_id : std::string{};
          auto ended = s.ctx.users.set_password(c.user.id, hash, keep, false);
          if (!ended) return error_response(ended.error());
          spdlog::info("api.password_changed user={} addr={} sessions_ended={}", c.user.username,
                       addr, *ended);
          return Response::no_content();
        }),
        {.max_body_bytes = 16 * 1024});
  r.add("GET", "/api/v1/me/sessions",
        authed([&s](const Caller& c, const Request&, const http::Params&) {
          auto list = s.ctx.users.list_sessions(c.user.id);
          if (!list) return error_response(list.error());
          auto data = json::array();
          for (const auto& x : *list) data.push_back(session_json(x, c));
          return Response::json(200, {{"data", std::move(data)}, {"next_cursor", nullptr}});
        }));
  r.add("DELETE", "/api/v1/me/sessions/{id}",
        authed([&s](const Caller& c, const Request&, const http::Params& p) {
          if (auto d = s.ctx.users.delete_session(c.user.id, p.at("id")); !d) {
            if (d.error().code == Errc::not_found)
              return Response::error(404, "not_found", "no such session");
            return error_response(d.error());
          }
          return Response::no_content();
        }));
  // Every session but the one asking ("log out everywhere else").
  r.add("DELETE", "/api/v1/me/sessions",
        authed([&s](const Caller& c, const Request&, const http::Params&) {
          auto list = s.ctx.users.list_sessions(c.user.id);
          if (!list) return error_response(list.error());
          for (const auto& x : *list)
            if (!(c.token_kind == "session" && x.id == c.token_id))
              (void)s.ctx.users.delete_session(c.user.id, x.id);
          return Response::no_content();
        }));
}

}  // namespace faxd::api
