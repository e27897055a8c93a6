#pragma once
// Value types a SIP call reports to its owner (the App, through SipEngine callbacks), and the
// mapping from SIP final statuses to fax failure codes. Pure.
#include <functional>
#include <optional>
#include <string>

#include "faxd/common/failure.hpp"
#include "faxd/fax/call_media.hpp"

namespace faxd::sip {

struct CallProgress {
  enum class Kind {
    ringing,    // outbound: 180/183 from the far end
    answered,   // 200 to the INVITE (outbound) or sent by us (inbound)
    transport,  // the fax transport changed (audio first, then T.38): see `transport`
    page,       // the media engine confirmed a page: see `pages_done`
  };
  Kind kind = Kind::ringing;
  fax::Transport transport = fax::Transport::none;
  int pages_done = 0;
  std::string remote_station_id;
};

// How a call ended. Exactly one per call that was started (dialed or accepted).
struct CallOutcome {
  bool ok = false;                              // the fax was delivered / received
  FailureCode failure = FailureCode::internal;  // meaningful when !ok
  std::string message;                          // SIP status line, T.30 text or watchdog reason
  int sip_status = 0;  // final status of the initial INVITE (200 when answered); 0 = none came
  std::optional<fax::FaxResult> fax;                // set when the fax engine ran (call answered)
  fax::Transport transport = fax::Transport::none;  // the last transport used
};

struct CallCallbacks {
  std::function<void(const CallProgress&)> on_progress;  // may be empty
  std::function<void(const CallOutcome&)> on_end;        // exactly once
};

// The failure a final SIP status means (api.md): busy for 486/600, no_answer for 408/480/487,
// carrier_unreachable for 503 and for anything sofia made up locally (`local`: no response came
// from the network: timeouts, transport errors), rejected for every other 4xx-6xx.
FailureCode failure_for_status(int status, bool local) noexcept;

}  // namespace faxd::sip
