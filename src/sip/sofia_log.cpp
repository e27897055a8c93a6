// sofia_logger: sofia-sip's log output redirected to spdlog, the last lines kept for errors.
#include "sofia_log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace faxd::sip {

// The last lines sofia logged on this thread (to explain a failed start).
thread_local std::string last_stack_lines;

// sofia logs printf fragments; whole lines go to spdlog at debug as `sip.stack`.
void sofia_logger(void*, char const* fmt, va_list ap) noexcept {
  try {
    thread_local std::string line;
    char buf[1024];
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(buf, sizeof buf, fmt, copy);
    va_end(copy);
    if (n <= 0) return;
    line.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
    for (auto nl = line.find('\n'); nl != std::string::npos; nl = line.find('\n')) {
      if (nl > 0) {
        spdlog::debug("sip.stack {}", line.substr(0, nl));
        if (last_stack_lines.size() > 512) last_stack_lines.clear();
        last_stack_lines += (last_stack_lines.empty() ? "" : "; ") + line.substr(0, nl);
      }
      line.erase(0, nl + 1);
    }
  } catch (...) {
  }
}

}  // namespace faxd::sip
