#pragma once
// Two FaxSessions wired back to back on simulated time, the way spandsp's t38_terminal_tests.c
// runs them: every tick both sessions advance 20 ms, then the packets each sent are delivered to
// the other through a seeded lossy channel. The one place the fax tests' fakes live.
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
  double loss = 0.0;  // probability that one UDPTL datagram is lost (RTP is never lost)
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
  std::uint64_t lost = 0;
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
    for (const auto& p : from.rtp) {
      if (link_.deliver) to.on_rtp(p);
    }
    from.udptl.clear();
    from.rtp.clear();
  }

  LinkOptions link_;
  std::mt19937 rng_;
};

}  // namespace faxd::test
