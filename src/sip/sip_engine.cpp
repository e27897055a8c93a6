// SipEngine: the facade over SipEngine::Impl (engine_impl.hpp), plus the small value helpers.
#include "faxd/sip/sip_engine.hpp"

#include "engine_impl.hpp"

namespace faxd::sip {

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

SipEngineOptions options_from_config(const config::Config& config) {
  SipEngineOptions o;
  o.listen = config.sip.listen;
  o.public_address = config.sip.public_address;
  o.trusted_proxies = config.sip.trusted_proxies;
  o.t38 = config.t38;
  o.timers.reinvite_after = std::chrono::seconds(config.t38.reinvite_after_s);
  o.user_agent = config.sip.user_agent;
  o.strangers = config.sip.strangers;
  o.rtp_redundancy = config.media.rtp_redundancy;
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

std::uint64_t SipEngine::refused_sources() const {
  return impl_->refused_sources();
}

}  // namespace faxd::sip
