// faxd's su_root_yield(), which replaces sofia-sip's (see sofia_yield.cpp for the bug it avoids).
#pragma once

namespace faxd::sip::detail {

// True when sofia's calls to su_root_yield() reach faxd's version (checked at start-up).
bool sofia_yield_overridden();

}  // namespace faxd::sip::detail
