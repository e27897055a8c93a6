#include "faxd/store/user_repo.hpp"

#include <fmt/format.h>

#include "faxd/common/id.hpp"
#include "faxd/common/secrets.hpp"
#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

std::string_view to_string(Role r) noexcept {
  switch (r) {
    case Role::platform_admin:
      return "platform_admin";
    case Role::brand_admin:
      return "brand_admin";
    case Role::company_admin:
      return "company_admin";
    case Role::user:
      return "user";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view s) noexcept {
  if (s == "platform_admin") return Role::platform_admin;
  if (s == "brand_admin") return Role::brand_admin;
  if (s == "company_admin") return Role::company_admin;
  if (s == "user") return Role::user;
  return std::nullopt;
}

User read_user(const Stmt& st) {
  User u;
  u.id = st.text(0);
  u.username = st.text(1);
  u.password_hash = st.text(2);
  u.role = parse_role(st.text(3)).value_or(Role::user);
  u.brand_id = st.opt_text(4);
  u.company_id = st.opt_text(5);
  u.created_at = st.text(6);
  u.updated_at = st.text(7);
  u.language = st.opt_text(8);
  u.timezone = st.opt_text(9);
  return u;
}

Result<int> UserRepo::count_with_role(Role role) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare("SELECT count(*) FROM users WHERE role = ?");
    st.bind_all(to_string(role));
    st.step();
    return st.int32(0);
  });
}

Result<User> UserRepo::create(const NewUser& n) {
  const auto now = clock_.now();
  User u{new_id(now),  n.username,          n.password_hash,     n.role, n.brand_id,
         n.company_id, format_rfc3339(now), format_rfc3339(now), {},     {}};
  auto r = db_.write([&](Conn& c) {
    c.exec(
        "INSERT INTO users (id, username, password_hash, role, brand_id, company_id, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
        u.id, u.username, u.password_hash, to_string(u.role), u.brand_id, u.company_id,
        u.created_at, u.updated_at);
  });
  if (!r) {
    if (r.error().code == Errc::conflict)
      return fail(Errc::conflict, "username is taken", "username");
    return std::unexpected(r.error());
  }
  return u;
}

Result<std::optional<User>> UserRepo::find_by_username(std::string_view username) {
  return db_.read([&](Conn& c) -> std::optional<User> {
    auto& st = c.prepare(fmt::format("SELECT {} FROM users WHERE username = ?", kUserColumns));
    st.bind_all(username);
    if (!st.step()) return std::nullopt;
    return read_user(st);
  });
}

Result<std::optional<User>> UserRepo::find(std::string_view id) {
  return db_.read([&](Conn& c) -> std::optional<User> {
    auto& st = c.prepare(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns));
    st.bind_all(id);
    if (!st.step()) return std::nullopt;
    return read_user(st);
  });
}

Result<IssuedToken> UserRepo::issue_token(std::string_view user_id, std::string_view kind,
                                          std::string_view name,
                                          std::optional<SysTime> expires_at) {
  const auto now = format_rfc3339(clock_.now());
  IssuedToken t{new_id(clock_.now()), new_token(),
                expires_at ? format_rfc3339(*expires_at) : std::string{}};
  auto r = db_.write([&](Conn& c) {
    c.exec(
        "INSERT INTO auth_tokens (id, user_id, kind, name, token_hash, expires_at, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
        t.id, user_id, kind, name, sha256_hex(t.token),
        t.expires_at.empty() ? std::optional<std::string>{} : t.expires_at, now, now);
  });
  if (!r) return std::unexpected(r.error());
  return t;
}

Result<IssuedToken> UserRepo::issue_session(std::string_view user_id, SysTime expires_at,
                                            std::string_view address, std::string_view user_agent) {
  const auto now = format_rfc3339(clock_.now());
  IssuedToken t{new_id(clock_.now()), new_token(), format_rfc3339(expires_at)};
  // A browser's User-Agent is only shown back to its owner; a bound keeps rows small.
  const std::string agent(user_agent.substr(0, 300));
  auto r = db_.write([&](Conn& c) {
    c.exec(
        "INSERT INTO auth_tokens (id, user_id, kind, name, token_hash, expires_at, "
        "created_at, updated_at, address, user_agent) VALUES (?,?,'session','login',?,?,?,?,?,?)",
        t.id, user_id, sha256_hex(t.token), t.expires_at, now, now, address, agent);
  });
  if (!r) return std::unexpected(r.error());
  return t;
}

Result<std::optional<Credential>> UserRepo::authenticate(std::string_view raw_token,
                                                         const CredentialRules& rules) {
  const auto now_time = clock_.now();
  const auto now = format_rfc3339(now_time);
  const auto digest = sha256_hex(raw_token);
  struct Found {
    Credential cred;
    std::string last_used_at;
    std::string created_at;
  };
  auto found = db_.read([&](Conn& c) -> std::optional<Found> {
    auto& st = c.prepare(
        "SELECT u.id, u.username, u.password_hash, u.role, u.brand_id, u.company_id, "
        "u.created_at, u.updated_at, u.language, u.timezone, t.id, t.last_used_at, t.kind, "
        "t.created_at FROM auth_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ? AND (t.expires_at IS NULL OR t.expires_at > ?)");
    st.bind_all(digest, now);
    if (!st.step()) return std::nullopt;
    return Found{{read_user(st), st.text(10), st.text(12)}, st.text(11), st.text(13)};
  });
  if (!found) return std::unexpected(found.error());
  if (!*found) return std::optional<Credential>{};
  auto& f = **found;
  if (rules.session_idle.count() > 0 && f.cred.kind == "session") {
    auto last = parse_rfc3339(f.last_used_at.empty() ? f.created_at : f.last_used_at);
    if (last && *last + rules.session_idle <= now_time) return std::optional<Credential>{};
  }
  // Refresh last_used_at at most once a minute, so reads stay reads.
  if (f.last_used_at.empty() || f.last_used_at.substr(0, 16) != now.substr(0, 16)) {
    (void)db_.write([&](Conn& c) {
      c.exec("UPDATE auth_tokens SET last_used_at = ? WHERE id = ?", now, f.cred.token_id);
    });
  }
  return std::optional<Credential>{std::move(f.cred)};
}

Result<std::optional<User>> UserRepo::authenticate_token(std::string_view raw_token) {
  auto c = authenticate(raw_token);
  if (!c) return std::unexpected(c.error());
  if (!*c) return std::optional<User>{};
  return std::optional<User>{std::move((*c)->user)};
}

Result<void> UserRepo::revoke_token(std::string_view raw_token) {
  return db_.write([&](Conn& c) {
    c.exec("DELETE FROM auth_tokens WHERE token_hash = ?", sha256_hex(raw_token));
  });
}

Result<Slice<User>> UserRepo::list(const TenantFilter& f, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("brand_id = ?", *f.brand_id);
    if (f.company_id) w.add("company_id = ?", *f.company_id);
    return detail::page_query<User>(c, fmt::format("SELECT {} FROM users", kUserColumns), w, "id",
                                    page, read_user);
  });
}

Result<User> UserRepo::update(std::string_view id, const UserPatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<User> {
    auto& st = c.prepare(fmt::format("SELECT {} FROM users WHERE id = ?", kUserColumns));
    st.bind_all(id);
    if (!st.step()) return fail(Errc::not_found, "no such user");
    User u = read_user(st);
    if (p.username) {
      if (detail::exists(c, "SELECT 1 FROM users WHERE username = ? AND id <> ?", *p.username, id))
        detail::reject(Errc::conflict, "username", "username: is taken");
      u.username = *p.username;
    }
    if (p.password_hash) u.password_hash = *p.password_hash;
    if (p.role) {
      u.role = *p.role;
      if (u.role != Role::user) c.exec("DELETE FROM user_virtual_faxes WHERE user_id = ?", id);
    }
    if (p.language) u.language = *p.language;
    if (p.timezone) u.timezone = *p.timezone;
    u.updated_at = now;
    c.exec(
        "UPDATE users SET username = ?, password_hash = ?, role = ?, language = ?, timezone = ?, "
        "updated_at = ? WHERE id = ?",
        u.username, u.password_hash, to_string(u.role), u.language, u.timezone, now, u.id);
    return u;
  });
}

Result<void> UserRepo::remove(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (c.exec("DELETE FROM users WHERE id = ?", id) == 0)
      return fail(Errc::not_found, "no such user");
    return {};
  });
}

Result<std::vector<std::string>> UserRepo::virtual_fax_ids(std::string_view user_id) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(
        "SELECT virtual_fax_id FROM user_virtual_faxes WHERE user_id = ? ORDER BY virtual_fax_id");
    st.bind_all(user_id);
    std::vector<std::string> out;
    while (st.step()) out.push_back(st.text(0));
    return out;
  });
}

Result<void> UserRepo::set_virtual_fax_ids(std::string_view user_id,
                                           const std::vector<std::string>& ids) {
  return db_.write([&](Conn& c) -> Result<void> {
    auto& st = c.prepare("SELECT company_id FROM users WHERE id = ?");
    st.bind_all(user_id);
    if (!st.step()) return fail(Errc::not_found, "no such user");
    const auto company = st.opt_text(0);
    c.exec("DELETE FROM user_virtual_faxes WHERE user_id = ?", user_id);
    for (const auto& v : ids) {
      // A virtual fax of another company reads exactly like a missing one.
      if (!company ||
          !detail::exists(c, "SELECT 1 FROM virtual_faxes WHERE id = ? AND company_id = ?", v,
                          *company))
        detail::reject(Errc::invalid_argument, "virtual_fax_ids",
                       fmt::format("virtual_fax_ids: no such virtual fax in the company: {}", v));
      c.exec(
          "INSERT INTO user_virtual_faxes (user_id, virtual_fax_id) VALUES (?, ?) "
          "ON CONFLICT (user_id, virtual_fax_id) DO NOTHING",
          user_id, v);
    }
    return {};
  });
}

Result<Slice<TokenInfo>> UserRepo::list_api_tokens(std::string_view user_id, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    w.add("user_id = ?", std::string(user_id));
    w.add("kind = ?", "api");
    return detail::page_query<TokenInfo>(
        c, "SELECT id, name, last_used_at, expires_at, created_at, updated_at FROM auth_tokens", w,
        "id", page, [](const Stmt& st) {
          return TokenInfo{st.text(0),     st.text(1), st.opt_text(2),
                           st.opt_text(3), st.text(4), st.text(5)};
        });
  });
}

Result<void> UserRepo::delete_api_token(std::string_view user_id, std::string_view token_id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (c.exec("DELETE FROM auth_tokens WHERE id = ? AND user_id = ? AND kind = 'api'", token_id,
               user_id) == 0)
      return fail(Errc::not_found, "no such token");
    return {};
  });
}

Result<std::vector<SessionInfo>> UserRepo::list_sessions(std::string_view user_id) {
  const auto now = format_rfc3339(clock_.now());
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(
        "SELECT id, address, user_agent, last_used_at, expires_at, created_at FROM auth_tokens "
        "WHERE user_id = ? AND kind = 'session' AND expires_at > ? ORDER BY id DESC LIMIT 200");
    st.bind_all(user_id, now);
    std::vector<SessionInfo> out;
    while (st.step())
      out.push_back(
          {st.text(0), st.opt_text(1), st.opt_text(2), st.opt_text(3), st.text(4), st.text(5)});
    return out;
  });
}

Result<void> UserRepo::delete_session(std::string_view user_id, std::string_view session_id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (c.exec("DELETE FROM auth_tokens WHERE id = ? AND user_id = ? AND kind = 'session'",
               session_id, user_id) == 0)
      return fail(Errc::not_found, "no such session");
    return {};
  });
}

Result<int> UserRepo::set_password(std::string_view user_id, std::string_view password_hash,
                                   std::string_view keep_token_id, bool revoke_api_tokens) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<int> {
    if (c.exec("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", password_hash,
               now, user_id) == 0)
      return fail(Errc::not_found, "no such user");
    int ended = c.exec("DELETE FROM auth_tokens WHERE user_id = ? AND kind = 'session' AND id <> ?",
                       user_id, keep_token_id);
    if (revoke_api_tokens)
      ended += c.exec("DELETE FROM auth_tokens WHERE user_id = ? AND kind = 'api'", user_id);
    return ended;
  });
}

}  // namespace faxd::store
