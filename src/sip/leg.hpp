#pragma once
// Leg: one call inside SipEngine (internal to faxd_sip): its nua handle, its state machine, its
// media and its owner's callbacks. Lives on the control thread; owned by SipEngine::Impl.
#include <sofia-sip/nua.h>

#include <chrono>
#include <memory>
#include <string>

#include "faxd/sip/call_core.hpp"
#include "faxd/sip/sip_engine.hpp"

namespace faxd::sip {

// One call: its nua handle, its state machine and its media.
struct Leg {
  std::string id;
  bool outbound = false;
  nua_handle_t* nh = nullptr;
  std::unique_ptr<CallCore> core;
  std::unique_ptr<fax::CallMedia> media;
  CallCallbacks callbacks;
  OutboundCall out;  // outbound: credentials and target
  std::string request_url;
  std::string challenge;  // "Digest:\"realm\"" of the last 401/407
  std::string offer;      // inbound: the INVITE's body, kept while the handler decides
  bool deciding = false;
  std::chrono::steady_clock::time_point decide_deadline{};
  bool tcp = false;            // the dialog runs over TCP: our Contact says so
  std::string contact;         // our Contact for this dialog ("" = the stack's default)
  bool require_timer = false;  // the INVITE being answered asked for session timers
  bool peer_allows_update = false;
  bool session_timer = false;  // Session-Expires seen in this dialog
  bool finished = false;       // on_end was called (or the call never got that far)
  bool dialog_gone = false;    // nua reported the call terminated
  std::string stack_error;     // the stack's last nua_i_error ("408 ACK Timeout")
  std::chrono::steady_clock::time_point release_at{};

  ~Leg() {
    if (nh) {
      nua_handle_bind(nh, nullptr);
      nua_handle_destroy(nh);
    }
  }
};

}  // namespace faxd::sip
