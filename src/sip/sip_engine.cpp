// The nua glue of SipEngine: turns sofia events into CallCore events and CallCore actions into
// nua calls. Everything here runs on the control thread (the io_context's); see the header.
#include "faxd/sip/sip_engine.hpp"

#include <fmt/format.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_tag.h>
#include <sofia-sip/su_wait.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <random>
#include <set>
#include <unordered_set>

#include "faxd/common/id.hpp"
#include "sip_util.hpp"

namespace faxd::sip {

namespace asio = boost::asio;
using Time = std::chrono::steady_clock::time_point;

InboundDecision InboundDecision::reject(int status, std::string reason) {
  InboundDecision d;
  d.status = status;
  d.reason = std::move(reason);
  return d;
}

InboundDecision InboundDecision::accept(fax::FaxJob job, CallCallbacks callbacks) {
  InboundDecision d;
  d.job = std::move(job);
  d.callbacks = std::move(callbacks);
  return d;
}

namespace {

constexpr auto kStepInterval = std::chrono::milliseconds(5);
constexpr int kMaxStepsPerTick = 256;
constexpr int kQuietSteps = 4;
constexpr auto kReleaseAfter = std::chrono::seconds(40);  // keep a finished handle this long

struct RootDeleter {
  void operator()(su_root_t* r) const noexcept { su_root_destroy(r); }
};

const char* phrase_for(int status) {
  const char* p = sip_status_phrase(status);
  return p ? p : "Error";
}

std::string_view failure_name(FailureCode c) {
  return to_string(c);
}

}  // namespace

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
  Time decide_deadline{};
  bool finished = false;     // on_end was called (or the call never got that far)
  bool dialog_gone = false;  // nua reported the call terminated
  Time release_at{};

  ~Leg() {
    if (nh) {
      nua_handle_bind(nh, nullptr);
      nua_handle_destroy(nh);
    }
  }
};

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
  }

  ~Impl() { teardown(); }

  Result<void> start() {
    if (su_init() != 0) return fail(Errc::internal, "sip: su_init failed");
    su_initialized_ = true;
    root_.reset(su_root_create(nullptr));
    if (!root_) return fail(Errc::internal, "sip: su_root_create failed");
    su_root_threading(root_.get(), 0);  // no stack thread: we step the root ourselves
    // Behind NAT the public address goes into Via and Contact, and maddr names the local
    // address to bind (sofia's convention).
    const std::string url =
        opts_.public_address.empty()
            ? fmt::format("sip:{}:{}", detail::uri_host(opts_.listen.host), opts_.listen.port)
            : fmt::format("sip:{}:{};maddr={}", detail::uri_host(opts_.public_address),
                          opts_.listen.port, detail::uri_host(opts_.listen.host));
    nua_ = nua_create(root_.get(), &Impl::event_trampoline, this, NUTAG_URL(url.c_str()),
                      NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOANSWER(0), NUTAG_AUTOALERT(0),
                      NUTAG_ENABLEMESSAGE(0), NUTAG_USER_AGENT(opts_.user_agent.c_str()),
                      NUTAG_SESSION_TIMER(0), NUTAG_SESSION_REFRESHER(nua_remote_refresher),
                      SIPTAG_SUPPORTED_STR("timer"),
                      NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE"), TAG_END());
    if (!nua_) {
      return fail(Errc::io, fmt::format("sip: cannot listen on {} (UDP and TCP)", url));
    }
    spdlog::info("sip.listening url={}", url);
    schedule_step();
    return {};
  }

  void set_allowed_sources(const std::vector<std::string>& addresses) {
    std::unordered_set<std::string> next;
    for (const auto& a : addresses) {
      if (auto c = detail::canonical_ip(a))
        next.insert(*c);
      else
        spdlog::warn("sip.allow_list_ignored address={} reason=not an IP literal", a);
    }
    allowed_ = std::move(next);
  }

  std::shared_ptr<CallHandle> dial(OutboundCall call, CallCallbacks callbacks);

  void cancel_call(const std::string& id) {
    auto it = legs_.find(id);
    if (it == legs_.end() || !it->second->core || it->second->finished) return;
    spdlog::info("sip.cancel_requested call={}", id);
    run(*it->second, it->second->core->cancel(now()));
  }

  void shutdown(std::function<void()> done) {
    shutting_down_ = true;
    shutdown_done_ = std::move(done);
    for (auto& [id, leg] : legs_) {
      if (leg->core && !leg->finished) {
        run(*leg, leg->core->abort(FailureCode::transfer_failed, "faxd shutting down", now()));
      }
    }
    shutdown_requested_at_ = now();
    maybe_shutdown_stack();
  }

  int active_calls() const {
    int n = 0;
    for (const auto& [id, leg] : legs_) n += leg->finished ? 0 : 1;
    return n;
  }

 private:
  Time now() const { return clock_.steady_now(); }

  void schedule_step() {
    timer_.expires_after(kStepInterval);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->step();
    });
  }

  void step() {
    if (!root_) return;
    // One su_root_step handles what one poll round found ready (one datagram per socket), and
    // a request needs a few rounds (datagram in, event to us, our response out). So step until
    // several rounds in a row delivered no event: a burst of INVITEs is drained at once instead
    // of one message per timer period. An idle round is a poll() with nothing ready: cheap.
    int quiet = 0;
    for (int i = 0; i < kMaxStepsPerTick && quiet < kQuietSteps; ++i) {
      events_ = 0;
      su_root_step(root_.get(), 0);
      quiet = events_ == 0 ? quiet + 1 : 0;
    }
    tick();
    if (!stack_down_) schedule_step();
  }

  void tick() {
    const Time t = now();
    for (auto& [id, leg] : legs_) {
      if (leg->deciding && t >= leg->decide_deadline) {
        leg->deciding = false;
        spdlog::warn("sip.decide_timeout call={}", id);
        respond_final(*leg, 503, "Service Unavailable");
      }
      if (leg->core && !leg->finished) run(*leg, leg->core->tick(t));
    }
    reap();
    if (shutting_down_) maybe_shutdown_stack();
  }

  // Drops finished calls whose dialog is over. Only called from step(), never from inside an
  // event or a callback, so no loop over legs_ can see an erase.
  void reap() {
    const Time t = now();
    for (auto it = legs_.begin(); it != legs_.end();) {
      Leg& leg = *it->second;
      if (leg.finished && !leg.deciding && (leg.dialog_gone || t >= leg.release_at)) {
        it = legs_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void maybe_shutdown_stack() {
    if (nua_shutdown_sent_ || !nua_) return;
    const bool grace_over = now() >= shutdown_requested_at_ + std::chrono::seconds(5);
    if (active_calls() > 0 && !grace_over) return;
    nua_shutdown_sent_ = true;
    nua_shutdown(nua_);
  }

  void finish_shutdown() {
    stack_down_ = true;
    legs_.clear();
    if (shutdown_done_) {
      auto done = std::move(shutdown_done_);
      asio::post(io_, std::move(done));
    }
  }

  void teardown() {
    legs_.clear();
    if (nua_) {
      if (!stack_down_) {
        if (!nua_shutdown_sent_) nua_shutdown(nua_);
        nua_shutdown_sent_ = true;
        // Destroyed without shutdown(): give the stack a moment to finish on its own.
        for (int i = 0; i < 200 && !stack_down_; ++i) su_root_step(root_.get(), 10);
      }
      nua_destroy(nua_);
      nua_ = nullptr;
    }
    root_.reset();
    if (su_initialized_) su_deinit();
    su_initialized_ = false;
  }

  // --- sofia events -------------------------------------------------------------------------

  static void event_trampoline(nua_event_t event, int status, char const* phrase, nua_t* nua,
                               nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic,
                               sip_t const* sip, tagi_t tags[]) noexcept {
    try {
      static_cast<Impl*>(magic)->on_event(event, status, phrase ? phrase : "", nua, nh,
                                          static_cast<Leg*>(hmagic), sip, tags);
    } catch (const std::exception& e) {
      spdlog::error("sip.callback_error event={} error={}", nua_event_name(event), e.what());
    } catch (...) {
      spdlog::error("sip.callback_error event={}", nua_event_name(event));
    }
  }

  void on_event(nua_event_t event, int status, const char* phrase, nua_t* nua, nua_handle_t* nh,
                Leg* leg, sip_t const* sip, tagi_t tags[]) {
    ++events_;
    switch (event) {
      case nua_i_invite:
        if (leg) {
          on_reinvite(*leg, sip);
        } else {
          on_new_invite(nua, nh, sip);
        }
        break;
      case nua_r_invite:
        if (leg) on_invite_response(*leg, status, phrase, sip);
        break;
      case nua_i_ack:
        if (leg && leg->core && !leg->finished) {
          run(*leg, leg->core->on_ack(detail::payload_of(sip), now()));
        }
        break;
      case nua_i_cancel:
        if (leg) on_peer_cancel(*leg);
        break;
      case nua_i_bye:
        if (leg) {
          spdlog::info("sip.bye_in call={}", leg->id);
          if (leg->core && !leg->finished) run(*leg, leg->core->on_peer_bye(now()));
        }
        break;
      case nua_i_state: {
        int state = nua_callstate_init;
        tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
        if (leg && state == nua_callstate_terminated) on_terminated(*leg);
        break;
      }
      case nua_i_terminated:
        if (leg) on_terminated(*leg);
        break;
      case nua_r_bye:
      case nua_r_cancel:
        if (leg) {
          spdlog::debug("sip.{} call={} status={}", nua_event_name(event), leg->id, status);
        }
        break;
      case nua_r_shutdown:
        if (status >= 200) finish_shutdown();
        break;
      default:
        if (status >= 300 && leg) {
          spdlog::debug("sip.event call={} event={} status={} {}", leg->id, nua_event_name(event),
                        status, phrase);
        }
        break;
    }
  }

  void on_new_invite(nua_t* nua, nua_handle_t* nh, sip_t const* sip) {
    if (shutting_down_) {
      nua_respond(nh, 503, "Service Unavailable", TAG_END());
      nua_handle_destroy(nh);
      return;
    }
    auto source = detail::current_source(nua);
    if (!source || !allowed_.contains(source->address)) {
      // The cheap path for floods: no call object, no handler, no log above debug.
      ++refused_sources_;
      spdlog::debug("sip.source_refused source={} status=403",
                    source ? source->address : "unknown");
      nua_respond(nh, 403, "Forbidden", TAG_END());
      nua_handle_destroy(nh);
      return;
    }
    auto leg = std::make_unique<Leg>();
    leg->id = new_id(clock_.now());
    leg->nh = nh;
    nua_handle_bind(nh, leg.get());
    leg->offer = detail::payload_of(sip);
    leg->deciding = true;
    leg->decide_deadline = now() + opts_.decide_timeout;
    leg->release_at = now() + kReleaseAfter + opts_.decide_timeout;

    InboundCall info;
    info.call_id = leg->id;
    info.source_address = source->address;
    info.source_port = source->port;
    if (sip && sip->sip_call_id && sip->sip_call_id->i_id)
      info.sip_call_id = sip->sip_call_id->i_id;
    if (sip && sip->sip_request && sip->sip_request->rq_url->url_user) {
      info.request_user = sip->sip_request->rq_url->url_user;
    }
    if (sip && sip->sip_to && sip->sip_to->a_url->url_user) {
      info.to_user = sip->sip_to->a_url->url_user;
    }
    if (sip && sip->sip_from && sip->sip_from->a_url->url_user) {
      info.from_user = sip->sip_from->a_url->url_user;
    }
    info.called_number = info.request_user.empty() ? info.to_user : info.request_user;
    spdlog::info("sip.invite_in call={} source={}:{} ruri_user={} to={} from={} sip_call_id={}",
                 info.call_id, info.source_address, info.source_port, info.request_user,
                 info.to_user, info.from_user, info.sip_call_id);
    const std::string id = leg->id;
    legs_.emplace(id, std::move(leg));

    Decide decide = [weak = weak_from_this(), io = &io_, id](InboundDecision d) {
      asio::post(*io, [weak, id, d = std::move(d)]() mutable {
        if (auto self = weak.lock()) self->on_decision(id, std::move(d));
      });
    };
    handler_.on_inbound_invite(info, std::move(decide));
  }

  void on_decision(const std::string& id, InboundDecision d) {
    auto it = legs_.find(id);
    if (it == legs_.end() || !it->second->deciding) {
      // The caller went away (CANCEL) or we gave up waiting.
      if (d.status == 0 && d.callbacks.on_end) {
        CallOutcome o;
        o.failure = FailureCode::canceled;
        o.message = "caller canceled before the answer";
        d.callbacks.on_end(o);
      }
      return;
    }
    Leg& leg = *it->second;
    leg.deciding = false;
    if (d.status != 0) {
      spdlog::info("sip.invite_rejected call={} status={}", id, d.status);
      respond_final(leg, d.status, intern_phrase(d.status, d.reason));
      return;
    }
    leg.callbacks = std::move(d.callbacks);
    d.job.call_id = id;
    auto media = media_.create_call(d.job, media_callbacks(id));
    if (!media) {
      spdlog::error("sip.media_failed call={} error={}", id, media.error().message);
      respond_final(leg, 503, "Service Unavailable");
      CallOutcome o;
      o.failure = FailureCode::internal;
      o.message = "no media: " + media.error().message;
      if (leg.callbacks.on_end) leg.callbacks.on_end(o);
      return;
    }
    leg.media = std::move(*media);
    CallSettings settings;
    settings.outbound = false;
    settings.allow_t38 = opts_.t38.enabled;
    settings.timers = opts_.timers;
    settings.seed = rng_();
    leg.core = std::make_unique<CallCore>(settings, local_media(*leg.media));
    std::string offer = std::move(leg.offer);
    run(leg, leg.core->start_inbound(offer, now()));
  }

  // nua keeps the phrase pointer past the call (only tags are copied): phrases must live for
  // good. sofia's own table is static; others are kept in `phrases_` (a small, bounded set).
  const char* intern_phrase(int status, const std::string& phrase) {
    if (phrase.empty()) return phrase_for(status);
    if (const char* std_phrase = sip_status_phrase(status); std_phrase && phrase == std_phrase) {
      return std_phrase;
    }
    if (phrases_.size() > 64) return phrase_for(status);
    return phrases_.insert(phrase).first->c_str();
  }

  void respond_final(Leg& leg, int status, const char* phrase) {
    nua_respond(leg.nh, status, phrase, TAG_END());
    leg.finished = true;
    leg.release_at = now() + kReleaseAfter;
  }

  void on_reinvite(Leg& leg, sip_t const* sip) {
    if (!leg.core || leg.finished) {
      nua_respond(leg.nh, 481, "Call/Transaction Does Not Exist", TAG_END());
      return;
    }
    spdlog::info("sip.reinvite_in call={}", leg.id);
    run(leg, leg.core->on_peer_reinvite(detail::payload_of(sip), now()));
  }

  void on_invite_response(Leg& leg, int status, const char* phrase, sip_t const* sip) {
    if (!leg.core || leg.finished) return;
    // sofia's own responses (timer B's 408, transport errors' 503) look like received ones, To
    // tag included; CallCore tells a timeout by the absence of any earlier response instead.
    const bool local = sip == nullptr;
    spdlog::info("sip.invite_response call={} status={} phrase=\"{}\"{}", leg.id, status, phrase,
                 local ? " local=1" : "");
    if ((status == 401 || status == 407) && sip) {
      const msg_auth_t* au =
          status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
      if (au && au->au_scheme) {
        const char* realm = msg_params_find(au->au_params, "realm=");
        leg.challenge = fmt::format("{}:{}", au->au_scheme, realm ? realm : "\"\"");
      }
    }
    run(leg, leg.core->on_invite_response(status, phrase, detail::payload_of(sip), local, now()));
  }

  void on_peer_cancel(Leg& leg) {
    spdlog::info("sip.cancel_in call={}", leg.id);
    if (leg.deciding) {
      leg.deciding = false;
      leg.finished = true;
      leg.release_at = now() + kReleaseAfter;
      return;
    }
    if (leg.core && !leg.finished) run(leg, leg.core->on_peer_cancel(now()));
  }

  void on_terminated(Leg& leg) {
    if (leg.dialog_gone) return;
    leg.dialog_gone = true;
    spdlog::debug("sip.dialog_terminated call={}", leg.id);
    if (leg.deciding) {
      leg.deciding = false;
      leg.finished = true;
    }
    if (leg.core && !leg.finished) run(leg, leg.core->on_dialog_terminated(now()));
  }

  // --- media ---------------------------------------------------------------------------------

  fax::CallMediaCallbacks media_callbacks(const std::string& id) {
    fax::CallMediaCallbacks cb;
    cb.on_progress = [weak = weak_from_this(), io = &io_, id](const fax::Progress& p) {
      asio::post(*io, [weak, id, p] {
        if (auto self = weak.lock()) self->on_media_progress(id, p);
      });
    };
    cb.on_done = [weak = weak_from_this(), io = &io_, id](const fax::FaxResult& r) {
      asio::post(*io, [weak, id, r] {
        if (auto self = weak.lock()) self->on_media_done(id, r);
      });
    };
    return cb;
  }

  void on_media_progress(const std::string& id, const fax::Progress& p) {
    auto it = legs_.find(id);
    if (it == legs_.end() || !it->second->core || it->second->finished) return;
    run(*it->second, it->second->core->on_fax_progress(p, now()));
  }

  void on_media_done(const std::string& id, const fax::FaxResult& r) {
    auto it = legs_.find(id);
    if (it == legs_.end() || !it->second->core || it->second->finished) return;
    spdlog::info("sip.fax_done call={} ok={} pages={} message=\"{}\"", id, r.ok, r.pages,
                 r.message);
    run(*it->second, it->second->core->on_fax_done(r, now()));
  }

  LocalMedia local_media(const fax::CallMedia& m) const {
    LocalMedia l;
    l.address = opts_.public_address.empty() ? m.local_address() : opts_.public_address;
    l.rtp_port = m.local_rtp_port();
    l.udptl_port = m.local_udptl_port();
    l.t38 = m.local_t38_params();
    return l;
  }

  // --- actions -------------------------------------------------------------------------------

  void run(Leg& leg, Actions actions) {
    for (auto& a : actions) std::visit([&](auto& act) { perform(leg, act); }, a);
  }

  void perform(Leg& leg, action::RespondInvite& a) {
    spdlog::info("sip.respond call={} status={}", leg.id, a.status);
    if (!a.sdp.empty()) spdlog::debug("sip.sdp_out call={}\n{}", leg.id, a.sdp);
    const char* phrase = intern_phrase(a.status, a.phrase);
    nua_respond(leg.nh, a.status, phrase,
                TAG_IF(!a.sdp.empty(), SIPTAG_CONTENT_TYPE_STR("application/sdp")),
                TAG_IF(!a.sdp.empty(), SIPTAG_PAYLOAD_STR(a.sdp.c_str())), TAG_END());
  }

  void perform(Leg& leg, action::SendInvite& a) {
    spdlog::info("sip.invite_out call={} reinvite={}", leg.id, a.reinvite);
    spdlog::debug("sip.sdp_out call={}\n{}", leg.id, a.sdp);
    if (a.reinvite) {
      nua_invite(leg.nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
                 SIPTAG_PAYLOAD_STR(a.sdp.c_str()), TAG_END());
    } else {
      nua_invite(leg.nh, NUTAG_URL(leg.request_url.c_str()),
                 SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(a.sdp.c_str()),
                 TAG_END());
    }
  }

  void perform(Leg& leg, action::Authenticate&) {
    spdlog::info("sip.authenticate call={} challenge={}", leg.id, leg.challenge);
    const std::string auth =
        fmt::format("{}:{}:{}", leg.challenge, leg.out.username, leg.out.password);
    nua_authenticate(leg.nh, NUTAG_AUTH(auth.c_str()), TAG_END());
  }

  void perform(Leg& leg, action::SendCancel&) {
    spdlog::info("sip.cancel_out call={}", leg.id);
    nua_cancel(leg.nh, TAG_END());
  }

  void perform(Leg& leg, action::SendBye&) {
    spdlog::info("sip.bye_out call={}", leg.id);
    nua_bye(leg.nh, TAG_END());
  }

  void perform(Leg& leg, action::StartAudio& a) {
    if (leg.media) leg.media->start_audio(a.remote, a.codec);
  }

  void perform(Leg& leg, action::StartT38& a) {
    if (leg.media) leg.media->start_t38(a.remote, a.peer);
  }

  void perform(Leg& leg, action::HangupMedia& a) {
    if (leg.media) leg.media->hangup(a.failure);
  }

  void perform(Leg& leg, action::Report& a) {
    if (leg.callbacks.on_progress) leg.callbacks.on_progress(a.progress);
  }

  void perform(Leg& leg, action::Log& a) {
    spdlog::info("sip.{} call={}{}{}", a.event, leg.id, a.detail.empty() ? "" : " ", a.detail);
  }

  void perform(Leg& leg, action::Finish& a) {
    const CallOutcome& o = a.outcome;
    spdlog::info("sip.call_end call={} ok={} failure={} sip_status={} transport={} message=\"{}\"",
                 leg.id, o.ok, o.ok ? "none" : failure_name(o.failure), o.sip_status,
                 o.transport == fax::Transport::t38    ? "t38"
                 : o.transport == fax::Transport::g711 ? "g711"
                                                       : "none",
                 o.message);
    leg.finished = true;
    leg.release_at = now() + kReleaseAfter;
    leg.media.reset();
    if (leg.callbacks.on_end) leg.callbacks.on_end(o);
  }

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
  std::set<std::string> phrases_;
  std::map<std::string, std::unique_ptr<Leg>> legs_;
  std::uint64_t refused_sources_ = 0;
  int events_ = 0;  // nua events delivered by the current su_root_step
  bool shutting_down_ = false;
  bool nua_shutdown_sent_ = false;
  bool stack_down_ = false;
  Time shutdown_requested_at_{};
  std::function<void()> shutdown_done_;
};

namespace {

class OutboundHandle final : public CallHandle {
 public:
  OutboundHandle(std::string id, std::weak_ptr<SipEngine::Impl> impl, asio::io_context* io)
      : id_(std::move(id)), impl_(std::move(impl)), io_(io) {}
  const std::string& call_id() const override { return id_; }
  void cancel() override;

 private:
  std::string id_;
  std::weak_ptr<SipEngine::Impl> impl_;
  asio::io_context* io_;
};

}  // namespace

std::shared_ptr<CallHandle> SipEngine::Impl::dial(OutboundCall call, CallCallbacks callbacks) {
  const std::string id = call.job.call_id.empty() ? new_id(clock_.now()) : call.job.call_id;
  call.job.call_id = id;
  auto handle = std::make_shared<OutboundHandle>(id, weak_from_this(), &io_);
  auto end_now = [&](FailureCode f, std::string message) {
    spdlog::info("sip.call_end call={} ok=false failure={} sip_status=0 message=\"{}\"", id,
                 failure_name(f), message);
    CallOutcome o;
    o.failure = f;
    o.message = std::move(message);
    if (callbacks.on_end) callbacks.on_end(o);
  };
  if (shutting_down_ || !nua_) {
    end_now(FailureCode::internal, "SIP engine not running");
    return handle;
  }
  auto media = media_.create_call(call.job, media_callbacks(id));
  if (!media) {
    end_now(FailureCode::internal, "no media: " + media.error().message);
    return handle;
  }
  auto leg = std::make_unique<Leg>();
  leg->id = id;
  leg->outbound = true;
  leg->media = std::move(*media);
  leg->callbacks = std::move(callbacks);
  leg->out = call;
  leg->release_at = now() + kReleaseAfter;
  const std::string host = detail::uri_host(call.carrier_host);
  leg->request_url = fmt::format("sip:{}@{}:{}{}", call.to_number, host, call.carrier_port,
                                 call.transport == SipTransport::tcp ? ";transport=tcp" : "");
  const std::string our_host =
      detail::uri_host(opts_.public_address.empty() ? opts_.listen.host : opts_.public_address);
  const std::string from =
      fmt::format("<sip:{}@{}:{}>", call.from_number, our_host, opts_.listen.port);
  const std::string to = fmt::format("<sip:{}@{}>", call.to_number, host);
  leg->nh = nua_handle(nua_, leg.get(), SIPTAG_TO_STR(to.c_str()), SIPTAG_FROM_STR(from.c_str()),
                       TAG_END());
  if (!leg->nh) {
    leg->media.reset();
    end_now(FailureCode::internal, "nua_handle failed");
    return handle;
  }
  CallSettings settings;
  settings.outbound = true;
  settings.allow_t38 = opts_.t38.enabled && call.t38_allowed;
  settings.have_credentials = !call.username.empty();
  settings.timers = opts_.timers;
  settings.seed = rng_();
  leg->core = std::make_unique<CallCore>(settings, local_media(*leg->media));
  spdlog::info("sip.dial call={} to={} carrier={}:{} transport={} t38={}", id, call.to_number,
               call.carrier_host, call.carrier_port,
               call.transport == SipTransport::tcp ? "tcp" : "udp", settings.allow_t38);
  Leg& ref = *leg;
  legs_.emplace(id, std::move(leg));
  run(ref, ref.core->start_outbound(now()));
  return handle;
}

void OutboundHandle::cancel() {
  asio::post(*io_, [impl = impl_, id = id_] {
    if (auto self = impl.lock()) self->cancel_call(id);
  });
}

SipEngineOptions options_from_config(const config::Config& config) {
  SipEngineOptions o;
  o.listen = config.sip.listen;
  o.public_address = config.sip.public_address;
  o.t38 = config.t38;
  o.timers.reinvite_after = std::chrono::seconds(config.t38.reinvite_after_s);
  return o;
}

SipEngine::SipEngine(asio::io_context& io, fax::MediaEngine& media, CallHandler& handler,
                     const Clock& clock, SipEngineOptions options)
    : impl_(std::make_shared<Impl>(io, media, handler, clock, std::move(options))) {}

SipEngine::~SipEngine() = default;

Result<void> SipEngine::start() {
  return impl_->start();
}

void SipEngine::set_allowed_sources(const std::vector<std::string>& addresses) {
  impl_->set_allowed_sources(addresses);
}

std::shared_ptr<CallHandle> SipEngine::dial(OutboundCall call, CallCallbacks callbacks) {
  return impl_->dial(std::move(call), std::move(callbacks));
}

void SipEngine::shutdown(std::function<void()> done) {
  impl_->shutdown(std::move(done));
}

int SipEngine::active_calls() const {
  return impl_->active_calls();
}

}  // namespace faxd::sip
