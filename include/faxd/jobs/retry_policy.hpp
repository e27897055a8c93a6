#pragma once
// Retries by cause, the way HylaFAX does it: each failure cause has its own delay; a fax gives up
// after a maximum number of dials (calls placed), of tries (calls that reached a fax machine and
// tried to transfer), or when its kill time has passed. Pure: time comes in as arguments.
//
// The fallback ladder: a destination that fails in one mode is tried next in a more robust one
// (T.38 with ECM -> G.711 with ECM -> G.711 without ECM at 9600 bit/s), and the mode that worked
// is remembered per destination number.
#include <chrono>
#include <optional>
#include <string_view>

#include "faxd/common/clock.hpp"
#include "faxd/common/failure.hpp"

namespace faxd::jobs {

struct RetryPolicy {
  std::chrono::seconds busy{180};
  std::chrono::seconds no_answer{300};
  std::chrono::seconds carrier_unreachable{120};
  std::chrono::seconds not_a_fax{300};
  std::chrono::seconds negotiation_failed{60};
  std::chrono::seconds transfer_failed{60};
  int max_dials = 12;  // calls placed, whatever their outcome
  int max_tries = 3;   // calls in which a fax transfer was attempted
  std::chrono::seconds kill_time{std::chrono::hours(3)};  // from creation
};

// What one attempt did, as the queue saw it.
struct AttemptOutcome {
  FailureCode failure = FailureCode::internal;
  bool reached_fax = false;  // the call was answered by a fax machine (T.30 started)
};

// The fax's history, including the attempt just ended.
struct RetryState {
  int dials = 0;
  int tries = 0;
  SysTime created_at;
};

struct RetryDecision {
  bool retry = false;
  SysTime next_attempt_at;  // when retry
  std::string_view reason;  // why we gave up, for the failure message ("" when retrying)
};

// The delay for a cause, or nullopt for causes that are final (rejected, no_route, canceled,
// document_invalid, internal).
std::optional<std::chrono::seconds> retry_delay(const RetryPolicy& policy, FailureCode cause);

RetryDecision decide_retry(const RetryPolicy& policy, const AttemptOutcome& outcome,
                           const RetryState& state, SysTime now);

// The fallback ladder, most capable first.
enum class FaxMode { t38_ecm = 0, g711_ecm = 1, g711_no_ecm = 2 };
std::string_view to_string(FaxMode mode) noexcept;
std::optional<FaxMode> parse_fax_mode(std::string_view s) noexcept;

// The mode for the next attempt after one in `used` failed with `cause`: causes that point at
// the line or the modem (negotiation, transfer) step down; others keep the mode.
FaxMode next_mode(FaxMode used, FailureCode cause);

struct ModeSettings {
  bool t38 = true;
  bool ecm = true;
  int max_bit_rate = 14400;
};
ModeSettings settings_for(FaxMode mode);

}  // namespace faxd::jobs
