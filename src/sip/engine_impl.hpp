#pragma once
// SipEngine::Impl: the nua glue (internal to faxd_sip). Turns sofia events into CallCore events
// and CallCore actions into nua calls. Everything runs on the control thread (the io_context
// that steps the su_root); see faxd/sip/sip_engine.hpp for the contract.
//   engine_impl.cpp     start/step/shutdown, sofia events, decisions, media callbacks
//   engine_actions.cpp  carrying out CallCore actions, dial()
#include <sofia-sip/nua.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_wait.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_set>

#include "faxd/sip/call_core.hpp"
#include "faxd/sip/sip_engine.hpp"
#include "leg.hpp"
#include "sip_util.hpp"

namespace faxd::sip {

namespace asio = boost::asio;
using Time = std::chrono::steady_clock::time_point;

inline constexpr auto kStepInterval = std::chrono::milliseconds(5);
inline constexpr int kMaxStepsPerTick = 256;
inline constexpr int kQuietSteps = 4;
inline constexpr auto kReleaseAfter = std::chrono::seconds(40);  // keep a finished handle this long

struct RootDeleter {
  void operator()(su_root_t* r) const noexcept { su_root_destroy(r); }
};

inline const char* phrase_for(int status) {
  const char* p = sip_status_phrase(status);
  return p ? p : "Error";
}

inline std::string_view failure_name(FailureCode c) {
  return to_string(c);
}

class SipEngine::Impl : public std::enable_shared_from_this<SipEngine::Impl> {
 public:
  Impl(asio::io_context& io, fax::MediaEngine& media, CallHandler& handler, const Clock& clock,
       SipEngineOptions options)
      : io_(io),
        media_(media),
        handler_(handler),
        clock_(clock),
        opts_(std::move(options)),
        timer_(io),
        rng_(std::random_device{}()) {
    opts_.timers.reinvite_after = std::chrono::seconds(opts_.t38.reinvite_after_s);
    for (const auto& p : opts_.trusted_proxies)
      if (auto c = detail::canonical_ip(p)) trusted_proxies_.insert(*c);
  }

  ~Impl() { teardown(); }

  Result<void> start();

  void set_allowed_sources(const std::vector<std::string>& addresses);

  std::shared_ptr<CallHandle> dial(OutboundCall call, CallCallbacks callbacks);

  void cancel_call(const std::string& id);

  void shutdown(std::function<void()> done);

  int active_calls() const;
  std::uint64_t refused_sources() const { return refused_sources_.load(std::memory_order_relaxed); }

 private:
  Time now() const { return clock_.steady_now(); }

  void schedule_step();

  void step();
  // Finds sofia's UDP sockets on the SIP port (after nua_create bound them).
  void find_udp_sockets();
  // Reads INVITEs from strangers off those sockets before sofia can, answering each at most
  // once statelessly (stranger_filter.hpp). Stops at the first datagram sofia should have.
  void drain_strangers();

  void tick();

  // Drops finished calls whose dialog is over. Only called from step(), never from inside an
  // event or a callback, so no loop over legs_ can see an erase.
  void reap();

  void maybe_shutdown_stack();

  void finish_shutdown();

  void teardown();

  // --- sofia events -------------------------------------------------------------------------

  static void event_trampoline(nua_event_t event, int status, char const* phrase, nua_t* nua,
                               nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic,
                               sip_t const* sip, tagi_t tags[]) noexcept;

  void on_event(nua_event_t event, int status, const char* phrase, nua_t* nua, nua_handle_t* nh,
                Leg* leg, sip_t const* sip, tagi_t tags[]);

  void on_new_invite(nua_t* nua, nua_handle_t* nh, sip_t const* sip);

  void on_decision(const std::string& id, InboundDecision d);

  // nua keeps the phrase pointer past the call (only tags are copied): phrases must live for
  // good. sofia's own table is static; others are kept in `phrases_` (a small, bounded set).
  const char* intern_phrase(int status, const std::string& phrase);

  void respond_final(Leg& leg, int status, const char* phrase);

  void on_reinvite(Leg& leg, sip_t const* sip);

  void on_invite_response(Leg& leg, int status, const char* phrase, sip_t const* sip);

  void on_peer_cancel(Leg& leg);

  // Session timers and UPDATE as a request or a 2xx shows them (tells CallCore, switches the
  // handle to UPDATE refreshes when the peer allows UPDATE).
  void note_timer(Leg& leg, sip_t const* sip, bool request);

  // Our Contact (";transport=tcp" for a TCP dialog, so in-dialog requests stay on TCP).
  std::string contact_for(bool tcp) const;

  void on_terminated(Leg& leg);

  // --- media ---------------------------------------------------------------------------------

  fax::CallMediaCallbacks media_callbacks(const std::string& id);

  void on_media_progress(const std::string& id, const fax::Progress& p);

  void on_media_done(const std::string& id, const fax::FaxResult& r);

  LocalMedia local_media(const fax::CallMedia& m) const;

  // --- actions -------------------------------------------------------------------------------

  void run(Leg& leg, Actions actions);

  void perform(Leg& leg, action::RespondInvite& a);

  void perform(Leg& leg, action::SendInvite& a);

  void perform(Leg& leg, action::Authenticate&);

  void perform(Leg& leg, action::SendCancel&);

  void perform(Leg& leg, action::SendBye&);

  void perform(Leg& leg, action::StartAudio& a);

  void perform(Leg& leg, action::StartT38& a);

  void perform(Leg& leg, action::HoldAudio& a);

  void perform(Leg& leg, action::HangupMedia& a);

  void perform(Leg& leg, action::Report& a);

  void perform(Leg& leg, action::Log& a);

  void perform(Leg& leg, action::Finish& a);

  asio::io_context& io_;
  fax::MediaEngine& media_;
  CallHandler& handler_;
  const Clock& clock_;
  SipEngineOptions opts_;
  asio::steady_timer timer_;
  std::minstd_rand rng_;
  bool su_initialized_ = false;
  std::unique_ptr<su_root_t, RootDeleter> root_;
  nua_t* nua_ = nullptr;
  std::unordered_set<std::string> allowed_;
  std::unordered_set<std::string> trusted_proxies_;
  std::vector<int> udp_fds_;  // sofia's UDP sockets on the SIP port (read by drain_strangers)
  std::set<std::string> phrases_;
  std::map<std::string, std::unique_ptr<Leg>> legs_;
  std::atomic<std::uint64_t> refused_sources_{0};  // read by metrics from any thread
  std::uint64_t stranger_replies_ = 0;
  int events_ = 0;  // nua events delivered by the current su_root_step
  bool shutting_down_ = false;
  bool nua_shutdown_sent_ = false;
  bool stack_down_ = false;
  Time shutdown_requested_at_{};
  std::function<void()> shutdown_done_;
};

}  // namespace faxd::sip
