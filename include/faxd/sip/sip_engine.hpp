#pragma once
// SipEngine: fax calls in and out over SIP (sofia-sip nua, UDP and TCP on `[sip] listen`).
//
// Inbound: an INVITE from a source address not in the allow-list (set_allowed_sources) is
// refused with 403 at once, without asking anyone; over UDP it is read off the socket before
// sofia sees it and answered with one stateless 403 (or nothing: [sip] strangers = "drop"), so
// a forged source draws at most one reply, never a 100 and a retransmitted 403. Otherwise the
// CallHandler decides (the DDI lookup): reject with a status (404 for an unknown DDI) or accept
// with a FaxJob; accepted calls are answered with G.711 (or T.38 when offered directly) and switch
// to T.38 by re-INVITE. Outbound: dial() sends an INVITE with G.711 to the carrier, answers digest
// challenges with the carrier's credentials, then switches to T.38 unless the carrier refuses (or
// t38 is off), in which case the fax runs in audio mode. Every call ends with one CallOutcome.
//
// Threads: sofia's su_root is stepped from an Asio timer on the io_context passed in (the
// control thread): one thread, no locks. Every method and every callback (CallHandler,
// CallCallbacks) runs on that thread, except where marked "any thread" (Decide, CallHandle::
// cancel, set_allowed_sources), which post to it. Media engine callbacks arrive on the media thread
// and are posted. Ownership: the App owns SipEngine; SipEngine owns the calls and their CallMedia;
// MediaEngine and CallHandler must outlive it. Destroying it without shutdown() drops calls without
// BYE.
//
// Logs: every line about a call is `sip.<event> call=<id> ...`.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/config/config.hpp"
#include "faxd/fax/call_media.hpp"
#include "faxd/sip/call_core.hpp"
#include "faxd/sip/call_types.hpp"

namespace boost::asio {
class io_context;
}

namespace faxd::sip {

enum class SipTransport { udp, tcp };

// What the CallHandler knows about an inbound INVITE.
struct InboundCall {
  std::string call_id;         // faxd's id of this call (in every log line)
  std::string sip_call_id;     // the Call-ID header
  std::string source_address;  // the packet's source IP (canonical text form)
  std::uint16_t source_port = 0;
  std::string request_user;  // Request-URI user part
  std::string to_user;
  std::string from_user;      // the caller's number
  std::string called_number;  // what to look up as a DDI: request_user, else to_user
};

struct InboundDecision {
  int status = 0;      // 0: accept; else reject with this status (403, 404, 480, 486, 503, ...)
  std::string reason;  // reason phrase of a rejection; "" = the standard one
  fax::FaxJob job;     // accept: what to run (direction receive)
  bool t38_allowed = true;  // accept: false = the carrier has no T.38 (fax in G.711 only)
  CallCallbacks callbacks;  // accept: progress and the end of the call

  static InboundDecision reject(int status, std::string reason = {});
  static InboundDecision accept(fax::FaxJob job, CallCallbacks callbacks);
};

// Call exactly once, from any thread. Not calling it within `decide_timeout` refuses the call.
using Decide = std::function<void(InboundDecision)>;

class CallHandler {
 public:
  virtual ~CallHandler() = default;
  // Control thread. May answer at once (call `decide` before returning) or later.
  virtual void on_inbound_invite(const InboundCall& call, Decide decide) = 0;
};

struct OutboundCall {
  std::string carrier_host;  // IP or DNS name
  std::uint16_t carrier_port = 5060;
  SipTransport transport = SipTransport::udp;
  std::string username;  // digest credentials; empty = none
  std::string password;
  bool t38_allowed = true;  // false: fax in G.711 audio mode only
  std::string from_number;  // our caller id (From user)
  std::string to_number;    // the number dialed (Request-URI user)
  fax::FaxJob job;          // direction send; job.call_id names the call in logs ("" = new id)
};

// A dialed call. Holding it keeps nothing alive; cancel() after the end does nothing.
class CallHandle {
 public:
  virtual ~CallHandle() = default;
  virtual const std::string& call_id() const = 0;
  // Any thread. CANCEL while ringing, BYE when answered; the outcome is `canceled`.
  virtual void cancel() = 0;
};

struct SipEngineOptions {
  config::HostPort listen{"127.0.0.1", 5060};
  std::string public_address;  // Contact and SDP address behind NAT; "" = listen/media address
  config::T38Config t38;       // enabled, reinvite_after_s
  CallTimers timers;           // ring, stall, max duration (reinvite_after taken from t38)
  std::chrono::milliseconds decide_timeout = std::chrono::seconds(10);
  std::string user_agent = "faxd";  // User-Agent and Server headers: no stack version
  // Proxies in front (Kamailio): an INVITE from one of these is taken to come from the address
  // its X-Faxd-Source header names (the carrier, as the proxy saw it), and is refused without
  // that header; the header means nothing from any other source.
  std::vector<std::string> trusted_proxies;
  // New INVITEs over UDP from addresses neither allowed nor a trusted proxy: one stateless 403,
  // or nothing.
  config::Strangers strangers = config::Strangers::reject;
  int rtp_redundancy = 0;  // [media] rtp_redundancy: > 0 offers and accepts RFC 2198 "red"
};

// The options from faxd's configuration ([sip] listen and public_address, [t38]); timers keep
// their defaults.
SipEngineOptions options_from_config(const config::Config& config);

class SipEngine {
 public:
  SipEngine(boost::asio::io_context& io, fax::MediaEngine& media, CallHandler& handler,
            const Clock& clock, SipEngineOptions options);
  ~SipEngine();
  SipEngine(const SipEngine&) = delete;
  SipEngine& operator=(const SipEngine&) = delete;

  // Binds UDP and TCP on options.listen and starts stepping the stack. Fails with a clear
  // message when the address cannot be bound.
  Result<void> start();

  // Inbound INVITEs are taken only from these addresses (IP literals; v4, v6 or v4-mapped;
  // the App resolves carrier host names). Replaces the previous set; empty refuses every
  // inbound call. Any thread: takes effect on the control thread right after.
  void set_allowed_sources(const std::vector<std::string>& addresses);

  // Places a call. Callbacks run on the control thread; on_end exactly once (also when the
  // call cannot even start, e.g. no media ports: then before dial returns).
  std::shared_ptr<CallHandle> dial(OutboundCall call, CallCallbacks callbacks);

  // Stops taking calls (503), hangs up running ones (their outcomes report it), shuts the
  // stack down and then calls `done` (control thread).
  void shutdown(std::function<void()> done);

  int active_calls() const;
  // INVITEs refused with 403 because their source is not allowed, since start. Any thread.
  std::uint64_t refused_sources() const;

  class Impl;  // the nua glue (src/sip/sip_engine.cpp)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace faxd::sip
