#pragma once
// RFC 3339 timestamps as the API and the store write them: UTC, millisecond precision,
// e.g. "2026-11-24T23:46:15.123Z". Text order equals time order.
#include <optional>
#include <string>
#include <string_view>

#include "faxd/common/clock.hpp"

namespace faxd {

std::string format_rfc3339(SysTime t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]"; nullopt when malformed.
std::optional<SysTime> parse_rfc3339(std::string_view text);

}  // namespace faxd
