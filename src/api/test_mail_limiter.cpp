#include "test_mail_limiter.hpp"

namespace faxd::api {

long long TestMailLimiter::take(const std::string& user_id) {
  const auto now = clock_.steady_now();
  std::lock_guard lock(mutex_);
  // Forget users whose log has run out, so the map stays as small as the active users.
  for (auto it = sent_.begin(); it != sent_.end();) {
    auto& log = it->second;
    while (!log.empty() && now - log.front() >= window_) log.pop_front();
    it = log.empty() ? sent_.erase(it) : std::next(it);
  }
  auto& log = sent_[user_id];
  if (static_cast<int>(log.size()) >= limit_) {
    const auto wait = window_ - (now - log.front());
    return std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
  }
  log.push_back(now);
  return 0;
}

}  // namespace faxd::api
