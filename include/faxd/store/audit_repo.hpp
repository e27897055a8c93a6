#pragma once
// The audit trail (table audit_events): who changed what through the API or the UI, when and
// from where. Written by the API layer (src/api/audit.hpp) after each change; read by
// GET /api/v1/audit-events. Rows are never updated.
//
// `changes` is JSON text that the writer has already stripped of secrets. brand_id and
// company_id place the event in a tenant's scope (a brand admin sees its brand's events, a
// company admin its company's).
//
// Threads: any (blocking; call from the worker pool).
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct AuditEvent {
  std::string id;
  std::string at;
  std::optional<std::string> user_id;
  std::string username;
  std::string action;    // create | update | delete | login | login_failed | logout | <verb>
  std::string resource;  // carriers, users, session, ...
  std::optional<std::string> resource_id;
  std::optional<std::string> changes;  // JSON
  std::string remote_address;
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
};

struct AuditQuery {
  std::optional<std::string> brand_id;    // the caller's scope
  std::optional<std::string> company_id;  // the caller's scope
  std::optional<std::string> user_id;
  std::optional<std::string> action;
  std::optional<std::string> resource;
  std::optional<std::string> resource_id;
  std::optional<SysTime> since;
  std::optional<SysTime> until;
  int limit = 50;
  std::optional<std::string> cursor;  // newest first: the last id of the previous page
};

struct AuditPage {
  std::vector<AuditEvent> data;
  std::optional<std::string> next_cursor;
};

class AuditRepo {
 public:
  AuditRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  // Stores the event with a new id and `at` = now; returns it.
  Result<AuditEvent> record(AuditEvent event);
  Result<AuditPage> list(const AuditQuery& query);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
