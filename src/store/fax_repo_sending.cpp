#include "faxd/store/fax_repo.hpp"

#include <fmt/format.h>

#include "fax_rows.hpp"
#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/fax_list_query.hpp"

// FaxRepo's side of sending: new outbound faxes, one at a time or a broadcast's batch in one
// transaction (idempotent by the creator's key), and a queued fax moved to another send time.
namespace faxd::store {

using detail::must_select;
using detail::read_fax;

namespace {

Fax insert_outbound(Conn& c, const Clock& clock, const NewOutboundFax& n,
                    const std::optional<std::string>& key) {
  const auto now_t = clock.now();
  const auto now = format_rfc3339(now_t);
  const auto id = new_id(now_t);
  const auto send_at =
      n.send_at ? std::optional<std::string>(format_rfc3339(*n.send_at)) : std::nullopt;
  c.exec(
      "INSERT INTO faxes (id, direction, brand_id, company_id, virtual_fax_id, created_by, "
      "from_number, to_number, status, pages_total, quality, header, idempotency_key, "
      "document, created_at, updated_at, next_attempt_at, batch_id, send_at, mail_from, "
      "mail_message_id) "
      "VALUES (?, 'outbound', ?,?,?,?,?,?, 'queued', ?,?,?,?,?,?,?,?,?,?,?,?)",
      id, n.brand_id, n.company_id, n.virtual_fax_id, n.created_by, n.from_number, n.to_number,
      n.pages_total, n.quality, n.header, key, n.document, now, now, send_at.value_or(now),
      n.batch_id, send_at, n.mail_from, n.mail_message_id);
  Fax f = must_select(c, id);
  append_event(c, clock, "fax.queued", f);
  return f;
}

// The fax that already used this idempotency key: the creator's, or for a fax without one (by
// mail) the virtual fax's.
std::optional<std::string> id_for_key(Conn& c, const NewOutboundFax& n) {
  if (!n.idempotency_key) return std::nullopt;
  auto& st = n.created_by
                 ? c.prepare("SELECT id FROM faxes WHERE created_by = ? AND idempotency_key = ?")
                 : c.prepare(
                       "SELECT id FROM faxes WHERE virtual_fax_id = ? AND idempotency_key = ? "
                       "AND created_by IS NULL");
  st.bind_all(n.created_by ? *n.created_by : n.virtual_fax_id, *n.idempotency_key);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

std::vector<Fax> select_batch(Conn& c, std::string_view batch_id) {
  auto& st =
      c.prepare(fmt::format("SELECT {} FROM faxes WHERE batch_id = ? ORDER BY id", kFaxColumns));
  st.bind_all(batch_id);
  std::vector<Fax> out;
  while (st.step()) out.push_back(read_fax(st));
  return out;
}

}  // namespace

Result<std::pair<Fax, bool>> FaxRepo::create_outbound(const NewOutboundFax& n) {
  return db_.write([&](Conn& c) -> std::pair<Fax, bool> {
    if (auto first = id_for_key(c, n)) return {must_select(c, *first), false};
    return {insert_outbound(c, clock_, n, n.idempotency_key), true};
  });
}

Result<std::pair<std::vector<Fax>, bool>> FaxRepo::create_outbound_batch(
    const std::vector<NewOutboundFax>& faxes) {
  if (faxes.empty()) return fail(Errc::invalid_argument, "a batch needs at least one fax");
  return db_.write([&](Conn& c) -> std::pair<std::vector<Fax>, bool> {
    if (auto first = id_for_key(c, faxes.front())) {
      Fax f = must_select(c, *first);
      if (f.batch_id) return {select_batch(c, *f.batch_id), false};
      return {{f}, false};
    }
    std::vector<Fax> out;
    out.reserve(faxes.size());
    for (std::size_t i = 0; i < faxes.size(); ++i)
      out.push_back(
          insert_outbound(c, clock_, faxes[i], i == 0 ? faxes[i].idempotency_key : std::nullopt));
    return {std::move(out), true};
  });
}

Result<std::vector<Fax>> FaxRepo::batch(std::string_view batch_id) {
  return db_.read([&](Conn& c) { return select_batch(c, batch_id); });
}

Result<std::optional<Fax>> FaxRepo::reschedule(std::string_view fax_id, SysTime send_at) {
  const auto now = format_rfc3339(clock_.now());
  const auto when = format_rfc3339(send_at);
  return db_.write([&](Conn& c) -> std::optional<Fax> {
    Fax f = must_select(c, fax_id);
    if (f.direction != "outbound" || f.status != FaxStatus::queued) return std::nullopt;
    c.exec(
        "UPDATE faxes SET next_attempt_at = ?, send_at = ?, updated_at = ? "
        "WHERE id = ? AND status = 'queued'",
        when, when, now, fax_id);
    Fax changed = must_select(c, fax_id);
    append_event(c, clock_, "fax.queued", changed);
    return changed;
  });
}

}  // namespace faxd::store
