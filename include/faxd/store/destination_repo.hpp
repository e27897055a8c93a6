#pragma once
// Per-destination memory of the fax mode to use (the fallback ladder of jobs/retry_policy.hpp).
#include <optional>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

// One destination's row: the ladder's state as stored (times RFC 3339).
struct DestinationRecord {
  std::string mode;
  int strikes = 0;
  std::optional<std::string> last_strike_at;
  std::optional<std::string> stepped_at;
};

class DestinationRepo {
 public:
  DestinationRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}
  // The mode name remembered for `number`, if any.
  Result<std::optional<std::string>> mode(std::string_view number);
  Result<void> set_mode(std::string_view number, std::string_view mode);
  Result<std::optional<DestinationRecord>> record(std::string_view number);
  Result<void> save(std::string_view number, const DestinationRecord& record);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
