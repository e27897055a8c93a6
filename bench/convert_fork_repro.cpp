// convert_fork_repro: isolated PDF conversions from several threads while other threads of the
// same process keep drawing text (pango, cairo, fontconfig), logging (spdlog) and allocating, as
// a busy daemon does (page headers, cover pages), and --fontconfig threads look fonts up as
// pango's fontconfig thread does (poppler looks the PDF's non-embedded fonts up the same way). A
// conversion child that does not finish within --stuck-s is inspected with gdb (`thread apply all
// bt`, written to OUT_DIR/stuck-<pid>.txt) before the page budget kills it.
//   convert_fork_repro [--converters N] [--noise N] [--fontconfig N] [--iterations N]
//                      [--stuck-s S] OUT_DIR IN.pdf
// Prints the conversions done, the failures (with their messages) and the children caught stuck;
// exits 1 when any conversion failed.
#include <fmt/format.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fontconfig/fontconfig.h>
#include <unistd.h>

#include "faxd/document/document.hpp"
#include "faxd/document/render.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Child {
  int pid = 0;
  char state = 0;  // 'Z': exited, not yet reaped
};

// Children of this process (any thread's).
std::vector<Child> children() {
  std::vector<Child> out;
  const int self = int(::getpid());
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::FILE* f = std::fopen((e.path() / "stat").c_str(), "r");
    if (!f) continue;
    int pid = 0, ppid = 0;
    char state = 0;
    // pid (comm) state ppid: comm has no spaces here (our own children).
    if (std::fscanf(f, "%d %*s %c %d", &pid, &state, &ppid) == 3 && ppid == self)
      out.push_back({pid, state});
    std::fclose(f);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace faxd::document;
  int converters = 4, noise = 4, fontconfig = 0, iterations = 100;
  double stuck_s = 5;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--converters" && i + 1 < argc)
      converters = std::atoi(argv[++i]);
    else if (a == "--noise" && i + 1 < argc)
      noise = std::atoi(argv[++i]);
    else if (a == "--fontconfig" && i + 1 < argc)
      fontconfig = std::atoi(argv[++i]);
    else if (a == "--iterations" && i + 1 < argc)
      iterations = std::atoi(argv[++i]);
    else if (a == "--stuck-s" && i + 1 < argc)
      stuck_s = std::atof(argv[++i]);
    else
      args.push_back(a);
  }
  if (args.size() != 2) {
    fmt::print(stderr,
               "usage: convert_fork_repro [--converters N] [--noise N] [--fontconfig N] "
               "[--iterations N] [--stuck-s S] OUT_DIR IN.pdf\n");
    return 2;
  }
  const std::string out_dir = args[0], pdf = args[1];
  auto log = spdlog::basic_logger_mt("repro", out_dir + "/noise.log", true);

  std::atomic<bool> stop{false};
  std::atomic<long> noise_rounds{0};
  std::vector<std::thread> noise_threads;
  for (int n = 0; n < noise; ++n)
    noise_threads.emplace_back([&, n] {
      while (!stop) {
        auto pages =
            render_text_pages(fmt::format("noise thread {} round {}\nsome more text to "
                                          "lay out over a page with pango",
                                          n, noise_rounds.load()));
        if (pages && !pages->empty())
          (void)stamp_page_header((*pages)[0], {"faxd noise", fmt::format("page {}", n)});
        log->info("noise thread {} drew {} page(s)", n, pages ? pages->size() : 0);
        std::vector<std::string> churn(64, std::string(4096, 'x'));
        ++noise_rounds;
      }
    });

  for (int n = 0; n < fontconfig; ++n)
    noise_threads.emplace_back([&] {
      while (!stop) {
        FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>("Helvetica:bold"));
        FcConfigSubstitute(nullptr, pattern, FcMatchPattern);
        FcDefaultSubstitute(pattern);
        FcResult result;
        if (FcFontSet* set = FcFontSort(nullptr, pattern, FcTrue, nullptr, &result))
          FcFontSetDestroy(set);
        FcPatternDestroy(pattern);
        ++noise_rounds;
      }
    });

  std::mutex mu;
  std::map<int, Clock::time_point> seen;  // child pid -> first seen
  std::vector<int> stuck;                 // pids caught (running or unreaped) after --stuck-s
  std::atomic<int> unreaped{0};
  std::thread watcher([&] {
    while (!stop) {
      const auto now = Clock::now();
      std::map<int, Clock::time_point> next;
      for (const auto& [pid, state] : children()) {
        auto it = seen.find(pid);
        auto first = it == seen.end() ? now : it->second;
        next[pid] = first;
        if (now - first > std::chrono::duration<double>(stuck_s) &&
            std::find(stuck.begin(), stuck.end(), pid) == stuck.end()) {
          {
            std::lock_guard lock(mu);
            stuck.push_back(pid);
          }
          if (state == 'Z') {  // done, but its parent thread has not seen the pipe close yet
            fmt::print(stderr, "child {} exited but unreaped for {:.0f} s\n", pid, stuck_s);
            ++unreaped;
            continue;
          }
          std::string cmd =
              fmt::format("gdb -p {} -batch -ex 'thread apply all bt' > {}/stuck-{}.txt 2>&1", pid,
                          out_dir, pid);
          fmt::print(stderr, "child {} ({}) stuck for {:.0f} s: {}\n", pid, state, stuck_s, cmd);
          (void)std::system(cmd.c_str());
        }
      }
      seen = std::move(next);
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  });

  std::atomic<int> done{0}, failed{0};
  std::vector<std::string> failures;
  std::vector<std::thread> pool;
  const auto t0 = Clock::now();
  for (int c = 0; c < converters; ++c)
    pool.emplace_back([&, c] {
      ConvertOptions options;  // isolated, the daemon's page budget
      for (int i = 0; i < iterations; ++i) {
        auto res = convert_to_fax_tiff({pdf}, fmt::format("{}/out-{}.tiff", out_dir, c),
                                       Quality::fine, options);
        ++done;
        if (!res) {
          ++failed;
          std::lock_guard lock(mu);
          failures.push_back(res.error().message);
          fmt::print(stderr, "conversion failed: {}\n", res.error().message);
        }
      }
    });
  for (auto& t : pool) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  stop = true;
  for (auto& t : noise_threads) t.join();
  watcher.join();
  fmt::print(
      "conversions={} failed={} stuck_children={} (unreaped {}) seconds={:.1f} per_s={:.2f} "
      "noise_rounds={}\n",
      done.load(), failed.load(), stuck.size(), unreaped.load(), secs, done.load() / secs,
      noise_rounds.load());
  for (const auto& f : failures) fmt::print("  failure: {}\n", f);
  return failed.load() == 0 ? 0 : 1;
}
