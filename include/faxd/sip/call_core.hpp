#pragma once
// The state machine of one fax call, without sockets, sofia or clocks: events in, actions out,
// time passed in with every event. SipEngine's nua glue feeds it SIP and media events and
// carries out the actions it returns, in order.
//
// What it decides:
// - offer/answer (through offer_answer.hpp), our SDP's o= version (bumped only on change);
// - the T.38 switch: on audio, our re-INVITE after `reinvite_after` unless the peer's came
//   first; a 488/415/606 (or a refused image stream) keeps the call on G.711 for good; 491 is
//   retried after a random delay (RFC 3261 14.1: 2.1-4 s when we own the Call-ID, else 0-2 s);
//   re-INVITEs without a media change (session refresh) are answered without touching media;
//   while the T.38 fax runs, a peer's offer back to audio is refused with 488 (agreeing would
//   leave us sending T.38 to an audio port); our audio is held from our T.38 re-INVITE until its
//   answer, so no RTP packet reaches a port that has just become the peer's UDPTL port;
// - session refresh (RFC 4028): the stack refreshes a session-timer dialog by itself, resending
//   our last INVITE (its template) or, when the peer allows UPDATE, with a bodiless UPDATE. When
//   the session changed by the peer's offer (its T.38 re-INVITE), that template is stale: a
//   refresh would re-offer audio mid-fax. So, for a peer without UPDATE, we re-INVITE once with
//   the SDP in use (same o= version), which makes it the template;
// - the end: BYE once the fax engine reported phase E; CANCEL on user cancel or ring timeout;
//   a watchdog ends a call with no fax progress for `stall_timeout` or older than
//   `max_duration`; after hang-up the fax result is awaited at most `end_grace`;
// - the outcome: the fax result when the fax engine ran, else the failure the SIP status means.
// Every call ends with exactly one Finish action; after it the core ignores all events.
//
// Thread: not thread-safe; SipEngine uses it on its own (the control) thread only.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "faxd/fax/call_media.hpp"
#include "faxd/sip/call_types.hpp"
#include "faxd/sip/offer_answer.hpp"
#include "faxd/sip/sdp.hpp"

namespace faxd::sip {

using namespace std::chrono_literals;

struct CallTimers {
  std::chrono::milliseconds reinvite_after = 2s;  // [t38] reinvite_after_s
  // Outbound calls wait this much longer: the answering side re-INVITEs to T.38 first (it is the
  // one that hears the fax tones), so both ends firing at reinvite_after would meet in 491 glare
  // on every call (476 glares in 1000 faxd-to-faxd calls, each costing 2-4 s of audio T.30).
  std::chrono::milliseconds caller_reinvite_delay = 3s;
  std::chrono::milliseconds ring_timeout = 60s;    // outbound: no answer by then -> CANCEL
  std::chrono::milliseconds stall_timeout = 180s;  // answered, no page confirmed for this long
  std::chrono::milliseconds max_duration = 2h;     // answered calls end by then whatever happens
  std::chrono::milliseconds end_grace = 15s;  // after hang-up: wait this long for the fax result
};

struct CallSettings {
  bool outbound = false;
  bool allow_t38 = true;          // [t38] enabled and, outbound, the carrier's t38
  bool have_credentials = false;  // outbound: digest credentials to answer 401/407 with
  CallTimers timers;
  std::uint32_t seed = 1;  // for glare delays and the o= session id
};

namespace action {
struct RespondInvite {  // to the pending incoming INVITE or re-INVITE
  int status = 200;
  std::string phrase;
  std::string sdp;  // empty: no body
};
struct SendInvite {  // the initial INVITE or a re-INVITE
  std::string sdp;
  bool reinvite = false;
};
struct Authenticate {};  // answer the 401/407 just reported with the carrier's credentials
struct SendCancel {};
struct SendBye {};
struct StartAudio {
  fax::Endpoint remote;
  fax::AudioCodec codec = fax::AudioCodec::pcmu;
  int red_pt = -1;  // RFC 2198 "red" agreed with this payload type; -1 none
};
struct StartT38 {
  fax::Endpoint remote;
  media::T38Params peer;
};
struct HoldAudio {  // stop (or resume) sending RTP; the modems keep running
  bool hold = true;
};
struct HangupMedia {
  FailureCode failure = FailureCode::transfer_failed;
};
struct Report {
  CallProgress progress;
};
struct Log {  // an info line `sip.<event> call=<id> <detail>`
  std::string event;
  std::string detail;
};
struct Finish {
  CallOutcome outcome;
};
}  // namespace action

using Action = std::variant<action::RespondInvite, action::SendInvite, action::Authenticate,
                            action::SendCancel, action::SendBye, action::StartAudio,
                            action::StartT38, action::HoldAudio, action::HangupMedia,
                            action::Report, action::Log, action::Finish>;
using Actions = std::vector<Action>;

class CallCore {
 public:
  using Time = std::chrono::steady_clock::time_point;
  enum class State { idle, calling, ringing, active, canceling, ending, done };

  CallCore(CallSettings settings, LocalMedia local);

  // Inbound: the INVITE was accepted by the CallHandler; answer it. Empty body = offerless
  // INVITE (we offer in the 200, the answer comes in the ACK).
  Actions start_inbound(std::string_view offer, Time now);
  // Outbound: send the INVITE with our audio offer.
  Actions start_outbound(Time now);

  // A response to our INVITE or re-INVITE. `local`: made up by the stack (timeout, transport
  // error), not received.
  Actions on_invite_response(int status, std::string_view phrase, std::string_view body, bool local,
                             Time now);
  Actions on_peer_reinvite(std::string_view body, Time now);
  Actions on_ack(std::string_view body, Time now);
  Actions on_peer_cancel(Time now);
  Actions on_peer_bye(Time now);
  // The stack ended the dialog on its own; `reason`: what it said (e.g. "408 ACK Timeout").
  Actions on_dialog_terminated(Time now, std::string_view reason = {});
  // The dialog uses session timers (Session-Expires seen in an INVITE or its 2xx);
  // `peer_allows_update`: the stack refreshes with UPDATE, so our INVITE template never matters.
  Actions on_session_timer(bool peer_allows_update, Time now);

  Actions on_fax_progress(const fax::Progress& progress, Time now);
  Actions on_fax_done(const fax::FaxResult& result, Time now);

  Actions cancel(Time now);  // the user's cancel: outcome `canceled`
  // Ends the call from our side for another reason (shutdown): CANCEL or BYE, media hung up
  // with `failure`.
  Actions abort(FailureCode failure, std::string message, Time now);
  Actions tick(Time now);  // timers: call at least every few hundred ms

  State state() const { return state_; }
  bool finished() const { return state_ == State::done; }
  fax::Transport transport() const { return transport_; }

 private:
  std::string versioned(Sdp sdp);
  void revert_local();
  // A 200 to an INVITE (the call's or a re-INVITE): until its ACK, no INVITE of ours may start
  // (RFC 3261 14.1). A peer slow to ACK under load otherwise gets our T.38 re-INVITE while its
  // own INVITE is still pending, answers 491, and sofia ends a session not yet confirmed.
  void respond_ok(Actions& out, std::string sdp);
  void apply(const Negotiated& n, Actions& out, Time now);
  void answered(Actions& out, Time now);
  void end_call(Actions& out, FailureCode failure, std::string message, bool send_bye, Time now);
  void fail_unanswered(Actions& out, FailureCode failure, std::string message);
  void maybe_finish(Actions& out);
  void finish(Actions& out);
  bool template_stale() const;
  void schedule_sync(Time now);
  std::chrono::milliseconds glare_delay();

  CallSettings settings_;
  LocalMedia local_;
  State state_ = State::idle;
  std::minstd_rand rng_;

  // SDP
  std::string session_id_;
  std::uint64_t version_ = 0;          // the highest o= version we sent
  std::optional<Sdp> accepted_local_;  // our SDP of the current session
  std::uint64_t accepted_version_ = 0;
  std::optional<Sdp> pending_local_;  // our outstanding offer
  std::optional<Sdp> last_remote_;    // the peer's SDP of the current session
  bool offer_in_ack_ = false;         // offerless INVITE: the answer comes in the ACK
  bool awaiting_ack_ = false;         // our 200 to an INVITE is not ACKed yet

  // media and T.38
  bool media_started_ = false;
  fax::Transport transport_ = fax::Transport::none;
  bool reinvite_pending_ = false;
  bool t38_refused_ = false;
  int auth_tries_ = 0;
  std::optional<Time> reinvite_at_;

  // session refresh
  std::optional<Sdp> template_;  // the SDP of our last INVITE: what a stack refresh resends
  bool session_timer_ = false;
  bool update_refresh_ = false;
  bool sync_pending_ = false;  // our re-INVITE that makes the SDP in use the template
  std::optional<Time> sync_at_;

  // deadlines
  std::optional<Time> ring_deadline_;
  std::optional<Time> stall_deadline_;
  std::optional<Time> max_deadline_;
  std::optional<Time> end_deadline_;

  // outcome
  bool ringing_reported_ = false;
  bool provisional_seen_ = false;  // the far end answered something (1xx) to the INVITE
  bool user_canceled_ = false;
  bool ring_timed_out_ = false;
  std::optional<FailureCode> abort_failure_;  // set by abort() before a final response
  int sip_status_ = 0;
  std::optional<fax::FaxResult> fax_result_;
  FailureCode failure_ = FailureCode::internal;
  std::string message_;
};

std::string_view to_string(CallCore::State state) noexcept;

}  // namespace faxd::sip
