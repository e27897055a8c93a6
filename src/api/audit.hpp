#pragma once
// The audit hook: Api::authed() sends every state-changing request (POST, PUT, PATCH, DELETE)
// through Auditor::run, so each resource, including ones added later, is audited without a line
// of its own. A request that succeeded (2xx) leaves one audit event:
//
//   resource     the path segment after /api/v1 ("carriers"); /me maps to "users"
//   resource_id  the {id} segment, else the created object's id (or batch_id)
//   action       create (POST on the collection), update (PATCH/PUT), delete, or the verb that
//                follows the id (POST /faxes/{id}/cancel: "cancel")
//   changes      {field: {"from": old, "to": new}} for the fields the body named (old values read
//                with a GET of the object before the change), {"to": v} on create, {"from": v}
//                on delete; a secret (a key naming a password, secret, token or key) appears only
//                as {"changed": true}, never with its value
//   scope        the object's brand_id / company_id (the brand or company itself for /brands and
//                /companies), else the caller's
//
// The event is written after the change committed: a store failure then is logged, not
// answered (the change stands). Logins and failed logins are recorded by Api::login itself.
//
// Threads: any (runs inside the handler, on the worker pool).
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "faxd/api/api.hpp"
#include "faxd/http/router.hpp"
#include "faxd/store/audit_repo.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::api {

// True for JSON keys whose values must never be stored or shown.
bool is_secret_key(std::string_view key) noexcept;
// A copy of `value` with every secret member (at any depth) replaced by {"changed": true}.
nlohmann::json redact(const nlohmann::json& value);

class Auditor {
 public:
  Auditor(store::AuditRepo& repo, store::TenantRepo& tenants) : repo_(repo), tenants_(tenants) {}
  // The router the "before" GETs go through (set once the routes exist).
  void set_router(const http::Router* router) { router_ = router; }

  http::Response run(const Caller& caller, const http::Request& request, const http::Params& params,
                     const AuthedHandler& handler) const;

  // POST /login: `user` is the account (when it exists), `reason` set for a failure.
  void login(const std::string& username, const std::optional<store::User>& user,
             const http::Request& request, std::optional<std::string> reason) const;

  store::AuditRepo& repo() const { return repo_; }

 private:
  void record(store::AuditEvent event, const nlohmann::json& object,
              const std::optional<store::User>& actor) const;

  store::AuditRepo& repo_;
  store::TenantRepo& tenants_;
  const http::Router* router_ = nullptr;
};

}  // namespace faxd::api
