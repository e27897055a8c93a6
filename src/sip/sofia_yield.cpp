// A workaround for a timer bug in sofia-sip 1.12.11 (Debian 12's libsofia-sip-ua0).
//
// nta's agent timer runs the outgoing-transaction timers, then the incoming ones, and both
// read "now" from the agent (sa_millisec, set by the timer). After every fifth request it
// retransmits, the outgoing part calls su_root_yield() to "handle received packets". A packet
// handled there goes through agent_recv_message(), which ends by setting sa_millisec to 0.
// The incoming part then compares every server transaction's deadline with 0: while the stack's
// millisecond clock (NTP time in ms, modulo 2^32) is in its upper half, which is 24.8 days out
// of every 49.7, all of them look expired at once. Each call whose 200 OK is still waiting for
// its ACK is hung up by the stack with "408 ACK Timeout" (Timer H), seconds instead of 32 s
// after the answer. A burst of calls makes the retransmissions and the waiting packets that
// trigger it: in the 1000-fax bench, 100 to 1100 calls were lost this way (docs/benchmarks.md).
//
// We step the stack ourselves (SipEngine::Impl::step) and drain the socket there, so a yield
// inside a timer buys nothing. faxd's definition below takes the place of sofia's (the library
// calls it through its PLT, so the executable's symbol wins): it does no work, and packets wait
// for the next step, a few milliseconds later. nua's own timer yields after each handle too; it
// also just returns now. nea (the only other caller) is not used by faxd.
#include "sofia_yield.hpp"

#include <dlfcn.h>

#include <sofia-sip/su_wait.h>

extern "C" int su_root_yield(su_root_t* root) {
  (void)root;
  return 0;
}

namespace faxd::sip::detail {

bool sofia_yield_overridden() {
  // The symbol the dynamic linker resolves for everyone, sofia's own calls included.
  void* const resolved = ::dlsym(RTLD_DEFAULT, "su_root_yield");
  return resolved == reinterpret_cast<void*>(&su_root_yield);
}

}  // namespace faxd::sip::detail
