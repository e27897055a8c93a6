#include "call_session.hpp"

#include <spdlog/spdlog.h>

namespace faxd::fax {

CallSession::CallSession(FaxJob job, SessionOptions options, CallMediaCallbacks callbacks,
                         std::shared_ptr<media::UdpEndpoint> rtp,
                         std::shared_ptr<media::UdpEndpoint> udptl,
                         std::shared_ptr<media::PortAllocator> ports)
    : call_id_(job.call_id),
      callbacks_(std::move(callbacks)),
      rtp_(std::move(rtp)),
      udptl_(std::move(udptl)),
      ports_(std::move(ports)),
      fax_(std::move(job), options, *this) {}

CallSession::~CallSession() {
  // Normally hangup() ran; this covers an engine torn down with calls still queued.
  if (!closed_) {
    rtp_->close();
    udptl_->close();
    ports_->release(rtp_->local_port());
    ports_->release(udptl_->local_port());
  }
}

void CallSession::attach(const std::uint64_t* overload_ticks) {
  overload_ticks_ = overload_ticks;
  overload_at_start_ = overload_ticks ? *overload_ticks : 0;
  // The endpoints never outlive their use: after close() they drop datagrams unseen, so a raw
  // pointer to this session is safe in the receivers.
  rtp_->start([this](std::span<const std::uint8_t> p) { fax_.on_rtp(p); });
  udptl_->start([this](std::span<const std::uint8_t> d) { fax_.on_udptl(d); });
}

void CallSession::start_audio(const Endpoint& remote, AudioCodec codec, int red_pt) {
  if (closed_) return;
  if (auto r = rtp_->set_remote(remote.address, remote.port); !r) {
    spdlog::warn("fax.start_audio_failed call={} reason='{}'", call_id_, r.error().message);
    return fail_now(FailureCode::internal, r.error().message);
  }
  if (auto r = fax_.start_audio(codec, red_pt); !r) {
    spdlog::warn("fax.start_audio_failed call={} reason='{}'", call_id_, r.error().message);
  }
}

void CallSession::start_t38(const Endpoint& remote, const media::T38Params& peer) {
  if (closed_) return;
  if (auto r = udptl_->set_remote(remote.address, remote.port); !r) {
    spdlog::warn("fax.start_t38_failed call={} reason='{}'", call_id_, r.error().message);
    return fail_now(FailureCode::internal, r.error().message);
  }
  if (auto r = fax_.start_t38(peer); !r) {
    spdlog::warn("fax.start_t38_failed call={} reason='{}'", call_id_, r.error().message);
    return fail_now(FailureCode::internal, r.error().message);
  }
  rtp_->close();  // audio is over once the image stream is agreed
}

void CallSession::hangup(FailureCode failure) {
  if (closed_) return;
  fax_.hangup(failure);  // reports through on_done if the fax had not finished
  closed_ = true;
  rtp_->close();
  udptl_->close();
  ports_->release(rtp_->local_port());
  ports_->release(udptl_->local_port());
}

void CallSession::fail_now(FailureCode failure, const std::string& message) {
  fax_.hangup(failure);
  spdlog::warn("fax.media_failed call={} reason='{}'", call_id_, message);
}

void CallSession::on_progress(const Progress& progress) {
  if (!callbacks_.on_progress) return;
  try {
    callbacks_.on_progress(progress);
  } catch (const std::exception& e) {
    spdlog::error("fax.callback_threw call={} what='{}'", call_id_, e.what());
  }
}

void CallSession::on_done(const FaxResult& result) {
  if (reported_) return;
  reported_ = true;
  if (!callbacks_.on_done) return;
  FaxResult r = result;
  r.local_overload = overload_ticks_ && *overload_ticks_ != overload_at_start_;
  if (r.local_overload) {
    spdlog::info("fax.local_overload call={} late_ticks={}", call_id_,
                 *overload_ticks_ - overload_at_start_);
  }
  try {
    callbacks_.on_done(r);
  } catch (const std::exception& e) {
    spdlog::error("fax.callback_threw call={} what='{}'", call_id_, e.what());
  }
}

}  // namespace faxd::fax
