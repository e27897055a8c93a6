#include "faxd/store/fax_repo.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fax_rows.hpp"
#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/call_repo.hpp"
#include "faxd/store/event_feed.hpp"
#include "faxd/store/fax_list_query.hpp"

namespace faxd::store {

using detail::must_select;
using detail::read_fax;

Fax detail::read_fax(const Stmt& st) {
  Fax f;
  int i = 0;
  f.id = st.text(i++);
  f.direction = st.text(i++);
  f.brand_id = st.text(i++);
  f.company_id = st.text(i++);
  f.virtual_fax_id = st.opt_text(i++);
  f.created_by = st.opt_text(i++);
  f.from_number = st.text(i++);
  f.to_number = st.text(i++);
  f.status = parse_fax_status(st.text(i++)).value_or(FaxStatus::failed);
  f.pages = st.int32(i++);
  f.pages_total = st.int32(i++);
  f.quality = st.text(i++);
  f.header = st.text(i++);
  f.attempts = st.int32(i++);
  f.dials = st.int32(i++);
  if (auto v = st.opt_int64(i++)) f.bit_rate = static_cast<int>(*v);
  if (auto v = st.opt_int64(i++)) f.ecm = *v != 0;
  f.transport = st.opt_text(i++);
  f.remote_station_id = st.opt_text(i++);
  f.failure_code = st.opt_text(i++);
  f.failure_message = st.opt_text(i++);
  f.idempotency_key = st.opt_text(i++);
  f.document = st.opt_text(i++);
  f.claimed_by = st.opt_text(i++);
  f.created_at = st.text(i++);
  f.updated_at = st.text(i++);
  f.started_at = st.opt_text(i++);
  f.completed_at = st.opt_text(i++);
  f.next_attempt_at = st.opt_text(i++);
  f.calls = st.int32(i++);
  f.document_purged_at = st.opt_text(i++);
  f.batch_id = st.opt_text(i++);
  f.send_at = st.opt_text(i++);
  return f;
}

namespace {

std::optional<Fax> select_fax(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("SELECT {} FROM faxes WHERE id = ?", kFaxColumns));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_fax(st);
}

template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

Fax detail::must_select(Conn& c, std::string_view id) {
  auto f = select_fax(c, id);
  if (!f) abort_tx(Errc::not_found, "no such fax");
  return *f;
}

std::string_view to_string(FaxStatus s) noexcept {
  switch (s) {
    case FaxStatus::queued:
      return "queued";
    case FaxStatus::sending:
      return "sending";
    case FaxStatus::delivered:
      return "delivered";
    case FaxStatus::failed:
      return "failed";
    case FaxStatus::canceled:
      return "canceled";
    case FaxStatus::receiving:
      return "receiving";
    case FaxStatus::received:
      return "received";
  }
  return "failed";
}

std::optional<FaxStatus> parse_fax_status(std::string_view s) noexcept {
  for (auto v : {FaxStatus::queued, FaxStatus::sending, FaxStatus::delivered, FaxStatus::failed,
                 FaxStatus::canceled, FaxStatus::receiving, FaxStatus::received})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

bool is_final(FaxStatus s) noexcept {
  return s == FaxStatus::delivered || s == FaxStatus::failed || s == FaxStatus::canceled ||
         s == FaxStatus::received;
}

nlohmann::json to_json(const Fax& f) {
  nlohmann::json failure = nullptr;
  if (f.failure_code)
    failure = {{"code", *f.failure_code}, {"message", f.failure_message.value_or("")}};
  return {{"id", f.id},
          {"direction", f.direction},
          {"virtual_fax_id", opt(f.virtual_fax_id)},
          {"company_id", f.company_id},
          {"from", f.from_number},
          {"to", f.to_number},
          {"status", to_string(f.status)},
          {"pages", f.pages},
          {"pages_total", f.pages_total},
          {"quality", f.quality},
          {"header", f.header},
          {"attempts", f.calls},
          {"tries", f.attempts},
          {"dials", f.dials},
          {"bit_rate", opt(f.bit_rate)},
          {"ecm", opt(f.ecm)},
          {"transport", opt(f.transport)},
          {"remote_station_id", opt(f.remote_station_id)},
          {"failure", failure},
          {"created_at", f.created_at},
          {"updated_at", f.updated_at},
          {"started_at", opt(f.started_at)},
          {"completed_at", opt(f.completed_at)},
          {"next_attempt_at", opt(f.next_attempt_at)},
          {"document_purged_at", opt(f.document_purged_at)},
          {"batch_id", opt(f.batch_id)},
          {"send_at", opt(f.send_at)}};
}

nlohmann::json to_json(const Attempt& a) {
  nlohmann::json failure = nullptr;
  if (a.failure_code)
    failure = {{"code", *a.failure_code}, {"message", a.failure_message.value_or("")}};
  return {{"id", a.id},
          {"fax_id", a.fax_id},
          {"carrier_id", opt(a.carrier_id)},
          {"carrier_name", a.carrier_name},
          {"transport", opt(a.transport)},
          {"ecm", opt(a.ecm)},
          {"bit_rate", opt(a.bit_rate)},
          {"pages", a.pages},
          {"sip_status", opt(a.sip_status)},
          {"result", a.result},
          {"failure", failure},
          {"started_at", a.started_at},
          {"ended_at", opt(a.ended_at)}};
}

void append_event(Conn& c, const Clock& clock, std::string_view type, const Fax& fax) {
  const auto now = clock.now();
  const std::string id = new_id(now);
  nlohmann::json payload = {
      {"id", id}, {"type", type}, {"created_at", format_rfc3339(now)}, {"data", to_json(fax)}};
  EventFeed::append(c,
                    {.type = std::string(type),
                     .fax_id = fax.id,
                     .brand_id = fax.brand_id,
                     .company_id = fax.company_id,
                     .virtual_fax_id = fax.virtual_fax_id,
                     .payload = payload.dump(),
                     .id = id},
                    now);
}

Result<Fax> FaxRepo::create_inbound(const NewInboundFax& n) {
  return db_.write([&](Conn& c) {
    const auto now = format_rfc3339(clock_.now());
    const auto id = new_id(clock_.now());
    c.exec(
        "INSERT INTO faxes (id, direction, brand_id, company_id, virtual_fax_id, from_number, "
        "to_number, status, document, claimed_by, claim_until, created_at, updated_at, "
        "started_at, from_raw) VALUES (?, 'inbound', ?,?,?,?,?, 'receiving', ?,?,?,?,?,?,?)",
        id, n.brand_id, n.company_id, n.virtual_fax_id, n.from_number, n.to_number, n.document,
        n.node.empty() ? std::nullopt : std::optional<std::string>(n.node),
        n.claim_until ? std::optional<std::string>(format_rfc3339(*n.claim_until)) : std::nullopt,
        now, now, now, n.from_raw);
    CallRepo::start_inbound(c, new_id(clock_.now()), id, n.carrier_id, clock_.now());
    Fax f = must_select(c, id);
    append_event(c, clock_, "fax.receiving", f);
    return f;
  });
}

Result<std::optional<Fax>> FaxRepo::find(std::string_view id) {
  return db_.read([&](Conn& c) { return select_fax(c, id); });
}

Result<std::optional<Fax>> FaxRepo::find_by_idempotency_key(std::string_view created_by,
                                                            std::string_view key) {
  return db_.read([&](Conn& c) -> std::optional<Fax> {
    auto& st = c.prepare("SELECT id FROM faxes WHERE created_by = ? AND idempotency_key = ?");
    st.bind_all(created_by, key);
    if (!st.step()) return std::nullopt;
    const auto id = st.text(0);
    return select_fax(c, id);
  });
}

Result<std::optional<Fax>> FaxRepo::find_by_mail_key(std::string_view virtual_fax_id,
                                                     std::string_view key) {
  return db_.read([&](Conn& c) -> std::optional<Fax> {
    auto& st = c.prepare(
        "SELECT id FROM faxes WHERE virtual_fax_id = ? AND idempotency_key = ? "
        "AND created_by IS NULL");
    st.bind_all(virtual_fax_id, key);
    if (!st.step()) return std::nullopt;
    const auto id = st.text(0);
    return select_fax(c, id);
  });
}

Result<std::optional<Fax>> FaxRepo::find_in_scope(std::string_view id, const FaxScope& scope) {
  auto f = find(id);
  if (!f || !*f) return f;
  const Fax& fax = **f;
  const bool visible = (!scope.brand_id || fax.brand_id == *scope.brand_id) &&
                       (!scope.company_id || fax.company_id == *scope.company_id) &&
                       (!scope.virtual_fax_ids ||
                        (fax.virtual_fax_id &&
                         std::find(scope.virtual_fax_ids->begin(), scope.virtual_fax_ids->end(),
                                   *fax.virtual_fax_id) != scope.virtual_fax_ids->end()));
  if (!visible) return std::optional<Fax>{};
  return f;
}

Result<FaxPage> FaxRepo::list(const FaxQuery& q) {
  const auto query = fax_list_sql(q);
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(query.sql);
    for (std::size_t i = 0; i < query.args.size(); ++i)
      st.bind(static_cast<int>(i + 1), query.args[i]);
    FaxPage page;
    page.data.reserve(static_cast<std::size_t>(query.limit) + 1);
    while (st.step()) page.data.push_back(read_fax(st));
    if (static_cast<int>(page.data.size()) > query.limit) {
      page.data.pop_back();
      page.next_cursor = page.data.back().id;
    }
    return page;
  });
}

Result<int> FaxRepo::count(const FaxQuery& q, int cap) {
  const auto query = fax_count_sql(q, cap);
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(query.sql);
    for (std::size_t i = 0; i < query.args.size(); ++i) {
      if (i + 1 == query.args.size())
        st.bind(static_cast<int>(i + 1), static_cast<std::int64_t>(cap + 1));  // LIMIT: an integer
      else
        st.bind(static_cast<int>(i + 1), query.args[i]);
    }
    st.step();
    return st.int32(0);
  });
}

Result<std::vector<Attempt>> FaxRepo::attempts(std::string_view fax_id) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(
        "SELECT id, fax_id, carrier_id, carrier_name, transport, ecm, bit_rate, pages, sip_status, "
        "result, failure_code, failure_message, started_at, ended_at FROM fax_attempts "
        "WHERE fax_id = ? ORDER BY id");
    st.bind_all(fax_id);
    std::vector<Attempt> out;
    while (st.step()) {
      Attempt a;
      a.id = st.text(0);
      a.fax_id = st.text(1);
      a.carrier_id = st.opt_text(2);
      a.carrier_name = st.text(3);
      a.transport = st.opt_text(4);
      if (auto v = st.opt_int64(5)) a.ecm = *v != 0;
      if (auto v = st.opt_int64(6)) a.bit_rate = static_cast<int>(*v);
      a.pages = st.int32(7);
      if (auto v = st.opt_int64(8)) a.sip_status = static_cast<int>(*v);
      a.result = st.text(9);
      a.failure_code = st.opt_text(10);
      a.failure_message = st.opt_text(11);
      a.started_at = st.text(12);
      a.ended_at = st.opt_text(13);
      out.push_back(std::move(a));
    }
    return out;
  });
}

Result<std::vector<Fax>> FaxRepo::claim_due(std::string_view node, SysTime lease_until, int limit) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) {
    std::vector<std::string> ids;
    {
      auto& st = c.prepare(
          std::string("SELECT id FROM faxes WHERE status = 'queued' AND next_attempt_at <= ? "
                      "ORDER BY next_attempt_at, id LIMIT ?") +
          std::string(c.skip_locked()));
      st.bind_all(now, limit);
      while (st.step()) ids.push_back(st.text(0));
    }
    std::vector<Fax> out;
    for (const auto& id : ids) {
      c.exec(
          "UPDATE faxes SET status = 'sending', claimed_by = ?, claim_until = ?, dials = dials + "
          "1, "
          "started_at = COALESCE(started_at, ?), next_attempt_at = NULL, updated_at = ? WHERE id = "
          "?",
          node, format_rfc3339(lease_until), now, now, id);
      out.push_back(must_select(c, id));
      append_event(c, clock_, "fax.sending", out.back());
    }
    return out;
  });
}

Result<void> FaxRepo::extend_claim(std::string_view fax_id, std::string_view node, SysTime until) {
  return db_.write([&](Conn& c) {
    c.exec(
        "UPDATE faxes SET claim_until = ? WHERE id = ? AND claimed_by = ? AND status = 'sending'",
        format_rfc3339(until), fax_id, node);
  });
}

namespace {
// A call starting: its attempt row, the fax's call count, and its call record (billing).
void insert_attempt(Conn& c, std::string_view id, std::string_view fax_id,
                    const std::optional<std::string>& carrier_id, std::string_view carrier_name,
                    SysTime at) {
  const auto now = format_rfc3339(at);
  c.exec(
      "INSERT INTO fax_attempts (id, fax_id, carrier_id, carrier_name, result, started_at, "
      "created_at, updated_at) VALUES (?,?,?,?, 'running', ?,?,?)",
      id, fax_id, carrier_id, carrier_name, now, now, now);
  c.exec("UPDATE faxes SET calls = calls + 1 WHERE id = ?", fax_id);
  CallRepo::start_outbound(c, std::string(id), fax_id, carrier_id, at);
}
}  // namespace

Result<std::string> FaxRepo::begin_attempt(std::string_view fax_id,
                                           std::optional<std::string> carrier_id,
                                           std::string carrier_name) {
  const auto at = clock_.now();
  const auto id = new_id(at);
  auto r = db_.write([&](Conn& c) { insert_attempt(c, id, fax_id, carrier_id, carrier_name, at); });
  if (!r) return std::unexpected(r.error());
  return id;
}

Result<std::optional<std::string>> FaxRepo::reserve_attempt(std::string_view fax_id,
                                                            const std::string& carrier_id,
                                                            std::string carrier_name,
                                                            int max_calls) {
  const auto at = clock_.now();
  const auto id = new_id(at);
  return db_.write([&](Conn& c) -> std::optional<std::string> {
    if (max_calls > 0) {
      // A write transaction runs as if alone (SQLite's writer; PostgreSQL SERIALIZABLE), so two
      // nodes counting at once cannot both take the last line.
      auto& st = c.prepare(
          "SELECT count(*) FROM fax_attempts WHERE carrier_id = ? AND result = 'running'");
      st.bind(1, carrier_id);
      st.step();
      if (st.int64(0) >= max_calls) return std::nullopt;
    }
    insert_attempt(c, id, fax_id, carrier_id, carrier_name, at);
    return id;
  });
}

Result<void> FaxRepo::end_attempt(std::string_view attempt_id, const AttemptEnd& e) {
  const auto at = clock_.now();
  const auto now = format_rfc3339(at);
  auto r = db_.write([&](Conn& c) {
    CallRepo::end(
        c, attempt_id,
        {.result = e.result,
         .failure_code = e.failure ? std::optional<std::string>(std::string(to_string(*e.failure)))
                                   : std::nullopt,
         .transport = e.transport,
         .bit_rate = e.bit_rate,
         .pages = e.pages},
        at);
    c.exec(
        "UPDATE fax_attempts SET result = ?, failure_code = ?, failure_message = ?, sip_status = "
        "?, "
        "transport = ?, ecm = ?, bit_rate = ?, pages = ?, ended_at = ?, updated_at = ? WHERE id = "
        "?",
        e.result,
        e.failure ? std::optional<std::string>(std::string(to_string(*e.failure))) : std::nullopt,
        e.failure ? std::optional<std::string>(e.message) : std::nullopt, e.sip_status, e.transport,
        e.ecm, e.bit_rate, e.pages, now, now, attempt_id);
  });
  if (r && listener_) listener_->attempt_ended(e);
  return r;
}

Result<void> FaxRepo::attempt_answered(std::string_view attempt_id) {
  const auto now = clock_.now();
  return db_.write([&](Conn& c) { CallRepo::answered(c, attempt_id, now); });
}

Result<void> FaxRepo::inbound_answered(std::string_view fax_id) {
  const auto now = clock_.now();
  return db_.write([&](Conn& c) {
    if (auto call = CallRepo::running_call_of(c, fax_id)) CallRepo::answered(c, *call, now);
  });
}

Result<void> FaxRepo::record_progress(std::string_view fax_id, const TransferStats& s) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) {
    const int before = must_select(c, fax_id).pages;
    c.exec(
        "UPDATE faxes SET pages = CASE WHEN pages > ? THEN pages ELSE ? END, "
        "bit_rate = COALESCE(?, bit_rate), ecm = COALESCE(?, ecm), "
        "transport = COALESCE(?, transport), remote_station_id = COALESCE(?, remote_station_id), "
        "updated_at = ? WHERE id = ?",
        s.pages, s.pages, s.bit_rate, s.ecm, s.transport, s.remote_station_id, now, fax_id);
    // fax.page is for pages; a transport change or a repeated count is recorded silently.
    if (s.pages > before) append_event(c, clock_, "fax.page", must_select(c, fax_id));
  });
}

Result<Fax> FaxRepo::requeue(std::string_view fax_id, SysTime next, FailureCode failure,
                             std::string message, bool tried, bool dialed) {
  const auto now = format_rfc3339(clock_.now());
  auto r = db_.write([&](Conn& c) {
    c.exec(
        "UPDATE faxes SET status = 'queued', claimed_by = NULL, claim_until = NULL, "
        "next_attempt_at = ?, failure_code = ?, failure_message = ?, attempts = attempts + ?, "
        "dials = CASE WHEN dials > ? THEN dials - ? ELSE 0 END, updated_at = ? "
        "WHERE id = ? AND status = 'sending'",
        format_rfc3339(next), to_string(failure), message, tried ? 1 : 0, dialed ? 0 : 1,
        dialed ? 0 : 1, now, fax_id);
    Fax f = must_select(c, fax_id);
    append_event(c, clock_, "fax.queued", f);
    return f;
  });
  if (r && dialed && listener_) listener_->fax_requeued(*r);
  return r;
}

Result<Fax> FaxRepo::finish(std::string_view fax_id, FaxStatus status, const TransferStats& s,
                            std::optional<FailureCode> failure, std::string message, bool tried,
                            const InTransaction& also) {
  const auto now = format_rfc3339(clock_.now());
  bool changed = false;
  auto r = db_.write([&](Conn& c) {
    changed = false;  // this callback may run again (a write retried on PostgreSQL)
    Fax before = must_select(c, fax_id);
    if (is_final(before.status)) return before;  // finishing twice changes nothing
    changed = true;
    c.exec(
        "UPDATE faxes SET status = ?, pages = CASE WHEN pages > ? THEN pages ELSE ? END, "
        "bit_rate = COALESCE(?, bit_rate), "
        "ecm = COALESCE(?, ecm), transport = COALESCE(?, transport), "
        "remote_station_id = COALESCE(?, remote_station_id), failure_code = ?, failure_message = "
        "?, "
        "attempts = attempts + ?, claimed_by = NULL, claim_until = NULL, next_attempt_at = NULL, "
        "completed_at = ?, updated_at = ? WHERE id = ?",
        to_string(status), s.pages, s.pages, s.bit_rate, s.ecm, s.transport, s.remote_station_id,
        failure ? std::optional<std::string>(std::string(to_string(*failure))) : std::nullopt,
        failure ? std::optional<std::string>(message) : std::nullopt, tried ? 1 : 0, now, now,
        fax_id);
    Fax f = must_select(c, fax_id);
    if (f.direction == "inbound")
      if (auto call = CallRepo::running_call_of(c, fax_id))
        CallRepo::end(c, *call,
                      {.result = std::string(to_string(status)),
                       .failure_code = f.failure_code,
                       .transport = f.transport,
                       .bit_rate = f.bit_rate,
                       .pages = f.pages},
                      clock_.now());
    append_event(c, clock_, fmt::format("fax.{}", to_string(status)), f);
    if (also) also(c, f);
    return f;
  });
  if (r && changed && listener_) listener_->fax_finished(*r);
  return r;
}

Result<CancelResult> FaxRepo::cancel(std::string_view fax_id) {
  const auto now = format_rfc3339(clock_.now());
  std::optional<Fax> canceled;
  auto r = db_.write([&](Conn& c) {
    Fax f = must_select(c, fax_id);
    if (f.direction != "outbound" || is_final(f.status)) return CancelResult::not_cancelable;
    if (f.status == FaxStatus::sending) return CancelResult::hangup_needed;
    c.exec(
        "UPDATE faxes SET status = 'canceled', failure_code = 'canceled', "
        "failure_message = 'canceled by the user', next_attempt_at = NULL, completed_at = ?, "
        "updated_at = ? WHERE id = ?",
        now, now, fax_id);
    canceled = must_select(c, fax_id);
    append_event(c, clock_, "fax.canceled", *canceled);
    return CancelResult::canceled;
  });
  if (r && canceled && listener_) listener_->fax_finished(*canceled);
  return r;
}

Result<std::optional<std::string>> FaxRepo::remove(std::string_view fax_id) {
  return db_.write([&](Conn& c) -> std::optional<std::string> {
    Fax f = must_select(c, fax_id);
    c.exec("DELETE FROM faxes WHERE id = ?", fax_id);
    if (!f.document) return std::nullopt;
    // A broadcast's faxes share one document: it goes with the last of them.
    auto& st = c.prepare("SELECT id FROM faxes WHERE document = ? LIMIT 1");
    st.bind_all(*f.document);
    if (st.step()) return std::nullopt;
    return f.document;
  });
}

Result<int> FaxRepo::count_with_status(FaxStatus status) {
  return db_.read([&](Conn& c) {
    // The status is written into the SQL (from the enum, never user text) so that a partial index
    // on it (faxes_queue for queued, the gauge's case) can serve the count; a bound value cannot.
    auto& st =
        c.prepare(fmt::format("SELECT count(*) FROM faxes WHERE status = '{}'", to_string(status)));
    st.step();
    return st.int32(0);
  });
}

Result<std::optional<SysTime>> FaxRepo::next_due() {
  return db_.read([&](Conn& c) -> std::optional<SysTime> {
    auto& st = c.prepare("SELECT min(next_attempt_at) FROM faxes WHERE status = 'queued'");
    if (!st.step() || st.is_null(0)) return std::nullopt;
    return parse_rfc3339(st.text(0));
  });
}

}  // namespace faxd::store
