#include "faxd/mail/retry_policy.hpp"

#include <algorithm>

namespace faxd::mail {

std::chrono::seconds retry_delay(const RetryPolicy& policy, int attempts) {
  auto delay = policy.first;
  // Doubling stops at the cap, so the loop runs at most ~log2(cap/first) times.
  for (int i = 1; i < attempts && delay < policy.cap; ++i) delay *= 2;
  return std::min(delay, policy.cap);
}

bool gives_up(const RetryPolicy& policy, SysTime queued_at, SysTime now) {
  return now - queued_at >= policy.give_up_after;
}

}  // namespace faxd::mail
