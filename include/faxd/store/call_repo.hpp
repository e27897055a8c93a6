#pragma once
// Call detail records (table calls): one row per call attempt, outbound (one per carrier dialled)
// and inbound (one per call taken), for billing. The fax repository writes them in the same
// transactions as the fax's own changes (the start_* / end_* functions take its Conn); the list
// and the CSV read them. Rows outlive their fax: deleting a fax or purging its document keeps
// what was billed.
//
// Durations are whole seconds rounded up, as carriers bill: duration_s from the INVITE to the
// end, billable_s from the answer to the end (0 for an unanswered call).
//
// Threads: any (blocking; call from the worker pool or the queue's thread).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct Call {
  std::string id;
  std::string fax_id;
  std::string direction;  // outbound | inbound
  std::string brand_id;
  std::string company_id;
  std::optional<std::string> virtual_fax_id;
  std::string from_number;
  std::string to_number;
  std::optional<std::string> carrier_id;
  std::string started_at;
  std::optional<std::string> answered_at;
  std::optional<std::string> ended_at;
  std::optional<std::int64_t> duration_s;
  std::optional<std::int64_t> billable_s;
  std::optional<std::string> transport;
  std::optional<int> bit_rate;
  int pages = 0;
  std::string result;  // running | delivered | received | failed | canceled
  std::optional<std::string> failure_code;
};

// How a call ended.
struct CallEnd {
  std::string result;
  std::optional<std::string> failure_code;
  std::optional<std::string> transport;
  std::optional<int> bit_rate;
  int pages = 0;
};

// Which calls a list returns; unset members do not filter. `brand_id` / `company_id` are the
// caller's scope; the others are the request's filters.
struct CallQuery {
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
  std::optional<std::string> filter_company_id;
  std::optional<std::string> direction;
  std::optional<std::string> carrier_id;
  std::optional<std::string> result;
  std::optional<SysTime> since;       // started_at >= since
  std::optional<SysTime> until;       // started_at < until
  int limit = 50;                     // 1..5000 (the CSV walks in larger pages than the API's 500)
  std::optional<std::string> cursor;  // the last id of the previous page (newest first)
};

struct CallPage {
  std::vector<Call> data;
  std::optional<std::string> next_cursor;
};

class CallRepo {
 public:
  explicit CallRepo(Db& db) : db_(db) {}

  // Inside the fax repository's transactions.
  static void start_outbound(Conn& c, std::string_view call_id, std::string_view fax_id,
                             const std::optional<std::string>& carrier_id, SysTime now);
  static void start_inbound(Conn& c, std::string_view call_id, std::string_view fax_id,
                            const std::optional<std::string>& carrier_id, SysTime now);
  // Stamps the answer once (a second report keeps the first time).
  static void answered(Conn& c, std::string_view call_id, SysTime now);
  static void end(Conn& c, std::string_view call_id, const CallEnd& end, SysTime now);
  // The running inbound call of a fax (an inbound fax is one call).
  static std::optional<std::string> running_call_of(Conn& c, std::string_view fax_id);

  // The outbound queue's answer report (one short write).
  Result<void> mark_answered(std::string_view call_id, SysTime now);
  // An inbound fax's call was answered.
  Result<void> mark_inbound_answered(std::string_view fax_id, SysTime now);

  Result<CallPage> list(const CallQuery& query);

 private:
  Db& db_;
};

// Seconds from `from` to `to`, rounded up; 0 when `to` is not after `from`.
std::int64_t billed_seconds(SysTime from, SysTime to) noexcept;

}  // namespace faxd::store
