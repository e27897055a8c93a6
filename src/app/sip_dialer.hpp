#pragma once
// Dialer over the SIP engine: the outbound queue's call requests become SIP calls.
#include "faxd/jobs/outbound_queue.hpp"
#include "faxd/numbers/phone_number.hpp"
#include "faxd/sip/sip_engine.hpp"

namespace faxd::app {

class SipDialer final : public jobs::Dialer {
 public:
  explicit SipDialer(sip::SipEngine& engine) : engine_(engine) {}

  std::shared_ptr<sip::CallHandle> dial(jobs::DialRequest r,
                                        sip::CallCallbacks callbacks) override {
    sip::OutboundCall call{
        .carrier_host = r.carrier.host,
        .carrier_port = static_cast<std::uint16_t>(r.carrier.port),
        .transport = r.carrier.transport == "tcp" ? sip::SipTransport::tcp : sip::SipTransport::udp,
        .username = r.carrier.username,
        .password = r.carrier.password,
        .t38_allowed = r.t38,
        .from_number = numbers::sip_uri_user(r.from_number),
        .to_number = numbers::sip_uri_user(r.to_number),
        .job = std::move(r.job)};
    return engine_.dial(std::move(call), std::move(callbacks));
  }

 private:
  sip::SipEngine& engine_;
};

}  // namespace faxd::app
