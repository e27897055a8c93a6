#pragma once
// A fake fax::MediaEngine for SIP tests: hands out port numbers, records what the SIP layer
// asked for, and "finishes the fax" `complete_after` after the last start_audio/start_t38
// (never when negative). Callbacks run on its own worker thread, as the real media thread's
// would. hangup() before completion reports the failure it was given, unless it comes
// `whole_after` or later after the last start (a receiver that had every page and the sender's
// DCN before the BYE); on_done fires exactly once per call.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "faxd/fax/call_media.hpp"

namespace faxd::test {

class FakeMediaEngine final : public fax::MediaEngine {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    std::uint16_t first_port = 40000;
    std::chrono::milliseconds complete_after{-1};
    std::chrono::milliseconds whole_after{-1};  // never when negative
    int pages = 1;
    media::T38Params t38 = [] {
      media::T38Params p;
      p.max_datagram = 400;
      p.max_buffer = 1800;
      return p;
    }();
  };

  explicit FakeMediaEngine(Options options)
      : options_(std::move(options)), next_port_(options_.first_port) {
    worker_ = std::thread([this] { loop(); });
  }
  ~FakeMediaEngine() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }

  Result<std::unique_ptr<fax::CallMedia>> create_call(const fax::FaxJob& job,
                                                      fax::CallMediaCallbacks callbacks) override;
  int active_sessions() const override {
    std::lock_guard lock(mu_);
    return active_;
  }

  // Lines like "start_t38 call=ID remote=1.2.3.4:5 max_datagram=176" in order.
  std::vector<std::string> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::function<void(const std::string&)> on_event;  // also called per event (worker or caller)

 private:
  friend class FakeCallMedia;
  struct Session {
    std::string call_id;
    fax::CallMediaCallbacks callbacks;
    bool done = false;
    std::uint64_t generation = 0;  // bumps on every start: older completions are void
    fax::Transport transport = fax::Transport::none;
    std::chrono::steady_clock::time_point started_at{};
  };

  void record(const std::string& line) {
    {
      std::lock_guard lock(mu_);
      events_.push_back(line);
    }
    if (on_event) on_event(line);
  }

  void schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace(std::chrono::steady_clock::now() + delay, std::move(fn));
    }
    cv_.notify_all();
  }

  void loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (queue_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto it = queue_.begin();
      if (std::chrono::steady_clock::now() < it->first) {
        cv_.wait_until(lock, it->first);
        continue;
      }
      auto fn = std::move(it->second);
      queue_.erase(it);
      lock.unlock();
      fn();
      lock.lock();
    }
  }

  void finish(const std::shared_ptr<Session>& s, fax::FaxResult r) {
    {
      std::lock_guard lock(mu_);
      if (s->done) return;
      s->done = true;
      --active_;
    }
    record(fmt::format("done call={} ok={} failure={}", s->call_id, r.ok, to_string(r.failure)));
    if (s->callbacks.on_done) s->callbacks.on_done(r);
  }

  void started(const std::shared_ptr<Session>& s, fax::Transport t) {
    std::uint64_t gen;
    {
      std::lock_guard lock(mu_);
      gen = ++s->generation;
      s->transport = t;
      s->started_at = std::chrono::steady_clock::now();
    }
    if (options_.complete_after.count() < 0) return;
    schedule(options_.complete_after, [this, s, gen] {
      {
        std::lock_guard lock(mu_);
        if (s->generation != gen) return;
      }
      succeed(s);
    });
  }

  void succeed(const std::shared_ptr<Session>& s) {
    fax::Progress p;
    p.pages_done = options_.pages;
    p.transport = s->transport;
    p.remote_station_id = "FAKE";
    if (s->callbacks.on_progress) s->callbacks.on_progress(p);
    fax::FaxResult r;
    r.ok = true;
    r.pages = options_.pages;
    r.bit_rate = 14400;
    r.transport = s->transport;
    r.remote_station_id = "FAKE";
    r.message = "OK";
    r.t30_code = 0;
    finish(s, r);
  }

  // Whether a hang-up now comes after the whole fax was in (Options::whole_after).
  bool whole(const std::shared_ptr<Session>& s) const {
    std::lock_guard lock(mu_);
    return options_.whole_after.count() >= 0 && s->generation > 0 &&
           std::chrono::steady_clock::now() - s->started_at >= options_.whole_after;
  }

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> queue_;
  std::vector<std::string> events_;
  std::uint16_t next_port_;
  int active_ = 0;
  bool stop_ = false;
  std::thread worker_;
};

class FakeCallMedia final : public fax::CallMedia {
 public:
  FakeCallMedia(FakeMediaEngine& engine, std::shared_ptr<FakeMediaEngine::Session> s,
                std::uint16_t rtp, std::uint16_t udptl)
      : engine_(engine), s_(std::move(s)), rtp_(rtp), udptl_(udptl) {}
  ~FakeCallMedia() override { hangup(FailureCode::transfer_failed); }

  std::uint16_t local_rtp_port() const override { return rtp_; }
  std::uint16_t local_udptl_port() const override { return udptl_; }
  const std::string& local_address() const override { return engine_.options_.address; }
  media::T38Params local_t38_params() const override { return engine_.options_.t38; }

  void start_audio(const fax::Endpoint& remote, fax::AudioCodec codec, int red_pt) override {
    engine_.record(fmt::format("start_audio call={} remote={}:{} codec={}{}", s_->call_id,
                               remote.address, remote.port, static_cast<int>(codec),
                               red_pt >= 0 ? fmt::format(" red={}", red_pt) : std::string()));
    engine_.started(s_, fax::Transport::g711);
  }
  void start_t38(const fax::Endpoint& remote, const media::T38Params& peer) override {
    engine_.record(fmt::format("start_t38 call={} remote={}:{} max_datagram={} version={}",
                               s_->call_id, remote.address, remote.port, peer.max_datagram,
                               peer.version));
    engine_.started(s_, fax::Transport::t38);
  }
  void hold_audio(bool hold) override {
    engine_.record(fmt::format("hold_audio call={} hold={}", s_->call_id, hold));
  }
  void hangup(FailureCode failure) override {
    {
      std::lock_guard lock(engine_.mu_);
      if (s_->done) return;
    }
    engine_.record(fmt::format("hangup call={} failure={}", s_->call_id, to_string(failure)));
    if (engine_.whole(s_)) {
      engine_.schedule(std::chrono::milliseconds(0), [e = &engine_, s = s_] { e->succeed(s); });
      return;
    }
    fax::FaxResult r;
    r.ok = false;
    r.failure = failure;
    r.message = "call dropped";
    r.transport = s_->transport;
    engine_.schedule(std::chrono::milliseconds(0), [e = &engine_, s = s_, r] { e->finish(s, r); });
  }

 private:
  FakeMediaEngine& engine_;
  std::shared_ptr<FakeMediaEngine::Session> s_;
  std::uint16_t rtp_;
  std::uint16_t udptl_;
};

inline Result<std::unique_ptr<fax::CallMedia>> FakeMediaEngine::create_call(
    const fax::FaxJob& job, fax::CallMediaCallbacks callbacks) {
  auto s = std::make_shared<Session>();
  s->call_id = job.call_id;
  s->callbacks = std::move(callbacks);
  std::uint16_t rtp, udptl;
  {
    std::lock_guard lock(mu_);
    ++active_;
    rtp = next_port_;
    udptl = static_cast<std::uint16_t>(next_port_ + 2);
    next_port_ = static_cast<std::uint16_t>(next_port_ + 4);
  }
  record(fmt::format("create call={} direction={}", job.call_id,
                     job.direction == fax::Direction::send ? "send" : "receive"));
  return std::unique_ptr<fax::CallMedia>(std::make_unique<FakeCallMedia>(*this, s, rtp, udptl));
}

}  // namespace faxd::test
