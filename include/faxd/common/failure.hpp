#pragma once
// The stable set of fax failure codes of ../shared/design/api.md. Every layer (SIP, fax engine,
// queue) reports failures with these; `message` beside it carries the detail (T.30 reason text,
// SIP status line).
#include <optional>
#include <string_view>

namespace faxd {

enum class FailureCode {
  busy,                 // 486/600 or a busy tone
  no_answer,            // ringing timed out, 408/480
  rejected,             // 403/603 or another final refusal
  no_route,             // no outgoing route for the number
  carrier_unreachable,  // the carrier did not answer at all (timeout, 503, connection refused)
  not_a_fax,            // answered, but no fax tones
  negotiation_failed,   // T.30 phase B failed (capabilities, training)
  transfer_failed,      // pages lost mid-call (phase C/D errors, call dropped)
  canceled,             // by the user
  document_invalid,     // the document could not be read or sent
  internal,             // a bug or resource failure in faxd
  tenant_disabled,      // the company or its brand is switched off: the fax waits, undialled
};

std::string_view to_string(FailureCode code) noexcept;
std::optional<FailureCode> parse_failure_code(std::string_view text) noexcept;

}  // namespace faxd
