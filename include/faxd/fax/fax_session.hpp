#pragma once
// One fax on spandsp 0.0.6, without sockets or clocks: bytes and ticks in, packets and results
// out. The media engine drives it from its shared 20 ms tick; tests drive two of them back to
// back on simulated time.
//
// Audio mode runs spandsp's fax modems over G.711 (A-law or µ-law) in RTP; T.38 mode runs a T.38
// terminal whose IFPs travel in UDPTL (our codec: redundancy from config, or FEC when the peer
// asked for it, trimmed to the peer's max datagram). start_t38() on a live audio session drops
// the audio side and restarts T.30 on the terminal (T.30 begins again from phase A).
// The sink gets on_done exactly once: at phase E, or on hangup() before it (t30_terminate makes
// spandsp report T30_ERR_CALLDROPPED; the failure is the one hangup() names). Sink callbacks are
// made after spandsp has returned, never from inside it.
// Thread: one (the media thread). No allocation per packet or per tick.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "faxd/common/error.hpp"
#include "faxd/fax/call_media.hpp"
#include "faxd/media/jitter_buffer.hpp"
#include "faxd/media/t38_params.hpp"
#include "faxd/media/udptl_decoder.hpp"

namespace faxd::fax {

class SessionSink {
 public:
  virtual ~SessionSink() = default;
  virtual void send_udptl(std::span<const std::uint8_t> datagram) = 0;
  virtual void send_rtp(std::span<const std::uint8_t> packet) = 0;
  virtual void on_progress(const Progress& progress) = 0;
  virtual void on_done(const FaxResult& result) = 0;
};

struct SessionOptions {
  int udptl_redundancy = 3;  // [t38] redundancy: secondaries (or FEC entries) per datagram
  // T38_TERMINAL_OPTION_NO_PACING: only for simulated-time tests and benchmarks. Over UDP the
  // terminal must pace its IFPs in line time.
  bool t38_pacing = true;
  std::uint32_t rtp_ssrc = 0x46415844;  // "FAXD"
  int jitter_delay_ticks = 3;           // G.711 playout delay in 20 ms ticks ([media])
  int rtp_redundancy = 2;  // RFC 2198 earlier packets per G.711 packet when "red" was agreed (0-3)
};

class FaxSession {
 public:
  static constexpr int kSamplesPerTick = 160;  // 20 ms at 8 kHz

  FaxSession(FaxJob job, SessionOptions options, SessionSink& sink);
  ~FaxSession();
  FaxSession(const FaxSession&) = delete;
  FaxSession& operator=(const FaxSession&) = delete;

  // `red_pt`: the dynamic payload type both sides gave RFC 2198 "red" (-1: none): then each
  // packet sent carries options.rtp_redundancy earlier ones, and red packets are taken apart.
  Result<void> start_audio(AudioCodec codec, int red_pt = -1);
  Result<void> start_t38(const media::T38Params& peer);
  void hangup(FailureCode failure);
  // Audio mode: while held, tick() runs the modems but sends no RTP.
  void hold_audio(bool hold) { audio_held_ = hold; }

  void on_rtp(std::span<const std::uint8_t> packet);
  void on_udptl(std::span<const std::uint8_t> datagram);
  // Advances time by `samples` (8 kHz): T.30 timers, modem output, T.38 pacing.
  void tick(int samples = kSamplesPerTick);

  bool done() const { return done_; }
  Transport transport() const { return transport_; }
  const FaxResult& result() const { return result_; }
  const media::UdptlDecodeStats& udptl_stats() const;
  const media::JitterStats& jitter_stats() const;

  // spandsp trampolines (public for the C callbacks in fax_session.cpp; not an API).
  struct Impl;

 private:
  void flush();
  void play_audio(int samples);
  void finish(int completion_code);
  bool document_readable() const;

  FaxJob job_;
  SessionOptions options_;
  SessionSink& sink_;
  std::unique_ptr<Impl> impl_;
  Transport transport_ = Transport::none;
  bool done_ = false;
  bool done_reported_ = false;
  bool closed_ = false;
  bool audio_held_ = false;
  std::optional<FailureCode> hangup_failure_;
  std::optional<Progress> pending_progress_;
  FaxResult result_;
};

}  // namespace faxd::fax
