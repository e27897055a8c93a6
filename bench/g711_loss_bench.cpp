// Success rate of G.711 audio faxes through RTP loss and jitter, on simulated time (no sockets):
// two FaxSessions back to back (tests/unit/fax/back_to_back.hpp), each receiving through its
// real jitter buffer, the link dropping a seeded share of the 20 ms RTP packets and delaying each
// by 0..J ticks (reordering). One page per fax, one seed per fax.
//   g711_loss_bench [seeds=20] [loss=0.01] [jitter_ticks=3] [pages=1] [redundancy=0]
// redundancy > 0: both ends agreed RFC 2198 "red" and send that many earlier packets in each.
// Prints one line per mode: delivered/seeds, and the failures grouped by T.30 completion text.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include <spdlog/spdlog.h>

#include "back_to_back.hpp"
#include "faxd/fax/fax_session.hpp"
#include "temp_dir.hpp"
#include "tiff_fixture.hpp"

namespace {

using namespace faxd;

struct Mode {
  const char* name;
  bool ecm;
  int bit_rate;
};

void run_mode(const Mode& mode, int seeds, double loss, int jitter, int pages, int redundancy) {
  test::TempDir dir;
  const std::string doc = dir.file("doc.tif");
  if (!test::write_tiff_f(doc, pages, 2200)) {
    std::fprintf(stderr, "cannot write the test document\n");
    std::exit(1);
  }
  int ok = 0;
  double line_s = 0;
  std::uint64_t lost = 0;
  std::map<std::string, int> failures;
  for (int seed = 1; seed <= seeds; ++seed) {
    fax::FaxJob tx;
    tx.direction = fax::Direction::send;
    tx.tiff_path = doc;
    tx.local_station_id = "bench tx";
    tx.ecm = mode.ecm;
    tx.max_bit_rate = mode.bit_rate;
    tx.call_id = "tx" + std::to_string(seed);
    fax::FaxJob rx = tx;
    rx.direction = fax::Direction::receive;
    rx.tiff_path = dir.file("rx.tif");
    rx.local_station_id = "bench rx";
    rx.call_id = "rx" + std::to_string(seed);
    test::LinkOptions link;
    link.rtp_loss = loss;
    link.rtp_jitter_ticks = jitter;
    link.seed = static_cast<std::uint32_t>(seed);
    fax::SessionOptions options;
    options.rtp_redundancy = redundancy;
    options.jitter_delay_ticks = 4;  // [media] jitter_buffer_ms 80, the default
    const int red_pt = redundancy > 0 ? 96 : -1;
    test::BackToBack b2b(tx, rx, options, link);
    (void)b2b.a.start_audio(fax::AudioCodec::pcma, red_pt);
    (void)b2b.b.start_audio(fax::AudioCodec::pcma, red_pt);
    int ticks = b2b.run((120 + 120 * pages) * 50);
    // The receiver may still wait for a lost DCN: let its T.30 timers end it.
    for (int i = 0; i < 60 * 50 && !b2b.b_sink.result; ++i, ++ticks) b2b.step();
    line_s += ticks * 0.020;
    lost += b2b.rtp_lost;
    const auto& a = b2b.a_sink.result;
    const auto& b = b2b.b_sink.result;
    const bool delivered = a && a->ok && a->pages == pages && b && b->ok && b->pages == pages;
    if (delivered) {
      ++ok;
    } else {
      const std::string why =
          (a ? "tx: " + a->message + " (" + std::to_string(a->pages) + " pages)"
             : std::string("tx never finished")) +
          (b ? ", rx: " + b->message + " (" + std::to_string(b->pages) + " pages)"
             : std::string(", rx never finished"));
      ++failures[why];
    }
  }
  std::printf(
      "%-22s red %d, loss %4.1f %%, jitter 0..%d ticks: %2d/%d delivered, mean line "
      "%5.1f s, %llu packets lost",
      mode.name, redundancy, loss * 100, jitter, ok, seeds, line_s / seeds,
      static_cast<unsigned long long>(lost));
  for (const auto& [why, n] : failures) std::printf("\n    %dx %s", n, why.c_str());
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  const int seeds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  const double loss = argc > 2 ? std::atof(argv[2]) : 0.01;
  const int jitter = argc > 3 ? std::atoi(argv[3]) : 3;
  const int pages = argc > 4 ? std::max(1, std::atoi(argv[4])) : 1;
  const int redundancy = argc > 5 ? std::clamp(std::atoi(argv[5]), 0, 3) : 0;
  const char* only = std::getenv("G711_MODE");
  const Mode modes[] = {{"V.17 14400, ECM", true, 14400},
                        {"V.17 14400, no ECM", false, 14400},
                        {"V.29 9600, ECM", true, 9600},
                        {"V.29 9600, no ECM", false, 9600}};
  for (const auto& m : modes) {
    if (only && std::string(m.name).find(only) == std::string::npos) continue;
    run_mode(m, seeds, loss, jitter, pages, redundancy);
  }
  return 0;
}
