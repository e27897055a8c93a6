#include "faxd/jobs/fallback_ladder.hpp"

#include <algorithm>

namespace faxd::jobs {
namespace {

constexpr int kLowest = static_cast<int>(FaxMode::g711_no_ecm);

bool line_trouble(FailureCode cause) {
  return cause == FailureCode::negotiation_failed || cause == FailureCode::transfer_failed;
}

// The entry as it stands now: decayed steps applied.
LadderEntry settled(const LadderEntry& e, const LadderPolicy& p, SysTime now) {
  LadderEntry out = e;
  const int mode = static_cast<int>(e.mode);
  if (mode == 0 || !e.stepped_at || p.step_up_after.count() <= 0 || now < *e.stepped_at) {
    return out;
  }
  const auto periods = static_cast<int>((now - *e.stepped_at) / p.step_up_after);
  if (periods <= 0) return out;
  const int up = std::min(periods, mode);
  out.mode = static_cast<FaxMode>(mode - up);
  out.strikes = 0;
  out.last_strike_at.reset();
  // The climb happened at the end of the last whole period.
  out.stepped_at = *e.stepped_at + up * p.step_up_after;
  if (out.mode == FaxMode::t38_ecm) out.stepped_at.reset();
  return out;
}

}  // namespace

FaxMode ladder_mode(const LadderEntry& entry, const LadderPolicy& policy, SysTime now) {
  return settled(entry, policy, now).mode;
}

LadderEntry ladder_after(const LadderEntry& entry, const LadderPolicy& policy,
                         const LadderEvent& event, SysTime now) {
  LadderEntry e = settled(entry, policy, now);
  if (event.ok) {
    // A success in a lower mode than the current one only shows that mode works: no step down.
    if (static_cast<int>(event.used) > static_cast<int>(e.mode)) return e;
    if (event.used != e.mode) {  // a higher mode worked: climb back to it
      e.mode = event.used;
      e.stepped_at = event.used == FaxMode::t38_ecm ? std::nullopt : std::optional<SysTime>(now);
    }
    e.strikes = 0;
    e.last_strike_at.reset();
    return e;
  }
  if (!event.reached_fax || !line_trouble(event.cause) || event.local_overload ||
      event.used != e.mode) {
    return e;
  }
  // Failures close to the last strike are the same occasion (a burst of simultaneous calls).
  if (e.last_strike_at && now >= *e.last_strike_at && now - *e.last_strike_at < policy.strike_gap) {
    return e;
  }
  if (e.last_strike_at && now - *e.last_strike_at > policy.strike_window) e.strikes = 0;
  ++e.strikes;
  e.last_strike_at = now;
  if (e.strikes >= policy.strikes_to_step && static_cast<int>(e.mode) < kLowest) {
    e.mode = static_cast<FaxMode>(static_cast<int>(e.mode) + 1);
    e.strikes = 0;
    e.last_strike_at.reset();
    e.stepped_at = now;
  }
  return e;
}

}  // namespace faxd::jobs
