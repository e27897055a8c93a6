#pragma once
// Times as people at a company read them: in its time zone (IANA name; unknown = UTC) and
// language ("es..." Spanish, else English). Pure functions; any thread.
#include <string>
#include <string_view>

#include "faxd/common/clock.hpp"

namespace faxd {

// Short, for a fax page header line or a cover page: "5 dic 2026 23:30" / "Dec 5, 2026 23:30".
std::string format_local_short(SysTime t, std::string_view timezone, std::string_view language);

// For file names: "20261205-233000" in the zone.
std::string format_local_compact(SysTime t, std::string_view timezone);

}  // namespace faxd
