#include "faxd/jobs/retry_policy.hpp"

#include <algorithm>

namespace faxd::jobs {

std::optional<std::chrono::seconds> retry_delay(const RetryPolicy& p, FailureCode cause) {
  switch (cause) {
    case FailureCode::busy:
      return p.busy;
    case FailureCode::no_answer:
      return p.no_answer;
    case FailureCode::carrier_unreachable:
      return p.carrier_unreachable;
    case FailureCode::not_a_fax:
      return p.not_a_fax;
    case FailureCode::negotiation_failed:
      return p.negotiation_failed;
    case FailureCode::transfer_failed:
      return p.transfer_failed;
    case FailureCode::rejected:
    case FailureCode::no_route:
    case FailureCode::canceled:
    case FailureCode::document_invalid:
    case FailureCode::internal:
    case FailureCode::tenant_disabled:  // held by the queue, not retried
      return std::nullopt;
  }
  return std::nullopt;
}

RetryDecision decide_retry(const RetryPolicy& p, const AttemptOutcome& outcome,
                           const RetryState& state, SysTime now) {
  const auto delay = retry_delay(p, outcome.failure);
  if (!delay) return {false, {}, "the failure is final"};
  if (state.dials >= p.max_dials) return {false, {}, "too many dials"};
  if (outcome.reached_fax && state.tries >= p.max_tries) return {false, {}, "too many tries"};
  const SysTime next = now + *delay;
  if (next >= state.created_at + p.kill_time) return {false, {}, "kill time reached"};
  return {true, next, ""};
}

std::string_view to_string(FaxMode mode) noexcept {
  switch (mode) {
    case FaxMode::t38_ecm:
      return "t38_ecm";
    case FaxMode::g711_ecm:
      return "g711_ecm";
    case FaxMode::g711_no_ecm:
      return "g711_no_ecm";
  }
  return "t38_ecm";
}

std::optional<FaxMode> parse_fax_mode(std::string_view s) noexcept {
  for (auto m : {FaxMode::t38_ecm, FaxMode::g711_ecm, FaxMode::g711_no_ecm})
    if (to_string(m) == s) return m;
  return std::nullopt;
}

FaxMode next_mode(FaxMode used, FailureCode cause) {
  const bool line_trouble =
      cause == FailureCode::negotiation_failed || cause == FailureCode::transfer_failed;
  if (!line_trouble) return used;
  return static_cast<FaxMode>(
      std::min(static_cast<int>(used) + 1, static_cast<int>(FaxMode::g711_no_ecm)));
}

ModeSettings settings_for(FaxMode mode) {
  switch (mode) {
    case FaxMode::t38_ecm:
      return {true, true, 14400};
    case FaxMode::g711_ecm:
      return {false, true, 14400};
    case FaxMode::g711_no_ecm:
      return {false, false, 9600};
  }
  return {};
}

}  // namespace faxd::jobs
