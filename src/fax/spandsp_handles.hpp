#pragma once
// Owners for spandsp handles (internal to faxd_fax).
#include <memory>

#include <spandsp.h>

namespace faxd::fax {

struct FaxStateFree {
  void operator()(fax_state_t* s) const noexcept { fax_free(s); }
};
struct T38TerminalFree {
  void operator()(t38_terminal_state_t* s) const noexcept { t38_terminal_free(s); }
};
using FaxStatePtr = std::unique_ptr<fax_state_t, FaxStateFree>;
using T38TerminalPtr = std::unique_ptr<t38_terminal_state_t, T38TerminalFree>;

}  // namespace faxd::fax
