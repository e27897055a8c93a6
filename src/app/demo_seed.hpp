#pragma once
// `[demo] enabled = true` on an empty store: a demo brand and company, a company admin
// (demo / demo), a virtual fax "Demo fax" with the DDI +15550000100 routed to it (also its
// outgoing DDI), and a carrier plus a fax route pointing at faxd's own SIP address, so a fax
// sent to the demo DDI comes back in through SIP and lands in the Inbox.
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/config/config.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/user_repo.hpp"

namespace faxd::app {

inline constexpr std::string_view kDemoUser = "demo";
inline constexpr std::string_view kDemoPassword = "demo";
inline constexpr std::string_view kDemoDdi = "+15550000100";

// Seeds once: does nothing when any brand exists. Returns true when it seeded.
Result<bool> seed_demo(store::Db& db, store::UserRepo& users, const Clock& clock,
                       const config::Config& config);

}  // namespace faxd::app
