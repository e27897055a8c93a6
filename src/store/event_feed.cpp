#include "faxd/store/event_feed.hpp"

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"

namespace faxd::store {

EventScope EventScope::of(const User& u) {
  return of(u.role, u.id, u.brand_id, u.company_id);
}

EventScope EventScope::of(Role role, std::string_view user_id,
                          const std::optional<std::string>& brand_id,
                          const std::optional<std::string>& company_id) {
  EventScope s;
  switch (role) {
    case Role::platform_admin:
      break;
    // An admin row without its tenant is broken data: match no real id rather than everything.
    case Role::brand_admin:
      s.brand_id = brand_id.value_or("");
      break;
    case Role::company_admin:
      s.company_id = company_id.value_or("");
      break;
    case Role::user:
      s.linked_user_id = std::string(user_id);
      break;
  }
  return s;
}

std::int64_t EventFeed::append(Conn& c, const NewEvent& e, SysTime now) {
  // Readers on every node follow `seq` with a cursor: the event must become visible in seq
  // order, so a transaction that appends holds the order lock until it commits.
  c.lock_order("events");
  auto& st = c.prepare(
      "INSERT INTO events (id, type, fax_id, brand_id, company_id, virtual_fax_id, payload, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq");
  st.bind_all(e.id.empty() ? new_id(now) : e.id, e.type, e.fax_id, e.brand_id, e.company_id,
              e.virtual_fax_id, e.payload, format_rfc3339(now));
  st.step();
  const auto seq = st.int64(0);
  while (st.step()) {
  }
  return seq;
}

std::vector<Event> EventFeed::read_after(Conn& c, std::int64_t after, const EventScope& scope,
                                         int limit, std::optional<std::int64_t> up_to) {
  // One statement text per filter shape, so the prepared-statement cache stays small.
  std::string sql =
      "SELECT seq, id, type, fax_id, brand_id, company_id, virtual_fax_id, payload, created_at "
      "FROM events WHERE seq > ? AND seq <= ?";
  if (scope.brand_id) sql += " AND brand_id = ?";
  if (scope.company_id) sql += " AND company_id = ?";
  if (scope.linked_user_id)
    sql +=
        " AND virtual_fax_id IN (SELECT virtual_fax_id FROM user_virtual_faxes WHERE user_id = ?)";
  sql += " ORDER BY seq LIMIT ?";
  auto& st = c.prepare(sql);
  int i = 1;
  st.bind(i++, after);
  st.bind(i++, up_to.value_or(INT64_MAX));
  if (scope.brand_id) st.bind(i++, *scope.brand_id);
  if (scope.company_id) st.bind(i++, *scope.company_id);
  if (scope.linked_user_id) st.bind(i++, *scope.linked_user_id);
  st.bind(i, limit);
  std::vector<Event> out;
  while (st.step()) {
    Event e;
    e.seq = st.int64(0);
    e.id = st.text(1);
    e.type = st.text(2);
    e.fax_id = st.text(3);
    e.brand_id = st.text(4);
    e.company_id = st.text(5);
    e.virtual_fax_id = st.opt_text(6);
    e.payload = st.text(7);
    e.created_at = st.text(8);
    out.push_back(std::move(e));
  }
  return out;
}

std::int64_t EventFeed::last_seq(Conn& c) {
  auto& st = c.prepare("SELECT COALESCE(max(seq), 0) FROM events");
  st.step();
  return st.int64(0);
}

Result<std::vector<Event>> EventFeed::after(std::int64_t seq, const EventScope& scope, int limit) {
  return db_.read([&](Conn& c) { return read_after(c, seq, scope, limit); });
}

Result<std::int64_t> EventFeed::last_seq() {
  return db_.read([](Conn& c) { return last_seq(c); });
}

}  // namespace faxd::store
