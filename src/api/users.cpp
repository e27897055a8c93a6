// /api/v1/users: brand admins manage the users of their brand and its companies, company admins
// those of their company (and link `user` accounts to its virtual faxes). Nobody creates or
// changes a user into something more powerful than themselves. Everyone may read and rename
// themselves; their own password changes through POST /api/v1/me/password (account.cpp), which
// asks for the current one. An admin setting another user's password (a reset) ends that user's
// sessions and API tokens. Every new password meets the policy of common/password_policy.hpp.
// Passwords are write-only (argon2id hashes).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include "body_reader.hpp"

#include "faxd/common/password_policy.hpp"
#include "faxd/common/secrets.hpp"
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

constexpr TextRule kUsername{.non_empty = true,
                             .max_length = 64,
                             .valid = is_username,
                             .problem = "letters, digits and . _ @ - only"};
constexpr TextRule kPassword{.non_empty = true, .max_length = 200};
bool is_role(std::string_view s) noexcept {
  return store::parse_role(s).has_value();
}
constexpr TextRule kRole{.non_empty = true,
                         .max_length = 20,
                         .valid = is_role,
                         .problem = "must be platform_admin, brand_admin, company_admin or user"};
constexpr TextRule kLanguage{
    .max_length = 35, .valid = is_language, .problem = "a language tag such as es or pt-BR"};
constexpr TextRule kTimezone{
    .max_length = 64, .valid = is_timezone, .problem = "an IANA time zone such as Europe/Madrid"};
const std::initializer_list<std::string_view> kFields = {
    "username",   "password",        "role",     "brand_id",
    "company_id", "virtual_fax_ids", "language", "timezone"};

// A nullable setting: absent = unchanged, null or "" = back to the company's.
store::Nullable<std::string> read_setting(BodyReader& in, std::string_view name,
                                          const TextRule& rule) {
  if (!in.has(name)) return std::nullopt;
  auto v = in.text(name, rule);
  if (in.error()) return std::nullopt;
  if (!v || v->empty()) return std::optional<std::string>{};
  return std::optional<std::string>{*v};
}

Result<json> user_json(Services& s, const store::User& u) {
  auto links = s.ctx.users.virtual_fax_ids(u.id);
  if (!links) return std::unexpected(links.error());
  return json{{"id", u.id},
              {"username", u.username},
              {"role", store::to_string(u.role)},
              {"brand_id", nullable(u.brand_id)},
              {"company_id", nullable(u.company_id)},
              {"virtual_fax_ids", *links},
              {"language", nullable(u.language)},
              {"timezone", nullable(u.timezone)},
              {"created_at", u.created_at},
              {"updated_at", u.updated_at}};
}

Response user_reply(Services& s, const Result<store::User>& u, int status) {
  if (!u) return error_response(u.error());
  auto j = user_json(s, *u);
  if (!j) return error_response(j.error());
  return Response::json(status, *j);
}

bool is_self(const Caller& c, const store::User& u) {
  return c.user.id == u.id;
}

bool visible(const Caller& c, const store::User& u) {
  return is_self(c, u) || in_scope(c, {.brand_id = u.brand_id, .company_id = u.company_id});
}

// The password field, held to the policy for `username` (the new name when it changes too).
std::optional<std::string> read_password(BodyReader& in, bool required, std::string_view username) {
  TextRule rule = kPassword;
  rule.required = required;
  auto p = in.text("password", rule);
  if (p) {
    if (auto problem = password_problem(*p, username)) {
      in.reject("password", *problem);
      return std::nullopt;
    }
  }
  return p;
}

// Reads role, brand_id and company_id of a new user and places it under the caller.
std::optional<store::NewUser> read_new_user(const Caller& c, BodyReader& in, Services& s) {
  store::NewUser n;
  TextRule role = kRole;
  role.required = true;
  auto r = in.text("role", role);
  if (!r) return std::nullopt;
  n.role = *store::parse_role(*r);
  switch (n.role) {
    case Role::platform_admin:
      if (auto b = in.nullable_id("brand_id"); b && *b)
        in.reject("brand_id", "brand_id: a platform admin belongs to no brand");
      if (auto co = in.nullable_id("company_id"); co && *co)
        in.reject("company_id", "company_id: a platform admin belongs to no company");
      break;
    case Role::brand_admin:
      n.brand_id = brand_for_create(c, in);
      if (auto co = in.nullable_id("company_id"); co && *co)
        in.reject("company_id", "company_id: a brand admin belongs to no company");
      break;
    case Role::company_admin:
    case Role::user: {
      auto co = company_for_create(c, in, s);
      if (!co) return std::nullopt;
      n.company_id = co->id;
      n.brand_id = co->brand_id;
      if (auto b = in.nullable_id("brand_id"); b && *b && **b != co->brand_id)
        in.reject("brand_id", "brand_id: not the brand of the company");
      break;
    }
  }
  return n;
}

}  // namespace

void add_user_routes(http::Router& router, const Api& api, Services& s) {
  auto find = [&s](const Caller& c, const std::string& id) -> Result<std::optional<store::User>> {
    auto u = s.ctx.users.find(id);
    if (u && *u && !visible(c, **u)) return std::optional<store::User>{};
    return u;
  };
  add_resource(
      router, api,
      {
          .path = "/api/v1/users",
          .list =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::company_admin))
                  return forbidden("users are managed by admins");
                auto page = read_page(req);
                if (!page) return error_response(page.error());
                auto filter = list_filter(c, req);
                if (!filter) return error_response(filter.error());
                auto r = s.ctx.users.list(*filter, *page);
                if (!r) return error_response(r.error());
                auto data = json::array();
                for (const auto& u : r->items) {
                  auto j = user_json(s, u);
                  if (!j) return error_response(j.error());
                  data.push_back(std::move(*j));
                }
                return Response::json(200,
                                      {{"data", data}, {"next_cursor", nullable(r->next_cursor)}});
              },
          .create =
              [&s](const Caller& c, const Request& req, const http::Params&) {
                if (!at_least(c, Role::company_admin))
                  return forbidden("users are created by admins");
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                TextRule name = kUsername;
                name.required = true;
                auto username = in.text("username", name);
                auto password = read_password(in, true, username.value_or(""));
                auto links = in.id_list("virtual_fax_ids");
                auto language = read_setting(in, "language", kLanguage);
                auto timezone = read_setting(in, "timezone", kTimezone);
                if (auto e = in.error()) return error_response(*e);
                if (auto r = in.text("role", kRole);
                    r && rank(*store::parse_role(*r)) > rank(c.user.role))
                  return forbidden("you cannot create a user with more power than yourself");
                auto n = read_new_user(c, in, s);
                if (n && links && !links->empty() && n->role != Role::user)
                  in.reject("virtual_fax_ids",
                            "virtual_fax_ids: only users of role user are linked");
                if (auto e = in.error()) return error_response(*e);
                n->username = *username;
                n->password_hash = hash_password(*password);
                if (n->password_hash.empty())
                  return error_response({Errc::internal, "hashing failed"});
                auto u = s.ctx.users.create(*n);
                if (u && (language || timezone)) {
                  store::UserPatch settings;
                  settings.language = language;
                  settings.timezone = timezone;
                  u = s.ctx.users.update(u->id, settings);
                }
                if (u && links && !links->empty()) {
                  if (auto l = s.ctx.users.set_virtual_fax_ids(u->id, *links); !l) {
                    (void)s.ctx.users.remove(u->id);
                    return error_response(l.error());
                  }
                }
                return user_reply(s, u, 201);
              },
          .get = found_in_scope(
              find, "user",
              [&s](const Caller&, const Request&, const auto& u) { return user_reply(s, u, 200); }),
          .patch = found_in_scope(
              find, "user",
              [&s](const Caller& c, const Request& req, const auto& u) {
                const auto& target = u;
                auto body = json_body(req);
                if (!body) return error_response(body.error());
                BodyReader in(*body);
                in.only(kFields);
                store::UserPatch patch;
                patch.username = in.text("username", kUsername);
                auto password = read_password(in, false, patch.username.value_or(target.username));
                auto role_text = in.text("role", kRole);
                auto links = in.id_list("virtual_fax_ids");
                patch.language = read_setting(in, "language", kLanguage);
                patch.timezone = read_setting(in, "timezone", kTimezone);
                if (auto b = in.nullable_id("brand_id"); b && *b != target.brand_id)
                  in.reject("brand_id", "brand_id: cannot be changed");
                if (auto co = in.nullable_id("company_id"); co && *co != target.company_id)
                  in.reject("company_id", "company_id: cannot be changed");
                if (auto e = in.error()) return error_response(*e);
                if (role_text) patch.role = store::parse_role(*role_text);
                if (patch.role == target.role) patch.role.reset();
                const bool links_change = links.has_value();
                if (is_self(c, target) && (patch.role || links_change))
                  return forbidden("you cannot change your own role or links");
                if (is_self(c, target) && password)
                  return forbidden(
                      "change your own password with POST /api/v1/me/password, which asks for "
                      "the current one");
                if (!is_self(c, target) && rank(target.role) > rank(c.user.role))
                  return forbidden("you cannot change a user with more power than yourself");
                if (patch.role) {
                  if (rank(*patch.role) > rank(c.user.role))
                    return forbidden("you cannot give a user more power than yourself");
                  const auto company_role = [](Role r) {
                    return r == Role::company_admin || r == Role::user;
                  };
                  if (!company_role(target.role) || !company_role(*patch.role))
                    return error_response(
                        {Errc::invalid_argument,
                         "role: only changes between company_admin and user; create a "
                         "new user instead",
                         "role"});
                }
                if (links_change && !links->empty() &&
                    patch.role.value_or(target.role) != Role::user)
                  return error_response({Errc::invalid_argument,
                                         "virtual_fax_ids: only users of role user are linked",
                                         "virtual_fax_ids"});
                if (links_change) {
                  if (auto l = s.ctx.users.set_virtual_fax_ids(target.id, *links); !l)
                    return error_response(l.error());
                }
                auto updated = s.ctx.users.update(target.id, patch);
                if (updated && password) {
                  // A reset by an admin: whoever held the old password (or a token made with
                  // it) is out.
                  const auto hash = hash_password(*password);
                  if (hash.empty()) return error_response({Errc::internal, "hashing failed"});
                  auto ended = s.ctx.users.set_password(target.id, hash, "", true);
                  if (!ended) return error_response(ended.error());
                  spdlog::info("api.password_reset user={} by={} credentials_ended={}",
                               updated->username, c.user.username, *ended);
                  auto reread = s.ctx.users.find(target.id);
                  if (!reread) return error_response(reread.error());
                  if (!*reread) return not_found("user");
                  updated = std::move(**reread);
                }
                return user_reply(s, updated, 200);
              }),
          .remove = found_in_scope(
              find, "user",
              [&s](const Caller& c, const Request&, const auto& u) {
                if (is_self(c, u)) return forbidden("you cannot delete yourself");
                if (rank(u.role) > rank(c.user.role) || !at_least(c, Role::company_admin))
                  return forbidden("you cannot delete a user with more power than yourself");
                return no_content_or_error(s.ctx.users.remove(u.id));
              }),
      });
}

}  // namespace faxd::api
