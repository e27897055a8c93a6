#pragma once
// sofia_logger: sofia-sip's log output redirected to spdlog (used by engine_impl.cpp).
#include <cstdarg>
#include <string>

namespace faxd::sip {

// The last lines sofia logged on this thread (to explain a failed start).
extern thread_local std::string last_stack_lines;

// sofia logs printf fragments; whole lines go to spdlog at debug as `sip.stack`.
void sofia_logger(void*, char const* fmt, va_list ap) noexcept;

}  // namespace faxd::sip
