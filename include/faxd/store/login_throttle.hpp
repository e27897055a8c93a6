#pragma once
// Throttles password guessing without locking the right user out. Failed logins are counted per
// (username, client address) and per client address (table login_failures; window_start holds
// the time of the last failure). Each key gets a few free failures, then every further attempt
// must wait a delay that doubles with each failure (1 s, 2 s, 4 s, ... up to max_delay). A
// stranger's failures therefore slow down only the stranger's address: the same user logging in
// from elsewhere is never delayed by them. A successful login clears its (username, address)
// count; the address count only ages out, so one address cannot probe many usernames. A count is
// forgotten `window` after its last failure.
//
// The address is the client's as the HTTP server resolved it (X-Forwarded-For only from
// [http] trusted_proxies), so clients behind a proxy do not share one bucket.
//
// Threads: any; each call is one store transaction. Time comes from the injected Clock.
#include <chrono>
#include <string>
#include <string_view>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct ThrottlePolicy {
  int free_failures_per_user = 3;       // per (username, address) before delays start
  int free_failures_per_address = 20;   // per address over all usernames
  std::chrono::seconds first_delay{1};  // after the free failures; doubles with each failure
  std::chrono::seconds max_delay{15 * 60};
  std::chrono::seconds window{15 * 60};  // a count is forgotten this long after its last failure
};

class LoginThrottle {
 public:
  LoginThrottle(Db& db, const Clock& clock, ThrottlePolicy policy = {})
      : db_(db), clock_(clock), policy_(policy) {}

  // How long the caller must wait before trying again; zero when a login may be attempted.
  Result<std::chrono::seconds> retry_after(std::string_view username, std::string_view address);
  Result<void> record_failure(std::string_view username, std::string_view address);
  Result<void> record_success(std::string_view username, std::string_view address);

  // The delay after `failures` failures of a key allowed `free` ones (pure, for tests).
  std::chrono::seconds delay_after(int failures, int free) const noexcept;

 private:
  Db& db_;
  const Clock& clock_;
  ThrottlePolicy policy_;
};

}  // namespace faxd::store
