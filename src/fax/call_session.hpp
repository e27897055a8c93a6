#pragma once
// A call's media on the media thread: its FaxSession, its two UDP endpoints and its ports.
// Created on the caller's thread (sockets bound there), used only on the media thread after
// attach(). Internal to faxd_fax. Ownership: shared by the engine's session list and the call's
// CallMedia handle.
#include <memory>

#include "faxd/fax/call_media.hpp"
#include "faxd/fax/fax_session.hpp"
#include "faxd/media/port_allocator.hpp"
#include "faxd/media/udp_endpoint.hpp"

namespace faxd::fax {

class CallSession final : public SessionSink {
 public:
  CallSession(FaxJob job, SessionOptions options, CallMediaCallbacks callbacks,
              std::shared_ptr<media::UdpEndpoint> rtp, std::shared_ptr<media::UdpEndpoint> udptl,
              std::shared_ptr<media::PortAllocator> ports);
  ~CallSession() override;

  // Media thread from here on.
  // Starts the receive loops; `overload_ticks` counts the engine's badly late ticks (read on
  // the media thread) so the result can tell a failure during our own overload.
  void attach(const std::uint64_t* overload_ticks = nullptr);
  void start_audio(const Endpoint& remote, AudioCodec codec, int red_pt);
  void start_t38(const Endpoint& remote, const media::T38Params& peer);
  void hold_audio(bool hold) { fax_.hold_audio(hold); }
  void hangup(FailureCode failure);  // reports (once), closes sockets, frees ports
  void tick() { fax_.tick(FaxSession::kSamplesPerTick); }
  bool closed() const { return closed_; }

  void send_udptl(std::span<const std::uint8_t> datagram) override { udptl_->send(datagram); }
  void send_rtp(std::span<const std::uint8_t> packet) override { rtp_->send(packet); }
  void on_progress(const Progress& progress) override;
  void on_done(const FaxResult& result) override;

 private:
  void fail_now(FailureCode failure, const std::string& message);

  std::string call_id_;
  CallMediaCallbacks callbacks_;
  std::shared_ptr<media::UdpEndpoint> rtp_;
  std::shared_ptr<media::UdpEndpoint> udptl_;
  std::shared_ptr<media::PortAllocator> ports_;
  FaxSession fax_;
  bool closed_ = false;
  bool reported_ = false;
  const std::uint64_t* overload_ticks_ = nullptr;
  std::uint64_t overload_at_start_ = 0;
};

}  // namespace faxd::fax
