// SipEngine::Impl: lifecycle, stepping, sofia events, inbound decisions, media callbacks.
#include "engine_impl.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sofia_log.hpp"
#include "sofia_yield.hpp"
#include "stranger_filter.hpp"

#include <fmt/format.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <cstdarg>
#include <cstdio>

#include "faxd/common/id.hpp"
#include "sip_util.hpp"

extern "C" {
// sofia's per-module logs (exported by libsofia-sip-ua, declared in its private headers).
extern su_log_t tport_log[];
extern su_log_t nta_log[];
extern su_log_t nua_log[];
}

namespace faxd::sip {
Result<void> SipEngine::Impl::start() {
  if (su_init() != 0) return fail(Errc::internal, "sip: su_init failed");
  for (su_log_t* log : {su_log_default, tport_log, nta_log, nua_log}) {
    su_log_redirect(log, &sofia_logger, nullptr);
  }
  last_stack_lines.clear();
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
                    NUTAG_ENABLEMESSAGE(0), SIPTAG_USER_AGENT_STR(opts_.user_agent.c_str()),
                    SIPTAG_SERVER_STR(opts_.user_agent.c_str()), NUTAG_SESSION_TIMER(0),
                    NUTAG_SESSION_REFRESHER(nua_remote_refresher),
                    // RFC 4028's floor (sofia's default 120 answers 422 to carriers' 90).
                    NUTAG_MIN_SE(90), SIPTAG_SUPPORTED_STR("timer"),
                    SIPTAG_ALLOW_STR("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE"), TAG_END());
  if (!nua_) {
    return fail(Errc::io,
                fmt::format("sip: cannot listen on {} (UDP and TCP): {}", url,
                            last_stack_lines.empty() ? "unknown error" : last_stack_lines));
  }
  spdlog::info("sip.listening url={}", url);
  if (!detail::sofia_yield_overridden())
    spdlog::warn(
        "sip.stack_workaround missing=su_root_yield (a burst of calls may be hung up "
        "by the stack with 408 ACK Timeout; see src/sip/sofia_yield.cpp)");
  find_udp_sockets();
  schedule_step();
  return {};
}

void SipEngine::Impl::set_allowed_sources(const std::vector<std::string>& addresses) {
  std::unordered_set<std::string> next;
  for (const auto& a : addresses) {
    if (auto c = detail::canonical_ip(a))
      next.insert(*c);
    else
      spdlog::warn("sip.allow_list_ignored address={} reason=not an IP literal", a);
  }
  // Any thread: the set is swapped on the control thread, where INVITEs are checked.
  asio::post(io_, [weak = weak_from_this(), next = std::move(next)]() mutable {
    auto self = weak.lock();
    if (!self) return;
    if (next != self->allowed_) spdlog::info("sip.sources_loaded addresses={}", next.size());
    self->allowed_ = std::move(next);
  });
}

void SipEngine::Impl::cancel_call(const std::string& id) {
  auto it = legs_.find(id);
  if (it == legs_.end() || !it->second->core || it->second->finished) return;
  spdlog::info("sip.cancel_requested call={}", id);
  run(*it->second, it->second->core->cancel(now()));
}

void SipEngine::Impl::shutdown(std::function<void()> done) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  for (auto& [id, leg] : legs_) {
    if (leg->deciding) {
      leg->deciding = false;
      respond_final(*leg, 503, "Service Unavailable");
    } else if (leg->core && !leg->finished) {
      run(*leg, leg->core->abort(FailureCode::transfer_failed, "faxd shutting down", now()));
    }
  }
  shutdown_requested_at_ = now();
  maybe_shutdown_stack();
}

int SipEngine::Impl::active_calls() const {
  int n = 0;
  for (const auto& [id, leg] : legs_) n += leg->finished ? 0 : 1;
  return n;
}

void SipEngine::Impl::schedule_step() {
  timer_.expires_after(kStepInterval);
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->step();
  });
}

void SipEngine::Impl::step() {
  if (!root_) return;
  // One su_root_step handles what one poll round found ready (one datagram per socket), and
  // a request needs a few rounds (datagram in, event to us, our response out). So step until
  // several rounds in a row delivered no event: a burst of INVITEs is drained at once instead
  // of one message per timer period. An idle round is a poll() with nothing ready: cheap.
  int quiet = 0;
  for (int i = 0; i < kMaxStepsPerTick && quiet < kQuietSteps; ++i) {
    events_ = 0;
    drain_strangers();
    su_root_step(root_.get(), 0);
    quiet = events_ == 0 ? quiet + 1 : 0;
  }
  tick();
  if (!stack_down_) schedule_step();
}

void SipEngine::Impl::find_udp_sockets() {
  udp_fds_ = detail::udp_sockets_on_port(opts_.listen.port);
  if (udp_fds_.empty())
    spdlog::warn("sip.strangers_unguarded reason=no UDP socket found on port {}",
                 opts_.listen.port);
}

void SipEngine::Impl::drain_strangers() {
  char buf[65536];
  for (int fd : udp_fds_) {
    for (int n = 0; n < 256; ++n) {  // bounded: sofia gets its turn
      sockaddr_storage from{};
      socklen_t flen = sizeof from;
      const ssize_t got = ::recvfrom(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT,
                                     reinterpret_cast<sockaddr*>(&from), &flen);
      if (got < 0) break;  // nothing waiting (or an error sofia will see)
      const std::string_view datagram(buf, std::size_t(got));
      std::optional<std::string> source;
      if (from.ss_family == AF_INET) {
        char text[INET_ADDRSTRLEN];
        if (inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&from)->sin_addr, text,
                      sizeof text))
          source = text;
      } else if (from.ss_family == AF_INET6) {
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr, text,
                      sizeof text))
          source = detail::canonical_ip(text);  // v4-mapped as dotted quad, like the allow-list
      }
      // Only a new INVITE from an address that is neither a carrier's nor one of our trusted
      // proxies' is ours to answer; everything else (responses, requests inside dialogs,
      // carriers' and proxies' traffic: on_new_invite checks X-Faxd-Source) is sofia's.
      const auto head = detail::peek_sip(datagram);
      const bool stranger_invite = head && head->is_request && head->method == "INVITE" &&
                                   !head->has_to_tag && source && !allowed_.contains(*source) &&
                                   !trusted_proxies_.contains(*source);
      if (!stranger_invite || shutting_down_) break;
      (void)::recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, nullptr, nullptr);  // take it
      ++refused_sources_;
      if (opts_.strangers == config::Strangers::drop) {
        spdlog::debug("sip.source_refused source={} status=none reply=dropped", *source);
        continue;
      }
      auto reply = detail::stateless_reply(datagram, 403, "Forbidden", opts_.user_agent);
      if (!reply) continue;
      (void)::sendto(fd, reply->data(), reply->size(), MSG_DONTWAIT,
                     reinterpret_cast<const sockaddr*>(&from), flen);
      ++stranger_replies_;
      spdlog::debug("sip.source_refused source={} status=403 reply=stateless", *source);
    }
  }
}

void SipEngine::Impl::tick() {
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
void SipEngine::Impl::reap() {
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

void SipEngine::Impl::maybe_shutdown_stack() {
  if (nua_shutdown_sent_ || !nua_) return;
  const bool grace_over = now() >= shutdown_requested_at_ + std::chrono::seconds(5);
  if (active_calls() > 0 && !grace_over) return;
  nua_shutdown_sent_ = true;
  nua_shutdown(nua_);
}

void SipEngine::Impl::finish_shutdown() {
  stack_down_ = true;
  legs_.clear();
  if (shutdown_done_) {
    auto done = std::move(shutdown_done_);
    asio::post(io_, std::move(done));
  }
}

void SipEngine::Impl::teardown() {
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

void SipEngine::Impl::event_trampoline(nua_event_t event, int status, char const* phrase,
                                       nua_t* nua, nua_magic_t* magic, nua_handle_t* nh,
                                       nua_hmagic_t* hmagic, sip_t const* sip,
                                       tagi_t tags[]) noexcept {
  try {
    static_cast<Impl*>(magic)->on_event(event, status, phrase ? phrase : "", nua, nh,
                                        static_cast<Leg*>(hmagic), sip, tags);
  } catch (const std::exception& e) {
    spdlog::error("sip.callback_error event={} error={}", nua_event_name(event), e.what());
  } catch (...) {
    spdlog::error("sip.callback_error event={}", nua_event_name(event));
  }
}

void SipEngine::Impl::on_event(nua_event_t event, int status, const char* phrase, nua_t* nua,
                               nua_handle_t* nh, Leg* leg, sip_t const* sip, tagi_t tags[]) {
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
      if (leg && state == nua_callstate_terminating && leg->core && !leg->finished &&
          leg->core->state() == CallCore::State::active) {
        // The stack hangs up on its own (its BYE is on the way): say why, end the call now.
        const std::string why =
            leg->stack_error.empty() ? fmt::format("{} {}", status, phrase) : leg->stack_error;
        spdlog::info("sip.stack_hangup call={} reason=\"{}\"", leg->id, why);
        run(*leg, leg->core->on_dialog_terminated(now(), why));
      }
      if (leg && state == nua_callstate_terminated) on_terminated(*leg);
      break;
    }
    case nua_i_error:
      if (leg) {
        leg->stack_error = fmt::format("{} {}", status, phrase);
        spdlog::info("sip.stack_error call={} status={} phrase=\"{}\"", leg->id, status, phrase);
      }
      break;
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

void SipEngine::Impl::on_new_invite(nua_t* nua, nua_handle_t* nh, sip_t const* sip) {
  if (shutting_down_) {
    nua_respond(nh, 503, "Service Unavailable", TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  auto source = detail::current_source(nua);
  if (source && trusted_proxies_.contains(source->address)) {
    // Through our own proxy: the carrier is whom the proxy names (and nobody without a name).
    const auto named = detail::unknown_header(sip, "X-Faxd-Source");
    spdlog::debug("sip.proxied proxy={} source={}", source->address, named.value_or("none"));
    source = named ? detail::parse_source(*named) : std::nullopt;
  }
  if (!source || !allowed_.contains(source->address)) {
    // The cheap path for floods: no call object, no handler, no log above debug.
    ++refused_sources_;
    spdlog::debug("sip.source_refused source={} status=403", source ? source->address : "unknown");
    nua_respond(nh, 403, "Forbidden", TAG_END());
    nua_handle_destroy(nh);
    return;
  }
  auto leg = std::make_unique<Leg>();
  leg->id = new_id(clock_.now());
  leg->nh = nh;
  nua_handle_bind(nh, leg.get());
  leg->offer = detail::payload_of(sip);
  leg->tcp = detail::via_is_tcp(sip);
  if (leg->tcp) leg->contact = contact_for(true);
  note_timer(*leg, sip, true);
  leg->deciding = true;
  leg->decide_deadline = now() + opts_.decide_timeout;
  leg->release_at = now() + kReleaseAfter + opts_.decide_timeout;

  InboundCall info;
  info.call_id = leg->id;
  info.source_address = source->address;
  info.source_port = source->port;
  if (sip && sip->sip_call_id && sip->sip_call_id->i_id) info.sip_call_id = sip->sip_call_id->i_id;
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
               info.call_id, info.source_address, info.source_port, info.request_user, info.to_user,
               info.from_user, info.sip_call_id);
  const std::string id = leg->id;
  legs_.emplace(id, std::move(leg));

  Decide decide = [weak = weak_from_this(), io = &io_, id](InboundDecision d) {
    asio::post(*io, [weak, id, d = std::move(d)]() mutable {
      if (auto self = weak.lock()) self->on_decision(id, std::move(d));
    });
  };
  handler_.on_inbound_invite(info, std::move(decide));
}

void SipEngine::Impl::on_decision(const std::string& id, InboundDecision d) {
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
  settings.allow_t38 = opts_.t38.enabled && d.t38_allowed;
  settings.timers = opts_.timers;
  settings.seed = rng_();
  leg.core = std::make_unique<CallCore>(settings, local_media(*leg.media));
  if (!d.t38_allowed) spdlog::info("sip.t38_off call={} reason=carrier", id);
  std::string offer = std::move(leg.offer);
  run(leg, leg.core->start_inbound(offer, now()));
  if (leg.session_timer && !leg.finished) {
    run(leg, leg.core->on_session_timer(leg.peer_allows_update, now()));
  }
}

std::string SipEngine::Impl::contact_for(bool tcp) const {
  const std::string host =
      detail::uri_host(opts_.public_address.empty() ? opts_.listen.host : opts_.public_address);
  return fmt::format("<sip:{}:{}{}>", host, opts_.listen.port, tcp ? ";transport=tcp" : "");
}

void SipEngine::Impl::note_timer(Leg& leg, sip_t const* sip, bool request) {
  const detail::TimerInfo t = detail::timer_info(sip);
  if (request) leg.require_timer = t.session_expires && t.supports_timer;
  if (t.allows_update && !leg.peer_allows_update) {
    leg.peer_allows_update = true;
    // Refresh with a bodiless UPDATE: nothing the stack resends can then re-offer old media.
    nua_set_hparams(leg.nh, NUTAG_UPDATE_REFRESH(1), TAG_END());
  }
  if (!t.session_expires) return;
  leg.session_timer = true;
  if (leg.core && !leg.finished) {
    run(leg, leg.core->on_session_timer(leg.peer_allows_update, now()));
  }
}

// nua keeps the phrase pointer past the call (only tags are copied): phrases must live for
// good. sofia's own table is static; others are kept in `phrases_` (a small, bounded set).
const char* SipEngine::Impl::intern_phrase(int status, const std::string& phrase) {
  if (phrase.empty()) return phrase_for(status);
  if (const char* std_phrase = sip_status_phrase(status); std_phrase && phrase == std_phrase) {
    return std_phrase;
  }
  if (phrases_.size() > 64) return phrase_for(status);
  return phrases_.insert(phrase).first->c_str();
}

void SipEngine::Impl::respond_final(Leg& leg, int status, const char* phrase) {
  nua_respond(leg.nh, status, phrase, TAG_END());
  leg.finished = true;
  leg.release_at = now() + kReleaseAfter;
}

void SipEngine::Impl::on_reinvite(Leg& leg, sip_t const* sip) {
  if (!leg.core || leg.finished) {
    nua_respond(leg.nh, 481, "Call/Transaction Does Not Exist", TAG_END());
    return;
  }
  spdlog::info("sip.reinvite_in call={}", leg.id);
  note_timer(leg, sip, true);
  run(leg, leg.core->on_peer_reinvite(detail::payload_of(sip), now()));
}

void SipEngine::Impl::on_invite_response(Leg& leg, int status, const char* phrase,
                                         sip_t const* sip) {
  if (!leg.core || leg.finished) return;
  // sofia's own responses (timer B's 408, transport errors' 503) look like received ones, To
  // tag included; CallCore tells a timeout by the absence of any earlier response instead.
  const bool local = sip == nullptr;
  spdlog::info("sip.invite_response call={} status={} phrase=\"{}\"{}", leg.id, status, phrase,
               local ? " local=1" : "");
  if ((status == 401 || status == 407) && sip) {
    const msg_auth_t* au = status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
    if (au && au->au_scheme) {
      const char* realm = msg_params_find(au->au_params, "realm=");
      leg.challenge = fmt::format("{}:{}", au->au_scheme, realm ? realm : "\"\"");
    }
  }
  run(leg, leg.core->on_invite_response(status, phrase, detail::payload_of(sip), local, now()));
  if (sip && status >= 200 && status < 300) note_timer(leg, sip, false);
}

void SipEngine::Impl::on_peer_cancel(Leg& leg) {
  spdlog::info("sip.cancel_in call={}", leg.id);
  if (leg.deciding) {
    leg.deciding = false;
    leg.finished = true;
    leg.release_at = now() + kReleaseAfter;
    return;
  }
  if (leg.core && !leg.finished) run(leg, leg.core->on_peer_cancel(now()));
}

void SipEngine::Impl::on_terminated(Leg& leg) {
  if (leg.dialog_gone) return;
  leg.dialog_gone = true;
  spdlog::debug("sip.dialog_terminated call={}", leg.id);
  if (leg.deciding) {
    leg.deciding = false;
    leg.finished = true;
  }
  if (leg.core && !leg.finished) run(leg, leg.core->on_dialog_terminated(now(), leg.stack_error));
}

fax::CallMediaCallbacks SipEngine::Impl::media_callbacks(const std::string& id) {
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

void SipEngine::Impl::on_media_progress(const std::string& id, const fax::Progress& p) {
  auto it = legs_.find(id);
  if (it == legs_.end() || !it->second->core || it->second->finished) return;
  run(*it->second, it->second->core->on_fax_progress(p, now()));
}

void SipEngine::Impl::on_media_done(const std::string& id, const fax::FaxResult& r) {
  auto it = legs_.find(id);
  if (it == legs_.end() || !it->second->core || it->second->finished) return;
  spdlog::info("sip.fax_done call={} ok={} pages={} message=\"{}\"", id, r.ok, r.pages, r.message);
  run(*it->second, it->second->core->on_fax_done(r, now()));
}

LocalMedia SipEngine::Impl::local_media(const fax::CallMedia& m) const {
  LocalMedia l;
  l.address = opts_.public_address.empty() ? m.local_address() : opts_.public_address;
  l.rtp_port = m.local_rtp_port();
  l.udptl_port = m.local_udptl_port();
  l.t38 = m.local_t38_params();
  l.rtp_redundancy = opts_.rtp_redundancy > 0;
  return l;
}

}  // namespace faxd::sip
