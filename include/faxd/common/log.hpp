#pragma once
// Logging setup. Every subsystem logs through spdlog's default logger; lines about a call or a
// fax carry `call=<id>` / `fax=<id>` and a stable event name first, e.g.
//   spdlog::info("sip.invite_in call={} from={}", ...)
// In JSON format the event name and key=value pairs become fields.
#include <string>
#include <string_view>

#include "faxd/common/error.hpp"

namespace faxd {

enum class LogFormat { text, json };

// Installs the default logger writing to stderr. Level names as spdlog's: trace debug info warn
// error critical off.
Result<void> setup_logging(std::string_view level, LogFormat format);
Result<void> set_log_level(std::string_view level);

}  // namespace faxd
