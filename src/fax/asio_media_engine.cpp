// The media thread: io_context, port allocation, the shared tick, and the CallMedia handles the
// SIP layer holds. See include/faxd/fax/media_engine.hpp for the contract.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "call_session.hpp"
#include "faxd/fax/media_engine.hpp"
#include "jitter_histogram.hpp"

namespace faxd::fax {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr auto kTick = 20ms;
constexpr auto kResyncAfter = 200ms;
constexpr int kBindAttempts = 32;
constexpr int kWindowTicks = 500;  // tick statistics are logged every 10 s while calls are up
constexpr int kRealtimePriority = 10;
constexpr auto kOverloadLate = 100ms;  // a tick this late starves T.30 (its timers, the modems)

// The tick must run on time even when the box is busy (on a loaded machine a plain thread waits
// behind every runnable process: 20 ms late ticks at p99 with 200 calls and load 12 on 2 cores).
// SCHED_FIFO needs CAP_SYS_NICE or an RLIMIT_RTPRIO; without it the thread stays as it is. The
// kernel's RT throttling still leaves 5% of a core to others should the tick ever spin.
void try_realtime() {
  sched_param sp{};
  sp.sched_priority = kRealtimePriority;
  if (const int rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp); rc != 0) {
    spdlog::info("media.realtime_unavailable reason='{}'", std::strerror(rc));
  } else {
    spdlog::info("media.realtime priority={}", kRealtimePriority);
  }
}

// Everything the media thread touches; shared with the CallMedia handles so a late handle never
// posts into freed memory.
struct EngineCore : std::enable_shared_from_this<EngineCore> {
  EngineCore(const config::MediaConfig& media, const config::T38Config& t38)
      : media_config(media),
        t38_config(t38),
        ports(std::make_shared<media::PortAllocator>(media.port_min, media.port_max)),
        timer(io) {}

  // Media thread: everything below until the members. Debug builds check it.
  bool on_media_thread() const { return std::this_thread::get_id() == media_thread; }
  void start_ticking() {
    media_thread = std::this_thread::get_id();
    next_deadline = std::chrono::steady_clock::now() + kTick;
    arm();
  }
  void arm() {
    timer.expires_at(next_deadline);
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !stopping) on_tick();
    });
  }
  void on_tick() {
    assert(on_media_thread());
    const auto now = std::chrono::steady_clock::now();
    const auto late = now - next_deadline;
    jitter.record(std::chrono::duration_cast<std::chrono::microseconds>(late).count());
    if (late > kOverloadLate) ++overload_ticks;
    ticks.fetch_add(1, std::memory_order_relaxed);
    for (const auto& s : sessions) s->tick();
    const auto work_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - now)
                             .count();
    work.record(work_us);
    record_window(std::chrono::duration_cast<std::chrono::microseconds>(late).count(), work_us);
    next_deadline += kTick;
    if (late > kResyncAfter) {
      resyncs.fetch_add(1, std::memory_order_relaxed);
      next_deadline = now + kTick;  // a stalled thread must not replay the missed ticks at once
    }
    arm();
  }
  // The life-long histograms hide a busy spell among idle hours: log each 10 s window that had
  // calls (p50/p99 of lateness and of the work of a tick), then start the next one.
  void record_window(std::int64_t late_us, std::int64_t work_us) {
    window_jitter.record(late_us);
    window_work.record(work_us);
    window_peak = std::max(window_peak, sessions.size());
    if (window_jitter.count() < kWindowTicks) return;
    if (window_peak > 0) {
      spdlog::info(
          "media.tick_window sessions={} ticks={} jitter_p50_us={} jitter_p99_us={} "
          "jitter_max_us={} work_p50_us={} work_p99_us={} work_max_us={} resyncs={}",
          window_peak, window_jitter.count(), window_jitter.quantile_us(0.5),
          window_jitter.quantile_us(0.99), window_jitter.max_us(), window_work.quantile_us(0.5),
          window_work.quantile_us(0.99), window_work.max_us(),
          resyncs.load(std::memory_order_relaxed));
    }
    window_jitter.reset();
    window_work.reset();
    window_peak = 0;
  }
  void add(std::shared_ptr<CallSession> s) {
    assert(on_media_thread());
    s->attach(&overload_ticks);
    sessions.push_back(std::move(s));
  }
  void hangup(const std::shared_ptr<CallSession>& s, FailureCode failure) {
    assert(on_media_thread());
    if (s->closed()) return;
    s->hangup(failure);
    std::erase(sessions, s);
    active.fetch_sub(1, std::memory_order_relaxed);
  }
  void hangup_all() {
    auto all = sessions;
    for (const auto& s : all) hangup(s, FailureCode::transfer_failed);
  }

  config::MediaConfig media_config;
  config::T38Config t38_config;
  std::shared_ptr<media::PortAllocator> ports;
  asio::io_context io;
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point next_deadline;
  std::thread::id media_thread;
  std::vector<std::shared_ptr<CallSession>> sessions;  // media thread only
  std::uint64_t overload_ticks = 0;                    // media thread only
  bool stopping = false;                               // media thread only
  std::atomic<int> active{0};
  std::atomic<std::uint64_t> ticks{0};
  std::atomic<std::uint64_t> resyncs{0};
  JitterHistogram jitter;
  JitterHistogram work;
  JitterHistogram window_jitter;  // media thread only, like window_peak
  JitterHistogram window_work;
  std::size_t window_peak = 0;
};

class CallMediaHandle final : public CallMedia {
 public:
  CallMediaHandle(std::shared_ptr<EngineCore> core, std::shared_ptr<CallSession> session,
                  std::uint16_t rtp_port, std::uint16_t udptl_port)
      : core_(std::move(core)),
        session_(std::move(session)),
        rtp_port_(rtp_port),
        udptl_port_(udptl_port) {}
  ~CallMediaHandle() override { hangup(FailureCode::transfer_failed); }

  std::uint16_t local_rtp_port() const override { return rtp_port_; }
  std::uint16_t local_udptl_port() const override { return udptl_port_; }
  const std::string& local_address() const override { return core_->media_config.address; }

  void start_audio(const Endpoint& remote, AudioCodec codec, int red_pt) override {
    asio::post(core_->io,
               [s = session_, remote, codec, red_pt] { s->start_audio(remote, codec, red_pt); });
  }
  void start_t38(const Endpoint& remote, const media::T38Params& peer) override {
    asio::post(core_->io, [s = session_, remote, peer] { s->start_t38(remote, peer); });
  }
  void hold_audio(bool hold) override {
    asio::post(core_->io, [s = session_, hold] { s->hold_audio(hold); });
  }
  void hangup(FailureCode failure) override {
    // A raw core pointer: the handler only runs inside io.run(), whose thread holds the core; a
    // shared_ptr here would keep the core alive from its own queue after stop().
    asio::post(core_->io, [c = core_.get(), s = session_, failure] { c->hangup(s, failure); });
  }
  media::T38Params local_t38_params() const override {
    media::T38Params p;
    p.version = 0;
    p.max_bit_rate = 14400;
    p.transferred_tcf = true;
    p.max_datagram = core_->t38_config.max_datagram;
    p.error_correction = media::UdptlErrorCorrection::redundancy;
    return p;
  }

 private:
  std::shared_ptr<EngineCore> core_;
  std::shared_ptr<CallSession> session_;
  std::uint16_t rtp_port_;
  std::uint16_t udptl_port_;
};

class AsioMediaEngine final : public ThreadedMediaEngine {
 public:
  explicit AsioMediaEngine(std::shared_ptr<EngineCore> core)
      : core_(std::move(core)), work_(asio::make_work_guard(core_->io)) {
    asio::post(core_->io, [c = core_.get()] { c->start_ticking(); });
    thread_ = std::thread([c = core_] {
      try_realtime();
      try {
        c->io.run();
      } catch (const std::exception& e) {
        spdlog::critical("media.thread_died what='{}'", e.what());
      }
    });
  }
  ~AsioMediaEngine() override { stop(); }

  Result<std::unique_ptr<CallMedia>> create_call(const FaxJob& job,
                                                 CallMediaCallbacks callbacks) override {
    auto rtp = bind_port();
    if (!rtp) return std::unexpected(rtp.error());
    auto udptl = bind_port();
    if (!udptl) {
      core_->ports->release((*rtp)->local_port());
      (*rtp)->close();
      return std::unexpected(udptl.error());
    }
    const std::uint16_t rtp_port = (*rtp)->local_port();
    const std::uint16_t udptl_port = (*udptl)->local_port();
    SessionOptions options;
    options.udptl_redundancy = core_->t38_config.redundancy;
    options.rtp_ssrc = static_cast<std::uint32_t>(0x46410000u ^ rtp_port ^ (udptl_port << 16));
    options.jitter_delay_ticks = (core_->media_config.jitter_buffer_ms + 19) / 20;
    options.rtp_redundancy = core_->media_config.rtp_redundancy;
    (*rtp)->set_symmetric(core_->media_config.symmetric);
    (*udptl)->set_symmetric(core_->media_config.symmetric);
    FaxJob fax_job = job;
    fax_job.ecm = job.ecm && core_->t38_config.ecm;
    auto session = std::make_shared<CallSession>(std::move(fax_job), options, std::move(callbacks),
                                                 std::move(*rtp), std::move(*udptl), core_->ports);
    core_->active.fetch_add(1, std::memory_order_relaxed);
    asio::post(core_->io, [c = core_.get(), session] { c->add(session); });
    spdlog::info("media.call_created call={} rtp_port={} udptl_port={}", job.call_id, rtp_port,
                 udptl_port);
    return std::make_unique<CallMediaHandle>(core_, std::move(session), rtp_port, udptl_port);
  }

  int active_sessions() const override { return core_->active.load(std::memory_order_relaxed); }

  TickStats tick_stats() const override {
    TickStats s;
    s.ticks = core_->ticks.load(std::memory_order_relaxed);
    s.resyncs = core_->resyncs.load(std::memory_order_relaxed);
    s.jitter_p50_us = core_->jitter.quantile_us(0.50);
    s.jitter_p99_us = core_->jitter.quantile_us(0.99);
    s.jitter_max_us = core_->jitter.max_us();
    s.work_p50_us = core_->work.quantile_us(0.50);
    s.work_p99_us = core_->work.quantile_us(0.99);
    s.work_max_us = core_->work.max_us();
    return s;
  }

  void stop() override {
    if (!thread_.joinable()) return;
    asio::post(core_->io, [c = core_.get()] {
      c->hangup_all();
      c->stopping = true;
      c->timer.cancel();
    });
    work_.reset();
    thread_.join();
  }

 private:
  // An even port from the range that this process can bind; ports taken by others are skipped.
  Result<std::shared_ptr<media::UdpEndpoint>> bind_port() {
    Error last{Errc::io, "no free media port"};
    for (int attempt = 0; attempt < kBindAttempts; ++attempt) {
      const auto port = core_->ports->allocate();
      if (!port) {
        return fail(Errc::io,
                    fmt::format("media ports {}..{} exhausted", core_->media_config.port_min,
                                core_->media_config.port_max));
      }
      auto ep = media::UdpEndpoint::open(core_->io, core_->media_config.address, *port);
      if (ep) return ep;
      core_->ports->release(*port);
      last = ep.error();
      if (last.code == Errc::invalid_argument) break;
    }
    return std::unexpected(last);
  }

  std::shared_ptr<EngineCore> core_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<ThreadedMediaEngine>> make_media_engine(const config::MediaConfig& media,
                                                               const config::T38Config& t38) {
  if (media.port_min == 0 || media.port_max < media.port_min + 3) {
    return fail(Errc::invalid_argument,
                fmt::format("[media] port range {}..{} needs at least two even ports",
                            media.port_min, media.port_max),
                "media.port_min");
  }
  boost::system::error_code ec;
  asio::ip::make_address(media.address, ec);
  if (ec) {
    return fail(Errc::invalid_argument,
                fmt::format("[media] address '{}' is not an IP address", media.address),
                "media.address");
  }
  auto core = std::make_shared<EngineCore>(media, t38);
  return std::make_unique<AsioMediaEngine>(std::move(core));
}

}  // namespace faxd::fax
