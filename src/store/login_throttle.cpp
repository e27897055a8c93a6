#include "faxd/store/login_throttle.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "faxd/common/time.hpp"

namespace faxd::store {

namespace {

// Both parts are bounded by the callers (username 200 bytes at most, an IP address); the
// separator cannot occur in an address.
std::string pair_key(std::string_view username, std::string_view address) {
  return fmt::format("pair:{}|{}", address, username);
}
std::string addr_key(std::string_view address) {
  return fmt::format("addr:{}", address);
}

struct Count {
  int failures = 0;
  SysTime last_failure;
};

std::optional<Count> load(Conn& c, const std::string& key) {
  auto& st = c.prepare("SELECT failures, window_start FROM login_failures WHERE key = ?");
  st.bind_all(key);
  if (!st.step()) return std::nullopt;
  auto last = parse_rfc3339(st.text(1));
  if (!last) return std::nullopt;
  return Count{st.int32(0), *last};
}

}  // namespace

std::chrono::seconds LoginThrottle::delay_after(int failures, int free) const noexcept {
  if (failures < free) return std::chrono::seconds{0};
  const int doublings = std::min(failures - free, 30);
  const auto d = policy_.first_delay * (std::int64_t{1} << doublings);
  return std::min<std::chrono::seconds>(d, policy_.max_delay);
}

Result<std::chrono::seconds> LoginThrottle::retry_after(std::string_view username,
                                                        std::string_view address) {
  const auto now = clock_.now();
  return db_.read([&](Conn& c) {
    std::chrono::seconds wait{0};
    auto check = [&](const std::string& key, int free) {
      auto n = load(c, key);
      if (!n || n->last_failure + policy_.window <= now) return;
      const auto until = n->last_failure + delay_after(n->failures, free);
      if (until <= now) return;
      wait = std::max(wait, std::chrono::ceil<std::chrono::seconds>(until - now));
    };
    check(pair_key(username, address), policy_.free_failures_per_user);
    check(addr_key(address), policy_.free_failures_per_address);
    return wait;
  });
}

Result<void> LoginThrottle::record_failure(std::string_view username, std::string_view address) {
  const auto now = clock_.now();
  const auto now_text = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    for (const auto& key : {pair_key(username, address), addr_key(address)}) {
      auto n = load(c, key);
      const int failures = (!n || n->last_failure + policy_.window <= now) ? 1 : n->failures + 1;
      c.exec(
          "INSERT INTO login_failures (key, failures, window_start) VALUES (?,?,?) "
          "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
          "window_start = excluded.window_start",
          key, failures, now_text);
    }
    // Forgotten counts are dead weight: drop them now and then (cheap, indexed by key only).
    c.exec("DELETE FROM login_failures WHERE window_start < ?",
           format_rfc3339(now - 4 * policy_.window));
  });
}

Result<void> LoginThrottle::record_success(std::string_view username, std::string_view address) {
  return db_.write([&](Conn& c) {
    c.exec("DELETE FROM login_failures WHERE key = ?", pair_key(username, address));
  });
}

}  // namespace faxd::store
