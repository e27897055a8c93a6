#pragma once
// What a T.30 completion code (spandsp's phase E `completion_code`, T30_ERR_*) means for a user
// and for the queue: its group, the failure code of api.md, and whether another attempt can help.
// Pure and total: unknown codes are `other` / internal / no retry.
//
// Groups and the retry decision:
//   ok             success
//   no_fax_tones   nobody faxing answered (T0/T1 expired, CED too long): not_a_fax; retry (a
//                  person or a busy machine may answer differently next time)
//   training       phase B failed on the line (cannot train, no answer to DCS, DCN instead of
//                  DIS): negotiation_failed; retry (line quality varies, speed falls back)
//   incompatible   the far end cannot do what we need (resolution, size, receive capability,
//                  identity checks): negotiation_failed; no retry (the same fax fails again)
//   page_transfer  pages lost in phases C/D (no response after a page, T2 expiry, unexpected DCN,
//                  carrier lost): transfer_failed; retry
//   call_dropped   the call went away before phase E: transfer_failed; retry
//   document       our TIFF could not be read or sent: document_invalid; no retry
//   resource       out of memory: internal; retry
//   other          internal; no retry
#include <string_view>

#include "faxd/common/failure.hpp"

namespace faxd::fax {

enum class T30Group {
  ok,
  no_fax_tones,
  training,
  incompatible,
  page_transfer,
  call_dropped,
  document,
  resource,
  other,
};

struct T30Outcome {
  T30Group group = T30Group::other;
  FailureCode failure = FailureCode::internal;  // meaningless for ok
  bool retry = false;
};

T30Outcome classify_t30_completion(int completion_code) noexcept;
// Whether a failure of this group is worth another attempt (what the queue uses).
bool retry_makes_sense(T30Group group) noexcept;
std::string_view to_string(T30Group group) noexcept;

}  // namespace faxd::fax
