#pragma once
// Two FaxSessions wired back to back on simulated time, the way spandsp's t38_terminal_tests.c
// runs them: every tick both sessions advance 20 ms, then the packets each sent are delivered to
// the other through a seeded lossy channel. The one place the fax tests' fakes live.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "faxd/fax/fax_session.hpp"

namespace faxd::test {

class RecordingSink : public fax::SessionSink {
 public:
  void send_udptl(std::span<const std::uint8_t> d) override {
    udptl.emplace_back(d.begin(), d.end());
    max_udptl = std::max(max_udptl, d.size());
  }
  void send_rtp(std::span<const std::uint8_t> p) override { rtp.emplace_back(p.begin(), p.end()); }
  void on_progress(const fax::Progress& p) override { progress.push_back(p); }
  void on_done(const fax::FaxResult& r) override {
    result = r;
    ++done_calls;
  }

  std::vector<std::vector<std::uint8_t>> udptl, rtp;
  std::size_t max_udptl = 0;
  std::vector<fax::Progress> progress;
  std::optional<fax::FaxResult> result;
  int done_calls = 0;
};

struct LinkOptions {
  double loss = 0.0;      // probability that one UDPTL datagram is lost
  double rtp_loss = 0.0;  // probability that one RTP packet (20 ms of G.711) is lost
  // Each RTP packet is delayed by 0..rtp_jitter_ticks whole ticks (uniform, seeded): with 20 ms
  // ticks, 3 is the relay's +-30 ms, and packets overtake each other (reordering).
  int rtp_jitter_ticks = 0;
  std::uint32_t seed = 1;
  bool deliver = true;  // false: the far end hears nothing at all
};

class BackToBack {
 public:
  BackToBack(fax::FaxJob a_job, fax::FaxJob b_job, fax::SessionOptions options,
             LinkOptions link = {})
      : a(std::move(a_job), options, a_sink),
        b(std::move(b_job), options, b_sink),
        link_(link),
        rng_(link.seed) {}

  // Runs until both reported on_done (or the far end is deaf and `a` did), at most max_ticks.
  // Returns the ticks used.
  int run(int max_ticks = 60 * 50 * 5) {
    int t = 0;
    for (; t < max_ticks; ++t) {
      step();
      if (a_sink.result && (b_sink.result || !link_.deliver)) break;
    }
    // Let the last frames (DCN) drain so both sides finish.
    for (int i = 0; i < 100 && !(a_sink.result && b_sink.result) && link_.deliver; ++i, ++t) {
      step();
    }
    return t;
  }

  void step() {
    a.tick();
    b.tick();
    deliver(a_sink, b);
    deliver(b_sink, a);
    ++ticks;
  }

  RecordingSink a_sink, b_sink;
  fax::FaxSession a, b;
  std::uint64_t lost = 0;      // UDPTL datagrams
  std::uint64_t rtp_lost = 0;  // RTP packets
  int ticks = 0;

 private:
  void deliver(RecordingSink& from, fax::FaxSession& to) {
    std::bernoulli_distribution lose(link_.loss);
    for (const auto& d : from.udptl) {
      if (!link_.deliver || lose(rng_)) {
        ++lost;
        continue;
      }
      to.on_udptl(d);
    }
    std::bernoulli_distribution lose_rtp(link_.rtp_loss);
    std::uniform_int_distribution<int> delay(0, std::max(link_.rtp_jitter_ticks, 0));
    for (auto& p : from.rtp) {
      if (!link_.deliver) continue;
      if (link_.rtp_loss > 0 && lose_rtp(rng_)) {
        ++rtp_lost;
        continue;
      }
      const int due = ticks + (link_.rtp_jitter_ticks > 0 ? delay(rng_) : 0);
      in_flight_.push_back({due, &to, std::move(p)});
    }
    // Due packets in the order they were queued: a later-sent packet with a shorter delay
    // overtakes an earlier one.
    std::erase_if(in_flight_, [&](Flight& f) {
      if (f.to != &to || f.due > ticks) return false;
      f.to->on_rtp(f.packet);
      return true;
    });
    from.udptl.clear();
    from.rtp.clear();
  }

  struct Flight {
    int due = 0;
    fax::FaxSession* to = nullptr;
    std::vector<std::uint8_t> packet;
  };
  std::vector<Flight> in_flight_;

  LinkOptions link_;
  std::mt19937 rng_;
};

}  // namespace faxd::test
