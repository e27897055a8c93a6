#include "faxd/store/audit_repo.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"

namespace faxd::store {

namespace {
constexpr std::string_view kAuditColumns =
    "id, at, user_id, username, action, resource, resource_id, changes, remote_address, "
    "brand_id, company_id";
}  // namespace

Result<AuditEvent> AuditRepo::record(AuditEvent e) {
  const auto now = clock_.now();
  e.id = new_id(now);
  e.at = format_rfc3339(now);
  auto r = db_.write([&](Conn& c) {
    c.exec(
        fmt::format("INSERT INTO audit_events ({}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", kAuditColumns),
        e.id, e.at, e.user_id, e.username, e.action, e.resource, e.resource_id, e.changes,
        e.remote_address, e.brand_id, e.company_id);
  });
  if (!r) return std::unexpected(r.error());
  return e;
}

Result<AuditPage> AuditRepo::list(const AuditQuery& q) {
  const int limit = std::clamp(q.limit, 1, 500);
  std::string where;
  std::vector<std::string> args;
  auto add = [&](std::string_view cond, std::string value) {
    where += where.empty() ? " WHERE " : " AND ";
    where += cond;
    args.push_back(std::move(value));
  };
  if (q.brand_id) add("brand_id = ?", *q.brand_id);
  if (q.company_id) add("company_id = ?", *q.company_id);
  if (q.user_id) add("user_id = ?", *q.user_id);
  if (q.action) add("action = ?", *q.action);
  if (q.resource) add("resource = ?", *q.resource);
  if (q.resource_id) add("resource_id = ?", *q.resource_id);
  // Ids are made at `at`: a time range is an id range (see CallRepo::list).
  if (q.since) {
    add("id >= ?", id_floor(*q.since));
    add("at >= ?", format_rfc3339(*q.since));
  }
  if (q.until) {
    add("id < ?", id_floor(*q.until + std::chrono::seconds(1)));
    add("at < ?", format_rfc3339(*q.until));
  }
  if (q.cursor) add("id < ?", *q.cursor);
  const auto sql =
      fmt::format("SELECT {} FROM audit_events{} ORDER BY id DESC LIMIT ?", kAuditColumns, where);
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(sql);
    int i = 1;
    for (const auto& a : args) st.bind(i++, a);
    st.bind(i, limit + 1);
    AuditPage page;
    while (st.step()) {
      AuditEvent e;
      e.id = st.text(0);
      e.at = st.text(1);
      e.user_id = st.opt_text(2);
      e.username = st.text(3);
      e.action = st.text(4);
      e.resource = st.text(5);
      e.resource_id = st.opt_text(6);
      e.changes = st.opt_text(7);
      e.remote_address = st.text(8);
      e.brand_id = st.opt_text(9);
      e.company_id = st.opt_text(10);
      page.data.push_back(std::move(e));
    }
    if (static_cast<int>(page.data.size()) > limit) {
      page.data.pop_back();
      page.next_cursor = page.data.back().id;
    }
    return page;
  });
}

}  // namespace faxd::store
