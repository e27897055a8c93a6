#include "faxd/store/login_throttle.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "faxd/common/time.hpp"

namespace faxd::store {

namespace {

std::string user_key(std::string_view username) {
  return fmt::format("user:{}", username);
}
std::string addr_key(std::string_view address) {
  return fmt::format("addr:{}", address);
}

struct Count {
  int failures = 0;
  SysTime window_start;
};

std::optional<Count> load(Conn& c, const std::string& key) {
  auto& st = c.prepare("SELECT failures, window_start FROM login_failures WHERE key = ?");
  st.bind_all(key);
  if (!st.step()) return std::nullopt;
  auto start = parse_rfc3339(st.text(1));
  if (!start) return std::nullopt;
  return Count{st.int32(0), *start};
}

}  // namespace

Result<std::chrono::seconds> LoginThrottle::retry_after(std::string_view username,
                                                        std::string_view address) {
  const auto now = clock_.now();
  return db_.read([&](Conn& c) {
    std::chrono::seconds wait{0};
    auto check = [&](const std::string& key, int limit) {
      auto n = load(c, key);
      if (!n || n->failures < limit) return;
      const auto end = n->window_start + policy_.window;
      if (end <= now) return;
      wait = std::max(wait, std::chrono::ceil<std::chrono::seconds>(end - now));
    };
    check(user_key(username), policy_.max_failures_per_user);
    check(addr_key(address), policy_.max_failures_per_address);
    return wait;
  });
}

Result<void> LoginThrottle::record_failure(std::string_view username, std::string_view address) {
  const auto now = clock_.now();
  return db_.write([&](Conn& c) {
    for (const auto& key : {user_key(username), addr_key(address)}) {
      auto n = load(c, key);
      if (!n || n->window_start + policy_.window <= now) {
        c.exec(
            "INSERT INTO login_failures (key, failures, window_start) VALUES (?, 1, ?) "
            "ON CONFLICT (key) DO UPDATE SET failures = 1, window_start = excluded.window_start",
            key, format_rfc3339(now));
      } else {
        c.exec("UPDATE login_failures SET failures = failures + 1 WHERE key = ?", key);
      }
    }
    // Expired windows are dead weight: drop them now and then (cheap, indexed by key only).
    c.exec("DELETE FROM login_failures WHERE window_start < ?",
           format_rfc3339(now - 4 * policy_.window));
  });
}

Result<void> LoginThrottle::record_success(std::string_view username) {
  return db_.write(
      [&](Conn& c) { c.exec("DELETE FROM login_failures WHERE key = ?", user_key(username)); });
}

}  // namespace faxd::store
