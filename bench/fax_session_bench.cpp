// CPU and memory per fax session, on simulated time (no sockets): two FaxSessions back to back,
// as in tests/unit/fax. Prints one line per figure.
//   fax_session_bench [pages=3] [corpus TIFF to send as well]
// Figures: CPU per whole fax (both ends / 2), CPU per second of line time (what bounds the
// number of concurrent calls per core), and RSS per live session (spandsp state + our buffers).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "back_to_back.hpp"
#include "faxd/fax/fax_session.hpp"
#include "faxd/fax/media_engine.hpp"
#include "temp_dir.hpp"
#include "tiff_fixture.hpp"

namespace {

using namespace faxd;

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kb = 0;
      in >> kb;
      return kb;
    }
    in.ignore(1 << 10, '\n');
  }
  return 0;
}

struct Run {
  double cpu_s = 0;
  double line_s = 0;  // simulated seconds
  bool ok = false;
};

Run one_fax(const test::TempDir& dir, int pages, bool t38, bool paced, bool ecm,
            const std::string& doc) {
  fax::FaxJob tx;
  tx.direction = fax::Direction::send;
  tx.tiff_path = doc.empty() ? dir.file("doc.tif") : doc;
  tx.local_station_id = "bench tx";
  tx.ecm = ecm;
  fax::FaxJob rx = tx;
  rx.direction = fax::Direction::receive;
  rx.tiff_path = dir.file("rx.tif");
  rx.local_station_id = "bench rx";
  fax::SessionOptions options;
  options.t38_pacing = paced;
  const double start = cpu_seconds();
  test::BackToBack b2b(tx, rx, options);
  if (t38) {
    (void)b2b.a.start_t38({});
    (void)b2b.b.start_t38({});
  } else {
    (void)b2b.a.start_audio(fax::AudioCodec::pcma);
    (void)b2b.b.start_audio(fax::AudioCodec::pcma);
  }
  const int ticks = b2b.run((120 + 90 * pages) * 50);  // generous: 90 s of line per page
  Run r;
  r.cpu_s = cpu_seconds() - start;
  r.line_s = ticks * 0.020;
  r.ok = b2b.a_sink.result && b2b.a_sink.result->ok && b2b.a_sink.result->pages == pages;
  return r;
}

void report(const char* name, const test::TempDir& dir, int pages, bool t38, bool paced, bool ecm,
            int repeats, const std::string& doc = {}) {
  Run total;
  bool ok = true;
  for (int i = 0; i < repeats; ++i) {
    const Run r = one_fax(dir, pages, t38, paced, ecm, doc);
    total.cpu_s += r.cpu_s;
    total.line_s += r.line_s;
    ok = ok && r.ok;
  }
  const double cpu_per_session = total.cpu_s / repeats / 2;  // two sessions per fax
  const double line = total.line_s / repeats;
  std::printf("%-28s %d pages: %s, line time %6.1f s, CPU per session %7.2f ms", name, pages,
              ok ? "ok" : "FAILED", line, cpu_per_session * 1e3);
  if (paced) {
    std::printf(
        " (%.3f%% of a core on the line: ~%.0f concurrent sessions per core, sockets "
        "not counted)",
        100.0 * cpu_per_session / line, line / cpu_per_session);
  }
  std::printf("\n");
}

class NullSink : public fax::SessionSink {
 public:
  void send_udptl(std::span<const std::uint8_t>) override {}
  void send_rtp(std::span<const std::uint8_t>) override {}
  void on_progress(const fax::Progress&) override {}
  void on_done(const fax::FaxResult&) override {}
};

void rss_per_session(const test::TempDir& dir, bool t38) {
  constexpr int kSessions = 200;
  NullSink sink;
  fax::FaxJob job;
  job.direction = fax::Direction::send;
  job.tiff_path = dir.file("doc.tif");
  std::vector<std::unique_ptr<fax::FaxSession>> sessions;
  sessions.reserve(kSessions);
  const long before = rss_kb();
  for (int i = 0; i < kSessions; ++i) {
    sessions.push_back(std::make_unique<fax::FaxSession>(job, fax::SessionOptions{}, sink));
    if (t38) {
      (void)sessions.back()->start_t38({});
    } else {
      (void)sessions.back()->start_audio(fax::AudioCodec::pcma);
    }
    for (int t = 0; t < 5; ++t) sessions.back()->tick();  // touch the buffers
  }
  const long after = rss_kb();
  std::printf("RSS per live %-5s session: %.1f KiB (%d sessions, %ld -> %ld KiB)\n",
              t38 ? "T.38" : "audio", static_cast<double>(after - before) / kSessions, kSessions,
              before, after);
}

// Live T.38 calls in the real engine (two bound UDP sockets each, ticking, sending to the
// discard port): RSS per call as the daemon would carry it.
void rss_per_engine_call(const test::TempDir& dir) {
  constexpr int kCalls = 200;
  config::MediaConfig media;
  media.port_min = 21000;
  media.port_max = 21999;
  auto engine = fax::make_media_engine(media, config::T38Config{});
  if (!engine) {
    std::printf("engine: %s\n", engine.error().message.c_str());
    return;
  }
  fax::FaxJob job;
  job.direction = fax::Direction::send;
  job.tiff_path = dir.file("doc.tif");
  std::vector<std::unique_ptr<fax::CallMedia>> calls;
  const long before = rss_kb();
  for (int i = 0; i < kCalls; ++i) {
    auto call = (*engine)->create_call(job, {});
    if (!call) break;
    (*call)->start_t38({"127.0.0.1", 9}, {});
    calls.push_back(std::move(*call));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // every session started and ticking
  const long after = rss_kb();
  const auto ticks = (*engine)->tick_stats();
  std::printf(
      "RSS per live engine call (T.38, 2 sockets): %.1f KiB (%zu calls, %ld -> %ld KiB); "
      "tick jitter p50 %lld us, p99 %lld us; tick work p50 %lld us, p99 %lld us, max %lld us\n",
      static_cast<double>(after - before) / static_cast<double>(calls.size()), calls.size(), before,
      after, static_cast<long long>(ticks.jitter_p50_us),
      static_cast<long long>(ticks.jitter_p99_us), static_cast<long long>(ticks.work_p50_us),
      static_cast<long long>(ticks.work_p99_us), static_cast<long long>(ticks.work_max_us));
  calls.clear();
  (*engine)->stop();
}

}  // namespace

// --line-time LABEL TIFF PAGES ...: each document sent whole over T.38 (paced, ECM, 14400) on
// simulated time; prints the seconds on the line per page, the cost a user waits for.
int line_times(int argc, char** argv) {
  test::TempDir dir;
  for (int i = 2; i + 2 < argc; i += 3) {
    const std::string label = argv[i], tiff = argv[i + 1];
    const int pages = std::max(1, std::atoi(argv[i + 2]));
    const Run r = one_fax(dir, pages, true, true, true, tiff);
    std::printf("%-28s %2d pages: %s, line time %7.1f s, %5.1f s per page\n", label.c_str(), pages,
                r.ok ? "ok" : "FAILED", r.line_s, r.line_s / pages);
  }
  return 0;
}

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  if (argc > 1 && std::string(argv[1]) == "--line-time") return line_times(argc, argv);
  const int pages = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  test::TempDir dir;
  if (!test::write_tiff_f(dir.file("doc.tif"), pages, 2200)) {
    std::fprintf(stderr, "cannot write the test document\n");
    return 1;
  }
  report("T.38 paced, ECM", dir, pages, true, true, true, 3);
  report("T.38 paced, no ECM", dir, pages, true, true, false, 3);
  report("T.38 unpaced (tests), ECM", dir, pages, true, false, true, 3);
  report("audio G.711 A-law, ECM", dir, pages, false, true, true, 1);
  report("audio G.711 A-law, no ECM", dir, pages, false, true, false, 1);
  const std::string corpus = argc > 2 ? argv[2] : "";
  if (!corpus.empty() && std::ifstream(corpus)) {
    report("corpus page, T.38 paced", dir, 1, true, true, true, 3, corpus);
    report("corpus page, audio", dir, 1, false, true, true, 1, corpus);
  }
  rss_per_session(dir, true);
  rss_per_session(dir, false);
  rss_per_engine_call(dir);
  return 0;
}
