#include "faxd/store/call_repo.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"

namespace faxd::store {

namespace {

constexpr std::string_view kCallColumns =
    "id, fax_id, direction, brand_id, company_id, virtual_fax_id, from_number, to_number, "
    "carrier_id, started_at, answered_at, ended_at, duration_s, billable_s, transport, bit_rate, "
    "pages, result, failure_code";

Call read_call(const Stmt& st) {
  Call c;
  int i = 0;
  c.id = st.text(i++);
  c.fax_id = st.text(i++);
  c.direction = st.text(i++);
  c.brand_id = st.text(i++);
  c.company_id = st.text(i++);
  c.virtual_fax_id = st.opt_text(i++);
  c.from_number = st.text(i++);
  c.to_number = st.text(i++);
  c.carrier_id = st.opt_text(i++);
  c.started_at = st.text(i++);
  c.answered_at = st.opt_text(i++);
  c.ended_at = st.opt_text(i++);
  c.duration_s = st.opt_int64(i++);
  c.billable_s = st.opt_int64(i++);
  c.transport = st.opt_text(i++);
  if (auto v = st.opt_int64(i++)) c.bit_rate = static_cast<int>(*v);
  c.pages = st.int32(i++);
  c.result = st.text(i++);
  c.failure_code = st.opt_text(i++);
  return c;
}

void start(Conn& c, std::string_view call_id, std::string_view fax_id,
           const std::optional<std::string>& carrier_id, SysTime now) {
  const auto ts = format_rfc3339(now);
  c.exec(
      "INSERT INTO calls (id, fax_id, direction, brand_id, company_id, virtual_fax_id, "
      "from_number, to_number, carrier_id, started_at, result, created_at, updated_at) "
      "SELECT ?, id, direction, brand_id, company_id, virtual_fax_id, from_number, to_number, "
      "CAST(? AS TEXT), ?, 'running', ?, ? FROM faxes WHERE id = ?",
      call_id, carrier_id, ts, ts, ts, fax_id);
}

}  // namespace

std::int64_t billed_seconds(SysTime from, SysTime to) noexcept {
  if (to <= from) return 0;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
  return (ms + 999) / 1000;
}

void CallRepo::start_outbound(Conn& c, std::string_view call_id, std::string_view fax_id,
                              const std::optional<std::string>& carrier_id, SysTime now) {
  start(c, call_id, fax_id, carrier_id, now);
}

void CallRepo::start_inbound(Conn& c, std::string_view call_id, std::string_view fax_id,
                             const std::optional<std::string>& carrier_id, SysTime now) {
  start(c, call_id, fax_id, carrier_id, now);
}

void CallRepo::answered(Conn& c, std::string_view call_id, SysTime now) {
  const auto ts = format_rfc3339(now);
  c.exec("UPDATE calls SET answered_at = ?, updated_at = ? WHERE id = ? AND answered_at IS NULL",
         ts, ts, call_id);
}

void CallRepo::end(Conn& c, std::string_view call_id, const CallEnd& e, SysTime now) {
  std::optional<SysTime> started, answered;
  {
    auto& st = c.prepare("SELECT started_at, answered_at FROM calls WHERE id = ?");
    st.bind_all(call_id);
    if (!st.step()) return;  // a call from before this version (or deleted): nothing to bill
    started = parse_rfc3339(st.text(0));
    if (auto a = st.opt_text(1)) answered = parse_rfc3339(*a);
  }
  const auto ts = format_rfc3339(now);
  const std::int64_t duration = started ? billed_seconds(*started, now) : 0;
  const std::int64_t billable = answered ? billed_seconds(*answered, now) : 0;
  c.exec(
      "UPDATE calls SET result = ?, failure_code = ?, transport = ?, bit_rate = ?, pages = ?, "
      "ended_at = ?, duration_s = ?, billable_s = ?, updated_at = ? WHERE id = ?",
      e.result, e.failure_code, e.transport, e.bit_rate, e.pages, ts, duration, billable, ts,
      call_id);
}

std::optional<std::string> CallRepo::running_call_of(Conn& c, std::string_view fax_id) {
  auto& st = c.prepare("SELECT id FROM calls WHERE fax_id = ? AND result = 'running'");
  st.bind_all(fax_id);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

Result<void> CallRepo::mark_answered(std::string_view call_id, SysTime now) {
  return db_.write([&](Conn& c) { answered(c, call_id, now); });
}

Result<void> CallRepo::mark_inbound_answered(std::string_view fax_id, SysTime now) {
  return db_.write([&](Conn& c) {
    if (auto id = running_call_of(c, fax_id)) answered(c, *id, now);
  });
}

Result<CallPage> CallRepo::list(const CallQuery& q) {
  const int limit = std::clamp(q.limit, 1, 5000);
  std::string where;
  std::vector<std::string> args;
  auto add = [&](std::string_view cond, std::string value) {
    where += where.empty() ? " WHERE " : " AND ";
    where += cond;
    args.push_back(std::move(value));
  };
  if (q.brand_id) add("brand_id = ?", *q.brand_id);
  if (q.company_id) add("company_id = ?", *q.company_id);
  if (q.filter_company_id) add("company_id = ?", *q.filter_company_id);
  if (q.direction) add("direction = ?", *q.direction);
  if (q.carrier_id) add("carrier_id = ?", *q.carrier_id);
  if (q.result) add("result = ?", *q.result);
  // Ids are made when the call starts, so a time range is also an id range, which the
  // (scope, id) indexes walk; started_at keeps the bounds exact. An id made in a burst may run a
  // little ahead of its time, hence the slack on the upper bound.
  if (q.since) {
    add("id >= ?", id_floor(*q.since));
    add("started_at >= ?", format_rfc3339(*q.since));
  }
  if (q.until) {
    add("id < ?", id_floor(*q.until + std::chrono::seconds(1)));
    add("started_at < ?", format_rfc3339(*q.until));
  }
  if (q.cursor) add("id < ?", *q.cursor);
  const auto sql =
      fmt::format("SELECT {} FROM calls{} ORDER BY id DESC LIMIT ?", kCallColumns, where);
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(sql);
    int i = 1;
    for (const auto& a : args) st.bind(i++, a);
    st.bind(i, limit + 1);
    CallPage page;
    page.data.reserve(static_cast<std::size_t>(limit) + 1);
    while (st.step()) page.data.push_back(read_call(st));
    if (static_cast<int>(page.data.size()) > limit) {
      page.data.pop_back();
      page.next_cursor = page.data.back().id;
    }
    return page;
  });
}

}  // namespace faxd::store
