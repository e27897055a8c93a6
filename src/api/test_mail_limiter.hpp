#pragma once
// How many test mails one user may send: at most `limit` in any `window` (a sliding log per
// user). In memory: a limit per node, enough to stop a loop or a script from turning the test
// button into a mail cannon. Threads: any (one mutex).
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "faxd/common/clock.hpp"

namespace faxd::api {

class TestMailLimiter {
 public:
  TestMailLimiter(const Clock& clock, int limit, std::chrono::seconds window)
      : clock_(clock), limit_(limit), window_(window) {}

  // 0 when the user may send one now (and counts it), else the seconds to wait.
  long long take(const std::string& user_id);

 private:
  const Clock& clock_;
  const int limit_;
  const std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<std::chrono::steady_clock::time_point>> sent_;
};

}  // namespace faxd::api
