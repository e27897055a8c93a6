#pragma once
// Scheduled call CSVs (IvozProvider's call CSV schedulers): a brand (optionally narrowed to one
// of its companies) has the calls of each past day, week or month mailed as CSV to an address.
// A run at a period's end queues one outbox mail (kind "call_csv") and a report row naming the
// period, in one transaction with moving the schedule on, so a run happens once and an SMTP
// outage loses nothing (the outbox retries). Periods are in UTC: a day from 00:00, a week from
// Monday 00:00, a month from the 1st 00:00.
//
// Threads: any (blocking).
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::store {

struct CallCsvSchedule {
  std::string id;
  std::string brand_id;
  std::optional<std::string> company_id;  // nullopt: every company of the brand
  std::string name;
  std::string frequency;  // daily | weekly | monthly
  std::string email;
  std::string next_run_at;
  std::optional<std::string> last_run_at;
  std::string created_at;
  std::string updated_at;
};

struct CallCsvSchedulePatch {
  std::optional<std::string> name;
  std::optional<std::string> frequency;
  std::optional<std::string> email;
};

// The period a report covers and what it was made for (read by the mail composer).
struct CallCsvReport {
  std::string schedule_id;
  std::string brand_id;
  std::optional<std::string> company_id;
  std::string name;
  std::string frequency;
  std::string since;  // RFC 3339, inclusive
  std::string until;  // exclusive
};

// The first period boundary of `frequency` strictly after `t` (UTC), and the one before a
// boundary. Pure.
SysTime next_period_boundary(std::string_view frequency, SysTime t);
SysTime previous_period_boundary(std::string_view frequency, SysTime boundary);
bool is_csv_frequency(std::string_view s) noexcept;

class CallCsvScheduleRepo {
 public:
  CallCsvScheduleRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}

  Result<CallCsvSchedule> create(CallCsvSchedule schedule);
  Result<std::optional<CallCsvSchedule>> find(std::string_view id);
  Result<Slice<CallCsvSchedule>> list(const TenantFilter& filter, const Page& page);
  Result<CallCsvSchedule> update(std::string_view id, const CallCsvSchedulePatch& patch);
  Result<void> remove(std::string_view id);

  // Queues the report of every schedule due at `now` (mail + report row), moving each to its
  // next period. Returns how many were queued.
  Result<int> run_due(SysTime now);
  // The report an outbox mail carries; nullopt when there is none (schedule deleted).
  Result<std::optional<CallCsvReport>> report_for_mail(std::string_view mail_id);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
