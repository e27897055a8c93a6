#pragma once
// Per-destination memory of the fax mode to use (the fallback ladder of jobs/retry_policy.hpp).
#include <optional>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

class DestinationRepo {
 public:
  DestinationRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}
  // The mode name remembered for `number`, if any.
  Result<std::optional<std::string>> mode(std::string_view number);
  Result<void> set_mode(std::string_view number, std::string_view mode);

 private:
  Db& db_;
  const Clock& clock_;
};

}  // namespace faxd::store
