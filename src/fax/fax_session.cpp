#include "faxd/fax/fax_session.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "faxd/fax/t30_outcome.hpp"
#include "faxd/media/rtp_packet.hpp"
#include "faxd/media/udptl_encoder.hpp"
#include "spandsp_handles.hpp"

namespace faxd::fax {

namespace {

constexpr int kMaxChunk = 480;  // samples handed to spandsp at once (60 ms)

int modems_for(int bit_rate) {
  if (bit_rate >= 14400) return T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17;
  if (bit_rate >= 7200) return T30_SUPPORT_V27TER | T30_SUPPORT_V29;
  return T30_SUPPORT_V27TER;
}

void log_spandsp(int level, const char* text) noexcept {
  try {
    std::string_view t(text ? text : "");
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.remove_suffix(1);
    if ((level & SPAN_LOG_SEVERITY_MASK) <= SPAN_LOG_ERROR) {
      spdlog::warn("fax.spandsp {}", t);
    } else {
      spdlog::debug("fax.spandsp {}", t);
    }
  } catch (...) {
  }
}

void setup_log(logging_state_t* log, const std::string& tag) {
  if (!log) return;
  span_log_set_message_handler(log, &log_spandsp);
  span_log_set_level(log, static_cast<int>(SPAN_LOG_WARNING) | static_cast<int>(SPAN_LOG_SHOW_TAG));
  span_log_set_tag(log, tag.c_str());
}

std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  const auto b = out.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  return out.substr(b, out.find_last_not_of(' ') - b + 1);
}

}  // namespace

struct FaxSession::Impl {
  FaxSession* self = nullptr;
  std::string log_tag;
  FaxStatePtr audio;
  T38TerminalPtr t38;
  t30_state_t* t30 = nullptr;  // of whichever of the two is live
  AudioCodec codec = AudioCodec::pcmu;
  std::optional<media::UdptlEncoder> encoder;
  media::UdptlDecoder decoder;
  std::optional<media::JitterBuffer> jitter;
  std::uint16_t rtp_seq = 0;
  std::uint32_t rtp_ts = 0;
  std::array<std::int16_t, kMaxChunk> pcm{};
  std::array<std::uint8_t, media::kRtpHeaderSize + kMaxChunk> rtp_out{};

  void configure_t30(int bit_rate) {
    const FaxJob& job = self->job_;
    setup_log(t30_get_logging_state(t30), log_tag);
    t30_set_tx_ident(t30, job.local_station_id.substr(0, T30_MAX_IDENT_LEN).c_str());
    if (!job.header.empty() && job.direction == Direction::send) {
      t30_set_tx_page_header_info(t30, job.header.substr(0, T30_MAX_PAGE_HEADER_INFO).c_str());
    }
    t30_set_ecm_capability(t30, job.ecm ? 1 : 0);
    t30_set_supported_compressions(t30, T30_SUPPORT_T4_1D_COMPRESSION |
                                            T30_SUPPORT_T4_2D_COMPRESSION |
                                            T30_SUPPORT_T6_COMPRESSION);
    t30_set_supported_modems(t30, modems_for(bit_rate));
    if (job.direction == Direction::send) {
      t30_set_tx_file(t30, job.tiff_path.c_str(), -1, -1);
    } else {
      t30_set_rx_file(t30, job.tiff_path.c_str(), -1);
    }
    t30_set_phase_d_handler(t30, &Impl::phase_d, this);
    t30_set_phase_e_handler(t30, &Impl::phase_e, this);
  }

  void detach_t30() {
    if (!t30) return;
    t30_set_phase_d_handler(t30, nullptr, nullptr);
    t30_set_phase_e_handler(t30, nullptr, nullptr);
    t30_terminate(t30);
    t30 = nullptr;
  }

  static int t38_tx(t38_core_state_t*, void* user, const std::uint8_t* buf, int len,
                    int count) noexcept {
    try {
      auto* impl = static_cast<Impl*>(user);
      if (!impl->encoder || len <= 0) return 0;
      auto datagram = impl->encoder->encode({buf, static_cast<std::size_t>(len)});
      if (!datagram) return 0;
      // Indicators come with count 3: the same datagram, same sequence number, repeated.
      for (int i = 0; i < std::max(count, 1); ++i) impl->self->sink_.send_udptl(*datagram);
    } catch (...) {
    }
    return 0;
  }

  static int phase_d(t30_state_t* t30, void* user, int) noexcept {
    try {
      auto* impl = static_cast<Impl*>(user);
      t30_stats_t st{};
      t30_get_transfer_statistics(t30, &st);
      Progress p;
      p.pages_done = impl->self->job_.direction == Direction::send ? st.pages_tx : st.pages_rx;
      p.bit_rate = st.bit_rate;
      p.ecm = st.error_correcting_mode != 0;
      p.transport = impl->self->transport_;
      p.remote_station_id = trimmed(t30_get_rx_ident(t30));
      impl->self->pending_progress_ = std::move(p);
    } catch (...) {
    }
    return T30_ERR_OK;
  }

  static void phase_e(t30_state_t*, void* user, int completion_code) noexcept {
    try {
      static_cast<Impl*>(user)->self->finish(completion_code);
    } catch (...) {
    }
  }
};

FaxSession::FaxSession(FaxJob job, SessionOptions options, SessionSink& sink)
    : job_(std::move(job)), options_(options), sink_(sink), impl_(std::make_unique<Impl>()) {
  impl_->self = this;
  impl_->log_tag = job_.call_id.empty() ? std::string("fax") : job_.call_id;
}

FaxSession::~FaxSession() {
  // Free spandsp without reporting: the owner is going away.
  if (impl_->t30) {
    t30_set_phase_d_handler(impl_->t30, nullptr, nullptr);
    t30_set_phase_e_handler(impl_->t30, nullptr, nullptr);
  }
}

bool FaxSession::document_readable() const {
  if (job_.direction != Direction::send) return true;
  std::FILE* f = std::fopen(job_.tiff_path.c_str(), "rb");
  if (!f) return false;
  std::fclose(f);
  return true;
}

const media::UdptlDecodeStats& FaxSession::udptl_stats() const {
  return impl_->decoder.stats();
}

const media::JitterStats& FaxSession::jitter_stats() const {
  static const media::JitterStats none;
  return impl_->jitter ? impl_->jitter->stats() : none;
}

Result<void> FaxSession::start_audio(AudioCodec codec) {
  if (closed_ || done_ || transport_ == Transport::g711) return {};
  if (transport_ == Transport::t38) return fail(Errc::unsupported, "T.38 back to audio");
  if (!document_readable()) {
    finish(T30_ERR_FILEERROR);  // fail fast, before the far end is made to wait for phase B
    flush();
    return {};
  }
  const bool calling = job_.direction == Direction::send;
  impl_->audio.reset(fax_init(nullptr, calling ? 1 : 0));
  if (!impl_->audio) return fail(Errc::internal, "fax_init failed");
  fax_set_transmit_on_idle(impl_->audio.get(), 1);
  fax_set_tep_mode(impl_->audio.get(), 0);
  setup_log(fax_get_logging_state(impl_->audio.get()), impl_->log_tag);
  impl_->codec = codec;
  impl_->jitter.emplace(options_.jitter_delay_ticks);
  impl_->t30 = fax_get_t30_state(impl_->audio.get());
  impl_->configure_t30(job_.max_bit_rate);
  transport_ = Transport::g711;
  return {};
}

Result<void> FaxSession::start_t38(const media::T38Params& peer) {
  if (closed_ || done_ || transport_ == Transport::t38) return {};
  if (!document_readable()) {
    finish(T30_ERR_FILEERROR);  // fail fast, before the far end is made to wait for phase B
    flush();
    return {};
  }
  if (transport_ == Transport::g711) {
    // Switch: the audio T.30 ends silently, a fresh one starts on the terminal.
    impl_->detach_t30();
    impl_->audio.reset();
  }
  const bool calling = job_.direction == Direction::send;
  impl_->t38.reset(t38_terminal_init(nullptr, calling ? 1 : 0, &Impl::t38_tx, impl_.get()));
  if (!impl_->t38) return fail(Errc::internal, "t38_terminal_init failed");
  t38_terminal_state_t* t38 = impl_->t38.get();
  t38_terminal_set_config(t38, options_.t38_pacing ? 0 : T38_TERMINAL_OPTION_NO_PACING);
  t38_terminal_set_tep_mode(t38, 0);
  setup_log(t38_terminal_get_logging_state(t38), impl_->log_tag);
  t38_core_state_t* core = t38_terminal_get_t38_core_state(t38);
  setup_log(t38_core_get_logging_state(core), impl_->log_tag);
  const int bit_rate =
      peer.max_bit_rate > 0 ? std::min(job_.max_bit_rate, peer.max_bit_rate) : job_.max_bit_rate;
  const int max_datagram = media::effective_max_datagram(peer.max_datagram);
  t38_set_t38_version(core, std::clamp(peer.version, 0, 3));
  t38_set_data_rate_management_method(core, peer.transferred_tcf
                                                ? T38_DATA_RATE_MANAGEMENT_TRANSFERRED_TCF
                                                : T38_DATA_RATE_MANAGEMENT_LOCAL_TCF);
  t38_set_max_datagram_size(core, max_datagram);
  t38_set_fastest_image_data_rate(core, bit_rate);
  impl_->encoder.emplace(peer.error_correction == media::UdptlErrorCorrection::fec
                             ? media::UdptlErrorCorrection::fec
                             : media::UdptlErrorCorrection::redundancy,
                         options_.udptl_redundancy, max_datagram);
  impl_->decoder = media::UdptlDecoder{};
  impl_->t30 = t38_terminal_get_t30_state(t38);
  impl_->configure_t30(bit_rate);
  transport_ = Transport::t38;
  return {};
}

void FaxSession::hangup(FailureCode failure) {
  if (closed_) return;
  closed_ = true;
  if (!done_) {
    hangup_failure_ = failure;
    if (impl_->t30) t30_terminate(impl_->t30);  // phase E: T30_ERR_CALLDROPPED
    if (!done_) finish(T30_ERR_CALLDROPPED);    // nothing had started
  }
  flush();
}

void FaxSession::on_rtp(std::span<const std::uint8_t> packet) {
  if (closed_ || transport_ != Transport::g711) return;
  const auto rtp = media::parse_rtp(packet);
  if (!rtp || rtp->header.payload_type != static_cast<int>(impl_->codec)) return;
  // Played out by the tick, in sequence order, after the fixed delay.
  impl_->jitter->push(rtp->header.seq, rtp->payload);
}

void FaxSession::play_audio(int samples) {
  fax_state_t* fax = impl_->audio.get();
  media::JitterBuffer& jb = *impl_->jitter;
  jb.tick();
  if (!jb.playing()) {
    // No packet yet, or the first ones still in their delay: T.30 timers must run.
    fax_rx_fillin(fax, samples);
    return;
  }
  // One packet a tick; two while the buffer holds more than its delay (after a stall the late
  // packets came in a burst: catch up gradually, keeping the delay's cushion for reordering).
  const int budget = 1 + (jb.stored() > 2 * jb.delay_ticks() ? 1 : 0);
  for (int i = 0; i < budget; ++i) {
    auto p = jb.pop();
    if (!p) break;
    if (p->payload.empty()) {
      fax_rx_fillin(fax, p->samples);  // a lost packet, filled at its turn
    } else {
      const auto payload = p->payload;
      for (std::size_t i = 0; i < payload.size(); ++i) {
        impl_->pcm[i] = impl_->codec == AudioCodec::pcma ? alaw_to_linear(payload[i])
                                                         : ulaw_to_linear(payload[i]);
      }
      fax_rx(fax, impl_->pcm.data(), static_cast<int>(payload.size()));
    }
  }
}

void FaxSession::on_udptl(std::span<const std::uint8_t> datagram) {
  if (closed_ || transport_ != Transport::t38) return;
  auto ifps = impl_->decoder.decode(datagram);
  if (!ifps) return;  // counted in the decoder's stats
  t38_core_state_t* core = t38_terminal_get_t38_core_state(impl_->t38.get());
  for (const auto& ifp : *ifps) {
    t38_core_rx_ifp_packet(core, ifp.data.data(), static_cast<int>(ifp.data.size()), ifp.seq);
  }
  flush();
}

void FaxSession::tick(int samples) {
  if (closed_) return;
  if (transport_ == Transport::t38) {
    t38_terminal_send_timeout(impl_->t38.get(), samples);
  } else if (transport_ == Transport::g711) {
    fax_state_t* fax = impl_->audio.get();
    play_audio(samples);
    while (samples > 0) {
      const int n = std::min(samples, kMaxChunk);
      const int got = fax_tx(fax, impl_->pcm.data(), n);
      std::fill(impl_->pcm.begin() + std::max(got, 0), impl_->pcm.begin() + n, std::int16_t{0});
      std::uint8_t* out = impl_->rtp_out.data() + media::kRtpHeaderSize;
      for (int i = 0; i < n; ++i) {
        out[i] = impl_->codec == AudioCodec::pcma ? linear_to_alaw(impl_->pcm[i])
                                                  : linear_to_ulaw(impl_->pcm[i]);
      }
      media::RtpHeader h;
      h.payload_type = static_cast<std::uint8_t>(impl_->codec);
      h.seq = impl_->rtp_seq++;
      h.timestamp = impl_->rtp_ts;
      h.ssrc = options_.rtp_ssrc;
      impl_->rtp_ts += static_cast<std::uint32_t>(n);
      media::write_rtp_header(h, impl_->rtp_out);
      if (!audio_held_) {
        sink_.send_rtp(
            {impl_->rtp_out.data(), media::kRtpHeaderSize + static_cast<std::size_t>(n)});
      }
      samples -= n;
    }
  }
  flush();
}

void FaxSession::finish(int completion_code) {
  if (done_) return;
  done_ = true;
  result_ = FaxResult{};
  result_.t30_code = completion_code;
  result_.transport = transport_;
  const char* text = t30_completion_code_to_str(completion_code);
  result_.message = text ? text : "unknown";
  if (impl_->t30) {
    t30_stats_t st{};
    t30_get_transfer_statistics(impl_->t30, &st);
    result_.pages = job_.direction == Direction::send ? st.pages_tx : st.pages_rx;
    result_.bit_rate = st.bit_rate;
    result_.ecm = st.error_correcting_mode != 0;
    result_.remote_station_id = trimmed(t30_get_rx_ident(impl_->t30));
  }
  if (impl_->jitter) {
    const auto& j = impl_->jitter->stats();
    spdlog::info(
        "fax.jitter_buffer call={} received={} reordered={} late={} lost={} duplicate={} "
        "overflow={} restarts={}",
        job_.call_id, j.received, j.reordered, j.late, j.lost, j.duplicate, j.overflow, j.restarts);
  }
  const T30Outcome outcome = classify_t30_completion(completion_code);
  result_.ok = outcome.group == T30Group::ok;
  result_.failure = result_.ok ? FailureCode::internal : outcome.failure;
  if (!result_.ok && hangup_failure_) result_.failure = *hangup_failure_;
  spdlog::info(
      "fax.done call={} ok={} code={} pages={} rate={} ecm={} transport={} remote='{}' "
      "reason='{}'",
      job_.call_id, result_.ok, completion_code, result_.pages, result_.bit_rate, result_.ecm,
      transport_ == Transport::t38 ? "t38" : "g711", result_.remote_station_id, result_.message);
}

void FaxSession::flush() {
  if (pending_progress_) {
    Progress p = std::move(*pending_progress_);
    pending_progress_.reset();
    sink_.on_progress(p);
  }
  if (done_ && !done_reported_) {
    done_reported_ = true;
    sink_.on_done(result_);
  }
}

}  // namespace faxd::fax
