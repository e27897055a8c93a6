#pragma once
// The fallback ladder's memory of one destination, as pure functions over a plain record: which
// fax mode to dial it in (T.38+ECM -> G.711+ECM -> G.711 without ECM at 9600), when to step down
// and when to climb back. Time comes in as arguments.
//
// A destination steps down only on repeated line failures that are its own: `strikes_to_step`
// strikes (negotiation or transfer failures) in the mode it is dialled in, within
// `strike_window`, in calls where our side was healthy. Failures that come together are one
// occasion: a failure counts as a strike only `strike_gap` or more after the previous strike, so
// a burst of simultaneous failures (many calls dropped in the same second) is one strike. A
// failure in a call during which our own media engine was overloaded (its tick late or
// resynchronised) is ours, not the destination's, and counts for nothing: one bad spell of our
// own must not demote a number for everyone. A success in the current mode clears the strikes;
// a success in a higher mode (a call dialled before a step down) climbs back to it; a success in
// a lower mode only shows that mode works and changes nothing. A step down decays: after
// `step_up_after` without a new step the destination is tried one step higher again (and so on,
// one step per period, up to T.38).
#include <chrono>
#include <optional>

#include "faxd/common/clock.hpp"
#include "faxd/common/failure.hpp"
#include "faxd/jobs/retry_policy.hpp"

namespace faxd::jobs {

struct LadderPolicy {
  int strikes_to_step = 2;
  std::chrono::seconds strike_window{std::chrono::hours(6)};
  std::chrono::seconds strike_gap{std::chrono::minutes(1)};  // failures closer: one occasion
  std::chrono::seconds step_up_after{std::chrono::hours(24)};
};

struct LadderEntry {
  FaxMode mode = FaxMode::t38_ecm;  // as last recorded (see ladder_mode for the one to use)
  int strikes = 0;  // occasions of line failure in `mode` since the last success or step
  std::optional<SysTime> last_strike_at;
  std::optional<SysTime> stepped_at;  // when `mode` was last stepped down to (or decayed to)
};

// What one attempt taught us.
struct LadderEvent {
  FaxMode used = FaxMode::t38_ecm;
  bool ok = false;
  FailureCode cause = FailureCode::internal;
  bool reached_fax = false;     // T.30 ran: only then can the line or the machine be blamed
  bool local_overload = false;  // our media engine was overloaded during the call
};

// The mode to dial now: the recorded one, climbed back one step per `step_up_after` elapsed
// since the last step down.
FaxMode ladder_mode(const LadderEntry& entry, const LadderPolicy& policy, SysTime now);

// The entry after an attempt. Outcomes in another mode than the one to use now (a fax that was
// already under way when the mode changed) only count when they succeed.
LadderEntry ladder_after(const LadderEntry& entry, const LadderPolicy& policy,
                         const LadderEvent& event, SysTime now);

}  // namespace faxd::jobs
