#pragma once
// Throttles password guessing: failed logins are counted per username and per client address
// (table login_failures) in a fixed window. Once a key reaches its limit, logins for it are
// refused (even with the right password) until the window that started with its first failure
// ends. A successful login clears the username's count; the address count only ages out, so one
// address cannot probe many usernames.
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
  int max_failures_per_user = 5;
  int max_failures_per_address = 20;
  std::chrono::seconds window{15 * 60};
};

class LoginThrottle {
 public:
  LoginThrottle(Db& db, const Clock& clock, ThrottlePolicy policy = {})
      : db_(db), clock_(clock), policy_(policy) {}

  // How long the caller must wait before trying again; zero when a login may be attempted.
  Result<std::chrono::seconds> retry_after(std::string_view username, std::string_view address);
  Result<void> record_failure(std::string_view username, std::string_view address);
  Result<void> record_success(std::string_view username);

 private:
  Db& db_;
  const Clock& clock_;
  ThrottlePolicy policy_;
};

}  // namespace faxd::store
