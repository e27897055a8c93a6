#include "faxd/fax/fax_session.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <spdlog/spdlog.h>

#include "faxd/fax/t30_outcome.hpp"
#include "faxd/media/rtp_packet.hpp"
#include "faxd/media/rtp_red.hpp"
#include "faxd/media/udptl_encoder.hpp"
#include "spandsp_handles.hpp"

namespace faxd::fax {

namespace {

constexpr int kMaxChunk = 480;  // samples handed to spandsp at once (60 ms)
// A lost 20 ms packet is played as the packet before it, not as spandsp's fax_rx_fillin: in
// 0.0.6 the fill-in of V.17/V.29/V.27ter only turns the carrier phase and stops the symbol
// count, so a loss during a fast modem's training shifts the receiver against the known training
// sequence and the training fails (and T.30 0.0.6 cannot recover from a failed TCF training: the
// repeated DCS is answered with DCN). 20 ms is a whole number of symbols (48 at 2400 baud, 32 at
// 1600) and of carrier cycles (1700 and 1800 Hz), so the repeat keeps phase, symbol timing, power
// and the symbol count; only its data is wrong, which the checks after it (TCF zeros, ECM
// frames, row errors) see as errors. After kMaxRepeats in a row the gap is a silence (a stalled
// or ended flow) and gets the fill-in, so that no carrier is made up.
constexpr int kMaxRepeats = 2;
constexpr int kMaxRedundancy = 3;  // RFC 2198 blocks of earlier packets in each packet at most

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
  std::array<std::uint8_t, kMaxChunk> last_rx{};  // G.711 of the last packet played
  int last_rx_len = 0;
  int repeats = 0;  // lost packets in a row played as last_rx
  // RFC 2198: the payload type the peer gave "red" (-1: none), and the G.711 of the packets sent
  // last (a ring: tx_next is the one being sent), their lengths and timestamps.
  int red_pt = -1;
  std::array<std::array<std::uint8_t, kMaxChunk>, kMaxRedundancy + 1> tx_g711{};
  std::array<int, kMaxRedundancy + 1> tx_len{};
  std::array<std::uint32_t, kMaxRedundancy + 1> tx_ts{};
  std::size_t tx_next = 0;
  int tx_sent = 0;  // packets sent so far (the first ones have fewer predecessors)
  std::array<std::uint8_t, media::kRtpHeaderSize + (kMaxRedundancy + 1) * (4 + kMaxChunk)>
      rtp_out{};

  // The RTP packet of the `n` samples in tx_g711[tx_next], with up to `redundancy` earlier
  // packets as RFC 2198 blocks when the peer takes "red". Returns its size (0: nothing to send).
  std::size_t write_rtp(int n, std::uint32_t ssrc, int redundancy) {
    const std::size_t cur = tx_next;
    tx_len[cur] = n;
    tx_ts[cur] = rtp_ts;
    const std::span<const std::uint8_t> primary(tx_g711[cur].data(), static_cast<std::size_t>(n));
    media::RtpHeader h;
    h.payload_type = static_cast<std::uint8_t>(codec);
    h.seq = rtp_seq++;
    h.timestamp = rtp_ts;
    h.ssrc = ssrc;
    rtp_ts += static_cast<std::uint32_t>(n);
    tx_next = (tx_next + 1) % tx_g711.size();
    const auto body = std::span<std::uint8_t>(rtp_out).subspan(media::kRtpHeaderSize);
    std::size_t size = 0;
    const int levels =
        red_pt < 0 ? 0 : std::clamp(std::min(redundancy, tx_sent), 0, kMaxRedundancy);
    if (tx_sent < kMaxRedundancy) ++tx_sent;
    if (red_pt < 0 || redundancy <= 0) {
      std::copy(primary.begin(), primary.end(), body.begin());
      size = primary.size();
    } else {
      std::array<media::RedBlock, kMaxRedundancy> blocks;
      for (int k = levels; k >= 1; --k) {  // oldest first
        const std::size_t i = (cur + tx_g711.size() - static_cast<std::size_t>(k)) % tx_g711.size();
        media::RedBlock& b = blocks[static_cast<std::size_t>(levels - k)];
        b.payload_type = static_cast<int>(codec);
        b.timestamp_offset = h.timestamp - tx_ts[i];
        b.data =
            std::span<const std::uint8_t>(tx_g711[i].data(), static_cast<std::size_t>(tx_len[i]));
      }
      size = media::write_red({blocks.data(), static_cast<std::size_t>(levels)},
                              static_cast<int>(codec), primary, body);
      if (size == 0) return 0;
      h.payload_type = static_cast<std::uint8_t>(red_pt);
    }
    media::write_rtp_header(h, rtp_out);
    return media::kRtpHeaderSize + size;
  }

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

Result<void> FaxSession::start_audio(AudioCodec codec, int red_pt) {
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
  impl_->red_pt = red_pt >= 96 && red_pt <= 127 ? red_pt : -1;  // a dynamic payload type
  // With redundancy a lost packet's copy comes one packet later: wait that long for it too.
  const int red_wait = impl_->red_pt >= 0 ? 1 : 0;
  impl_->jitter.emplace(options_.jitter_delay_ticks + red_wait);
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
  if (!rtp) return;
  const int codec_pt = static_cast<int>(impl_->codec);
  media::JitterBuffer& jb = *impl_->jitter;
  // Played out by the tick, in sequence order, after the fixed delay.
  if (rtp->header.payload_type == codec_pt) {
    jb.push(rtp->header.seq, rtp->payload);
    return;
  }
  if (impl_->red_pt < 0 || rtp->header.payload_type != impl_->red_pt) return;
  const media::RedPayload red = media::parse_red(rtp->payload);
  if (red.count == 0) return;
  const media::RedBlock& primary = red.blocks[static_cast<std::size_t>(red.count - 1)];
  if (primary.payload_type != codec_pt) return;
  // Earlier packets first, then this one. G.711 packets of one size follow each other, so a
  // block `k` packets back is k times its length back in time.
  for (int i = 0; i + 1 < red.count; ++i) {
    const media::RedBlock& b = red.blocks[static_cast<std::size_t>(i)];
    const auto len = static_cast<std::uint32_t>(b.data.size());
    if (b.payload_type != codec_pt || len == 0 || b.timestamp_offset % len != 0) continue;
    const auto back = b.timestamp_offset / len;
    if (back == 0 || back > kMaxRedundancy) continue;
    jb.push_redundant(static_cast<std::uint16_t>(rtp->header.seq - back), b.data);
  }
  jb.push(rtp->header.seq, primary.data);
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
    Impl& m = *impl_;
    if (!p->payload.empty()) {
      std::copy(p->payload.begin(), p->payload.end(), m.last_rx.begin());
      m.last_rx_len = static_cast<int>(p->payload.size());
      m.repeats = 0;
    } else if (m.last_rx_len != p->samples || m.repeats >= kMaxRepeats) {
      fax_rx_fillin(fax, p->samples);  // a longer silence: spandsp's fill-in, timers run
      continue;
    } else {
      ++m.repeats;  // a lost packet: its predecessor again (see kMaxRepeats)
    }
    for (int k = 0; k < m.last_rx_len; ++k) {
      m.pcm[k] =
          m.codec == AudioCodec::pcma ? alaw_to_linear(m.last_rx[k]) : ulaw_to_linear(m.last_rx[k]);
    }
    fax_rx(fax, m.pcm.data(), m.last_rx_len);  // fax_rx changes the samples it is given
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
      std::array<std::uint8_t, kMaxChunk>& g711 = impl_->tx_g711[impl_->tx_next];
      for (int i = 0; i < n; ++i) {
        g711[i] = impl_->codec == AudioCodec::pcma ? linear_to_alaw(impl_->pcm[i])
                                                   : linear_to_ulaw(impl_->pcm[i]);
      }
      const std::size_t size = impl_->write_rtp(n, options_.rtp_ssrc, options_.rtp_redundancy);
      if (!audio_held_ && size > 0) sink_.send_rtp({impl_->rtp_out.data(), size});
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
        "overflow={} restarts={} recovered={} red={}",
        job_.call_id, j.received, j.reordered, j.late, j.lost, j.duplicate, j.overflow, j.restarts,
        j.recovered, impl_->red_pt >= 0);
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
