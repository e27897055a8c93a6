#pragma once
// Users and their credentials (login sessions and API tokens). Raw tokens are returned once
// and stored only as SHA-256 digests.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::store {

enum class Role { platform_admin, brand_admin, company_admin, user };
std::string_view to_string(Role r) noexcept;
std::optional<Role> parse_role(std::string_view s) noexcept;

struct User {
  std::string id;
  std::string username;
  std::string password_hash;
  Role role = Role::user;
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
  std::string created_at;
  std::string updated_at;
  // The user's own UI settings; unset: the company's (then the browser's).
  std::optional<std::string> language;  // "es", "pt-BR"
  std::optional<std::string> timezone;  // IANA, "Europe/Madrid"
};

struct NewUser {
  std::string username;
  std::string password_hash;
  Role role = Role::user;
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
};

// Only the fields that are set change. brand_id and company_id of a user never change.
struct UserPatch {
  std::optional<std::string> username;
  std::optional<std::string> password_hash;
  std::optional<Role> role;
  Nullable<std::string> language;  // null: back to the company's
  Nullable<std::string> timezone;
};

// An API token as listed: never the token itself (only its digest is stored).
struct TokenInfo {
  std::string id;
  std::string name;
  std::optional<std::string> last_used_at;
  std::optional<std::string> expires_at;  // nullopt: never
  std::string created_at;
  std::string updated_at;
};

// A login session as its owner sees it (GET /api/v1/me/sessions).
struct SessionInfo {
  std::string id;
  std::optional<std::string> address;     // the client address at login
  std::optional<std::string> user_agent;  // the browser or client that logged in
  std::optional<std::string> last_used_at;
  std::string expires_at;
  std::string created_at;
};

// Who a bearer token or session cookie belongs to, and which credential it is.
struct Credential {
  User user;
  std::string token_id;
  std::string kind;  // "session" | "api"
};

// When credentials stop working besides their own expires_at.
struct CredentialRules {
  // A session not used for this long is over (zero: no idle timeout). last_used_at is refreshed
  // at most once a minute, so the timeout is exact to a minute.
  std::chrono::seconds session_idle{0};
};

struct IssuedToken {
  std::string id;
  std::string token;       // the raw bearer token: shown once
  std::string expires_at;  // "" = never
};

class UserRepo {
 public:
  UserRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<int> count_with_role(Role role);
  Result<User> create(const NewUser& u);
  Result<std::optional<User>> find_by_username(std::string_view username);
  Result<std::optional<User>> find(std::string_view id);
  // filter.brand_id / company_id restrict the rows (users of a company carry its brand_id).
  Result<Slice<User>> list(const TenantFilter& filter, const Page& page);
  // conflict (username) when the new name is taken.
  Result<User> update(std::string_view id, const UserPatch& patch);
  // Its tokens, webhooks and virtual fax links go with it.
  Result<void> remove(std::string_view id);
  // The virtual faxes a user is linked to, by id.
  Result<std::vector<std::string>> virtual_fax_ids(std::string_view user_id);
  // Replaces the links; invalid_argument (virtual_fax_ids) when one is not a virtual fax of the
  // user's company.
  Result<void> set_virtual_fax_ids(std::string_view user_id, const std::vector<std::string>& ids);

  // kind: "session" (expires) or "api" (no expiry unless given).
  Result<IssuedToken> issue_token(std::string_view user_id, std::string_view kind,
                                  std::string_view name, std::optional<SysTime> expires_at);
  // A login session: like issue_token(kind "session"), remembering where it came from.
  Result<IssuedToken> issue_session(std::string_view user_id, SysTime expires_at,
                                    std::string_view address, std::string_view user_agent);
  // The user holding a live token; updates last_used_at. nullopt when unknown, expired or (a
  // session) idle past rules.session_idle.
  Result<std::optional<Credential>> authenticate(std::string_view raw_token,
                                                 const CredentialRules& rules = {});
  Result<std::optional<User>> authenticate_token(std::string_view raw_token);
  Result<void> revoke_token(std::string_view raw_token);
  // The user's tokens of kind "api", oldest first.
  Result<Slice<TokenInfo>> list_api_tokens(std::string_view user_id, const Page& page);
  // not_found unless the token is an API token of this user.
  Result<void> delete_api_token(std::string_view user_id, std::string_view token_id);

  // The user's live login sessions, newest first (at most 200).
  Result<std::vector<SessionInfo>> list_sessions(std::string_view user_id);
  // not_found unless it is a session of this user.
  Result<void> delete_session(std::string_view user_id, std::string_view session_id);
  // Sets the password hash and, in the same transaction, ends the user's sessions except
  // `keep_token_id` (the one that asked, when it is a session) and, with `revoke_api_tokens`
  // (an admin reset), its API tokens too. Returns how many credentials were ended.
  Result<int> set_password(std::string_view user_id, std::string_view password_hash,
                           std::string_view keep_token_id, bool revoke_api_tokens);

 private:
  Db& db_;
  const Clock& clock_;
};

// Reads a users row selected as USER_COLUMNS.
inline constexpr std::string_view kUserColumns =
    "id, username, password_hash, role, brand_id, company_id, created_at, updated_at, language, "
    "timezone";
User read_user(const Stmt& st);

}  // namespace faxd::store
