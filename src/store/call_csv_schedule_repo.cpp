#include "faxd/store/call_csv_schedule_repo.hpp"

#include <chrono>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "repo_util.hpp"

namespace faxd::store {

namespace chr = std::chrono;
using detail::exists;
using detail::reject;

namespace {

constexpr std::string_view kSelect =
    "SELECT id, brand_id, company_id, name, frequency, email, next_run_at, last_run_at, "
    "created_at, updated_at FROM call_csv_schedules";

CallCsvSchedule read_schedule(const Stmt& st) {
  return {st.text(0), st.text(1), st.opt_text(2), st.text(3), st.text(4),
          st.text(5), st.text(6), st.opt_text(7), st.text(8), st.text(9)};
}

std::optional<CallCsvSchedule> load(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("{} WHERE id = ?", kSelect));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_schedule(st);
}

}  // namespace

bool is_csv_frequency(std::string_view s) noexcept {
  return s == "daily" || s == "weekly" || s == "monthly";
}

SysTime next_period_boundary(std::string_view frequency, SysTime t) {
  const auto day = chr::floor<chr::days>(t);
  if (frequency == "weekly") {
    // Days since Monday: weekday 1 is Monday.
    const chr::weekday wd{day};
    const auto since_monday = (wd.c_encoding() + 6) % 7;
    return SysTime(day - chr::days(since_monday) + chr::days(7));
  }
  if (frequency == "monthly") {
    const chr::year_month_day ymd{day};
    const auto next = chr::year_month_day{ymd.year() / ymd.month() / 1} + chr::months(1);
    return SysTime(chr::sys_days(next));
  }
  return SysTime(day + chr::days(1));
}

SysTime previous_period_boundary(std::string_view frequency, SysTime boundary) {
  const auto day = chr::floor<chr::days>(boundary);
  if (frequency == "weekly") return SysTime(day - chr::days(7));
  if (frequency == "monthly") {
    const chr::year_month_day ymd{day};
    const auto prev = chr::year_month_day{ymd.year() / ymd.month() / 1} - chr::months(1);
    return SysTime(chr::sys_days(prev));
  }
  return SysTime(day - chr::days(1));
}

Result<CallCsvSchedule> CallCsvScheduleRepo::create(CallCsvSchedule s) {
  const auto now = clock_.now();
  s.id = new_id(now);
  s.created_at = s.updated_at = format_rfc3339(now);
  s.next_run_at = format_rfc3339(next_period_boundary(s.frequency, now));
  s.last_run_at.reset();
  return db_.write([&](Conn& c) {
    if (!exists(c, "SELECT 1 FROM brands WHERE id = ?", s.brand_id))
      reject(Errc::invalid_argument, "brand_id", "brand_id: no such brand");
    if (s.company_id && !exists(c, "SELECT 1 FROM companies WHERE id = ? AND brand_id = ?",
                                *s.company_id, s.brand_id))
      reject(Errc::invalid_argument, "company_id", "company_id: no such company");
    c.exec(
        "INSERT INTO call_csv_schedules (id, brand_id, company_id, name, frequency, email, "
        "next_run_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
        s.id, s.brand_id, s.company_id, s.name, s.frequency, s.email, s.next_run_at, s.created_at,
        s.updated_at);
    return s;
  });
}

Result<std::optional<CallCsvSchedule>> CallCsvScheduleRepo::find(std::string_view id) {
  return db_.read([&](Conn& c) { return load(c, id); });
}

Result<Slice<CallCsvSchedule>> CallCsvScheduleRepo::list(const TenantFilter& f, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("brand_id = ?", *f.brand_id);
    if (f.company_id) w.add("company_id = ?", *f.company_id);
    return detail::page_query<CallCsvSchedule>(c, kSelect, w, "id", page, read_schedule);
  });
}

Result<CallCsvSchedule> CallCsvScheduleRepo::update(std::string_view id,
                                                    const CallCsvSchedulePatch& p) {
  const auto now = clock_.now();
  return db_.write([&](Conn& c) -> Result<CallCsvSchedule> {
    auto s = load(c, id);
    if (!s) return fail(Errc::not_found, "no such schedule");
    if (p.name) s->name = *p.name;
    if (p.email) s->email = *p.email;
    if (p.frequency && *p.frequency != s->frequency) {
      s->frequency = *p.frequency;
      s->next_run_at = format_rfc3339(next_period_boundary(s->frequency, now));
    }
    s->updated_at = format_rfc3339(now);
    c.exec(
        "UPDATE call_csv_schedules SET name = ?, frequency = ?, email = ?, next_run_at = ?, "
        "updated_at = ? WHERE id = ?",
        s->name, s->frequency, s->email, s->next_run_at, s->updated_at, s->id);
    return *s;
  });
}

Result<void> CallCsvScheduleRepo::remove(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (c.exec("DELETE FROM call_csv_schedules WHERE id = ?", id) == 0)
      return fail(Errc::not_found, "no such schedule");
    return {};
  });
}

Result<int> CallCsvScheduleRepo::run_due(SysTime now) {
  const auto ts = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    std::vector<CallCsvSchedule> due;
    {
      auto& st = c.prepare(fmt::format("{} WHERE next_run_at <= ? ORDER BY next_run_at", kSelect));
      st.bind_all(ts);
      while (st.step()) due.push_back(read_schedule(st));
    }
    for (const auto& s : due) {
      // The period that ended at the scheduled boundary; a daemon that was down for longer
      // sends the last complete period and moves on (no flood of old reports).
      auto until = parse_rfc3339(s.next_run_at).value_or(now);
      const auto latest =
          previous_period_boundary(s.frequency, next_period_boundary(s.frequency, now));
      if (latest > until) until = latest;
      const auto since = previous_period_boundary(s.frequency, until);
      const auto mail_id = MailOutboxRepo::enqueue(
          c, {.fax_id = std::nullopt, .kind = "call_csv", .to_address = s.email}, now);
      c.exec(
          "INSERT INTO call_csv_reports (id, schedule_id, mail_id, since, until, created_at) "
          "VALUES (?,?,?,?,?,?)",
          new_id(now), s.id, mail_id, format_rfc3339(since), format_rfc3339(until), ts);
      c.exec(
          "UPDATE call_csv_schedules SET last_run_at = ?, next_run_at = ?, updated_at = ? "
          "WHERE id = ?",
          ts, format_rfc3339(next_period_boundary(s.frequency, now)), ts, s.id);
    }
    return static_cast<int>(due.size());
  });
}

Result<std::optional<CallCsvReport>> CallCsvScheduleRepo::report_for_mail(
    std::string_view mail_id) {
  return db_.read([&](Conn& c) -> std::optional<CallCsvReport> {
    auto& st = c.prepare(
        "SELECT s.id, s.brand_id, s.company_id, s.name, s.frequency, r.since, r.until "
        "FROM call_csv_reports r JOIN call_csv_schedules s ON s.id = r.schedule_id "
        "WHERE r.mail_id = ?");
    st.bind_all(mail_id);
    if (!st.step()) return std::nullopt;
    return CallCsvReport{st.text(0), st.text(1), st.opt_text(2), st.text(3),
                         st.text(4), st.text(5), st.text(6)};
  });
}

}  // namespace faxd::store
