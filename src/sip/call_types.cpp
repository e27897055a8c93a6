#include "faxd/sip/call_types.hpp"

namespace faxd::sip {

FailureCode failure_for_status(int status, bool local) noexcept {
  if (status == 486 || status == 600) return FailureCode::busy;
  if (local && status >= 400) return FailureCode::carrier_unreachable;
  if (status == 408 || status == 480 || status == 487) return FailureCode::no_answer;
  if (status == 503) return FailureCode::carrier_unreachable;
  return FailureCode::rejected;
}

}  // namespace faxd::sip
