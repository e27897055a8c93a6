#pragma once
// The reader side of the `events` table (fax events, appended by the fax code with the fax
// object as JSON payload): events after a sequence number, filtered to what one user may see.
// Feeds GET /events (SSE) and the webhook fan-out.
//
// Scope (api.md "Roles and scope"): platform admin everything; brand admin its brand; company
// admin its company; user the faxes of the virtual faxes it is linked to (user_virtual_faxes).
// Threads: any thread; blocking (SQLite).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/user_repo.hpp"

namespace faxd::store {

struct Event {
  std::int64_t seq = 0;
  std::string id;
  std::string type;  // fax.queued, fax.sending, fax.page, fax.delivered, fax.failed, ...
  std::string fax_id;
  std::string brand_id;
  std::string company_id;
  std::optional<std::string> virtual_fax_id;
  std::string payload;  // the fax object, JSON text
  std::string created_at;
};

struct NewEvent {
  std::string type;
  std::string fax_id;
  std::string brand_id;
  std::string company_id;
  std::optional<std::string> virtual_fax_id;
  std::string payload;
  std::string id;  // empty: a new one
};

// Which events one viewer sees; unset members do not filter (all unset = everything).
struct EventScope {
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
  std::optional<std::string> linked_user_id;
  // The scope of a user's role. A brand or company admin without its brand/company sees nothing.
  static EventScope of(const User& user);
  static EventScope of(Role role, std::string_view user_id,
                       const std::optional<std::string>& brand_id,
                       const std::optional<std::string>& company_id);
};

class EventFeed {
 public:
  explicit EventFeed(Db& db) : db_(db) {}

  // Inside the caller's write transaction (the fax code appends with its status change).
  static std::int64_t append(Conn& c, const NewEvent& event, SysTime now);
  // Inside any transaction: events with seq > after in scope, oldest first, at most limit;
  // only seq <= up_to when given.
  static std::vector<Event> read_after(Conn& c, std::int64_t after, const EventScope& scope,
                                       int limit, std::optional<std::int64_t> up_to = std::nullopt);
  static std::int64_t last_seq(Conn& c);

  Result<std::vector<Event>> after(std::int64_t seq, const EventScope& scope, int limit);
  // The newest seq (0 when empty): where a new subscriber starts.
  Result<std::int64_t> last_seq();

 private:
  Db& db_;
};

}  // namespace faxd::store
