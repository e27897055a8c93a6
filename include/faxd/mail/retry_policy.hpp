#pragma once
// Retry schedule of the mail outbox and of webhook deliveries: exponential backoff from `first`,
// doubling per attempt, capped at `cap`, abandoned once `give_up_after` has passed since the item
// was queued. Pure functions of their arguments (no clock).
#include <chrono>

#include "faxd/common/clock.hpp"

namespace faxd::mail {

struct RetryPolicy {
  std::chrono::seconds first{30};
  std::chrono::seconds cap{std::chrono::hours(1)};
  std::chrono::seconds give_up_after{std::chrono::hours(72)};
};

// Mail: 30 s, 1 min, 2 min ... capped at 1 h, for 3 days (a mail server down over a weekend).
inline constexpr RetryPolicy kMailRetry{};
// Webhooks: 5 s, 10 s, 20 s ... capped at 1 h, for 3 days.
inline constexpr RetryPolicy kWebhookRetry{std::chrono::seconds(5), std::chrono::hours(1),
                                           std::chrono::hours(72)};

// Delay before the next try after `attempts` failed tries (attempts >= 1; smaller counts as 1).
std::chrono::seconds retry_delay(const RetryPolicy& policy, int attempts);
// True when an item queued at `queued_at` must not be tried again at `now`.
bool gives_up(const RetryPolicy& policy, SysTime queued_at, SysTime now);

}  // namespace faxd::mail
