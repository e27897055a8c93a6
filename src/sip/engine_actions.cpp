// SipEngine::Impl: carrying out CallCore actions on nua and the media, and dial().
#include "engine_impl.hpp"

#include <fmt/format.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_tag.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "faxd/common/id.hpp"
#include "outbound_handle.hpp"
#include "sip_util.hpp"

namespace faxd::sip {

void SipEngine::Impl::run(Leg& leg, Actions actions) {
  for (auto& a : actions) std::visit([&](auto& act) { perform(leg, act); }, a);
}

void SipEngine::Impl::perform(Leg& leg, action::RespondInvite& a) {
  spdlog::info("sip.respond call={} status={}", leg.id, a.status);
  if (!a.sdp.empty()) spdlog::debug("sip.sdp_out call={}\n{}", leg.id, a.sdp);
  const char* phrase = intern_phrase(a.status, a.phrase);
  const bool ok = a.status >= 200 && a.status < 300;
  // RFC 4028 9: a 2xx with Session-Expires to a UAC that supports timers requires it.
  nua_respond(
      leg.nh, a.status, phrase, TAG_IF(!a.sdp.empty(), SIPTAG_CONTENT_TYPE_STR("application/sdp")),
      TAG_IF(!a.sdp.empty(), SIPTAG_PAYLOAD_STR(a.sdp.c_str())),
      TAG_IF(ok && leg.require_timer, SIPTAG_REQUIRE_STR("timer")),
      TAG_IF(ok && !leg.contact.empty(), SIPTAG_CONTACT_STR(leg.contact.c_str())), TAG_END());
}

void SipEngine::Impl::perform(Leg& leg, action::SendInvite& a) {
  spdlog::info("sip.invite_out call={} reinvite={}", leg.id, a.reinvite);
  spdlog::debug("sip.sdp_out call={}\n{}", leg.id, a.sdp);
  if (a.reinvite) {
    nua_invite(leg.nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
               SIPTAG_PAYLOAD_STR(a.sdp.c_str()),
               TAG_IF(!leg.contact.empty(), SIPTAG_CONTACT_STR(leg.contact.c_str())), TAG_END());
  } else {
    nua_invite(leg.nh, NUTAG_URL(leg.request_url.c_str()),
               SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(a.sdp.c_str()),
               TAG_IF(!leg.contact.empty(), SIPTAG_CONTACT_STR(leg.contact.c_str())), TAG_END());
  }
}

void SipEngine::Impl::perform(Leg& leg, action::Authenticate&) {
  spdlog::info("sip.authenticate call={} challenge={}", leg.id, leg.challenge);
  const std::string auth =
      fmt::format("{}:{}:{}", leg.challenge, leg.out.username, leg.out.password);
  nua_authenticate(leg.nh, NUTAG_AUTH(auth.c_str()), TAG_END());
}

void SipEngine::Impl::perform(Leg& leg, action::SendCancel&) {
  spdlog::info("sip.cancel_out call={}", leg.id);
  nua_cancel(leg.nh, TAG_END());
}

void SipEngine::Impl::perform(Leg& leg, action::SendBye&) {
  spdlog::info("sip.bye_out call={}", leg.id);
  nua_bye(leg.nh, TAG_END());
}

void SipEngine::Impl::perform(Leg& leg, action::StartAudio& a) {
  if (leg.media) leg.media->start_audio(a.remote, a.codec, a.red_pt);
}

void SipEngine::Impl::perform(Leg& leg, action::StartT38& a) {
  if (leg.media) leg.media->start_t38(a.remote, a.peer);
}

void SipEngine::Impl::perform(Leg& leg, action::HoldAudio& a) {
  if (leg.media) leg.media->hold_audio(a.hold);
}

void SipEngine::Impl::perform(Leg& leg, action::HangupMedia& a) {
  if (leg.media) leg.media->hangup(a.failure);
}

void SipEngine::Impl::perform(Leg& leg, action::Report& a) {
  if (leg.callbacks.on_progress) leg.callbacks.on_progress(a.progress);
}

void SipEngine::Impl::perform(Leg& leg, action::Log& a) {
  spdlog::info("sip.{} call={}{}{}", a.event, leg.id, a.detail.empty() ? "" : " ", a.detail);
}

void SipEngine::Impl::perform(Leg& leg, action::Finish& a) {
  const CallOutcome& o = a.outcome;
  spdlog::info("sip.call_end call={} ok={} failure={} sip_status={} transport={} message=\"{}\"",
               leg.id, o.ok, o.ok ? "none" : failure_name(o.failure), o.sip_status,
               fax::to_string(o.transport), o.message);
  leg.finished = true;
  leg.release_at = now() + kReleaseAfter;
  leg.media.reset();
  if (leg.callbacks.on_end) leg.callbacks.on_end(o);
}

std::shared_ptr<CallHandle> SipEngine::Impl::dial(OutboundCall call, CallCallbacks callbacks) {
  std::string id = call.job.call_id.empty() ? new_id(clock_.now()) : call.job.call_id;
  // A redial of a fax reuses its call id while the last call's finished leg may still wait for
  // its BYE's answer: never two legs under one id (the new one would be dropped unstarted).
  for (int n = 2; legs_.contains(id); ++n) id = fmt::format("{}.{}", call.job.call_id, n);
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
  if (call.transport == SipTransport::tcp) {
    leg->tcp = true;
    leg->contact = contact_for(true);
  }
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

}  // namespace faxd::sip
