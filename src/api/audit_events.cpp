// GET /api/v1/audit-events: the audit trail in the caller's scope, newest first (admins only:
// a brand admin sees its brand's events, a company admin its company's). Filters: since, until,
// user_id, action, resource, resource_id. Secrets never reach the store (src/api/audit.hpp).
#include <fmt/format.h>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
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

json audit_json(const store::AuditEvent& e) {
  json changes = nullptr;
  if (e.changes) {
    changes = json::parse(*e.changes, nullptr, false);
    if (changes.is_discarded()) changes = nullptr;
  }
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", e.id},
          {"at", e.at},
          {"user_id", opt(e.user_id)},
          {"username", e.username},
          {"action", e.action},
          {"resource", e.resource},
          {"resource_id", opt(e.resource_id)},
          {"changes", changes},
          {"remote_address", e.remote_address},
          {"brand_id", opt(e.brand_id)},
          {"company_id", opt(e.company_id)}};
}

bool is_word(std::string_view s) noexcept {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  return true;
}

}  // namespace

void add_audit_event_routes(http::Router& router, const Api& api, Services& s) {
  router.add(
      "GET", "/api/v1/audit-events",
      api.authed([&s](const Caller& c, const Request& req, const http::Params&) {
        if (!at_least(c, Role::company_admin)) return forbidden("the audit trail is for admins");
        store::AuditQuery q;
        if (c.user.role == Role::brand_admin) q.brand_id = c.user.brand_id.value_or("-");
        if (c.user.role == Role::company_admin) q.company_id = c.user.company_id.value_or("-");
        auto bad = [](std::string_view field, std::string_view message) {
          return Response::error(422, "invalid_field", fmt::format("{}: {}", field, message),
                                 field);
        };
        for (auto [name, slot] :
             {std::pair{"user_id", &q.user_id}, std::pair{"resource_id", &q.resource_id}}) {
          if (auto v = req.query_param(name); v && !v->empty()) {
            if (!is_valid_id(*v)) return bad(name, "not an id");
            *slot = *v;
          }
        }
        for (auto [name, slot] :
             {std::pair{"action", &q.action}, std::pair{"resource", &q.resource}}) {
          if (auto v = req.query_param(name); v && !v->empty()) {
            if (!is_word(*v)) return bad(name, "not a known value");
            *slot = *v;
          }
        }
        for (auto [name, slot] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
          if (auto v = req.query_param(name); v && !v->empty()) {
            auto t = parse_rfc3339(*v);
            if (!t) return bad(name, "not an RFC 3339 time");
            *slot = *t;
          }
        }
        auto page = read_page(req);
        if (!page) return error_response(page.error());
        q.limit = page->limit;
        if (!page->after.empty()) q.cursor = page->after;
        auto events = s.audit.list(q);
        if (!events) return error_response(events.error());
        auto data = json::array();
        for (const auto& e : events->data) data.push_back(audit_json(e));
        return Response::json(200, {{"data", std::move(data)},
                                    {"next_cursor", events->next_cursor ? json(*events->next_cursor)
                                                                        : json(nullptr)}});
      }));
}

}  // namespace faxd::api
