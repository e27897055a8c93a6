#include "faxd/mail/call_csv_mail.hpp"

#include <fmt/format.h>

#include "faxd/common/time.hpp"
#include "faxd/store/call_csv.hpp"

namespace faxd::mail {

namespace {
std::string day_of(const std::string& rfc3339) {
  return rfc3339.substr(0, 10);
}
std::string compact(const std::string& rfc3339) {
  std::string out;
  for (char c : day_of(rfc3339))
    if (c != '-') out += c;
  return out;
}
}  // namespace

MailComposer call_csv_composer(store::CallCsvScheduleRepo& schedules, store::CallRepo& calls,
                               std::size_t max_bytes) {
  return [&schedules, &calls, max_bytes](const store::OutboxMail& m,
                                         SysTime) -> Result<MailMessage> {
    auto report = schedules.report_for_mail(m.id);
    if (!report) return std::unexpected(report.error());
    if (!*report) return fail(Errc::invalid_argument, "the call CSV schedule was deleted");
    const auto& r = **report;
    store::CallQuery q;
    q.brand_id = r.brand_id;
    q.company_id = r.company_id;
    q.since = parse_rfc3339(r.since);
    q.until = parse_rfc3339(r.until);
    q.limit = 5000;
    std::string csv(store::call_csv_header());
    std::size_t rows = 0;
    long long billable = 0;
    bool too_large = false;
    for (;;) {
      auto page = calls.list(q);
      if (!page) return std::unexpected(page.error());
      for (const auto& c : page->data) {
        ++rows;
        billable += c.billable_s.value_or(0);
        if (!too_large) store::append_call_csv(csv, c);
        if (csv.size() > max_bytes) too_large = true;
      }
      if (!page->next_cursor) break;
      q.cursor = page->next_cursor;
    }
    const auto last_day = parse_rfc3339(r.until).value_or(SysTime{}) - std::chrono::seconds(1);
    const auto period = fmt::format("{} to {}", day_of(r.since), day_of(format_rfc3339(last_day)));
    MailMessage msg;
    msg.subject = fmt::format("Fax calls {}: {}", r.name, period);
    msg.text = fmt::format("Fax calls of {} ({}, {} UTC): {} call{}, {} billable second{}.\n",
                           r.name, r.frequency, period, rows, rows == 1 ? "" : "s", billable,
                           billable == 1 ? "" : "s");
    if (too_large) {
      msg.text += fmt::format(
          "\nThe CSV is too large to mail; fetch it with GET /api/v1/calls?format=csv&since={}"
          "&until={}\n",
          r.since, r.until);
    } else {
      msg.attachments.push_back(
          {fmt::format("calls-{}-{}.csv", compact(r.since), compact(format_rfc3339(last_day))),
           "text/csv", std::move(csv)});
    }
    return msg;
  };
}

}  // namespace faxd::mail
