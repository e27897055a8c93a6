// The isolation guard: the converter runs as a program of its own (exec'd, not a copy of this
// multithreaded process), within its limits, is stopped when it hangs, stalls, crashes or nobody
// waits any more, and its answers cross the process boundary. The child programs here are small
// shell scripts speaking the converter's protocol on fd 3 (isolation.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "converter.hpp"
#include "faxd/document/document.hpp"
#include "isolation.hpp"
#include "temp_dir.hpp"
#include "test_files.hpp"

using namespace faxd;
using namespace faxd::document;
using faxd::test::TempDir;

namespace {

std::vector<std::string> sh(const std::string& script) {
  return {"/bin/sh", "-c", script};
}

bool under_sanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

}  // namespace

TEST(Isolation, HangingWorkIsStoppedAtTheDeadline) {
  auto out = run_isolated(sh("exec sleep 1000"),
                          {.timeout = std::chrono::milliseconds(300), .max_memory = 1ull << 30});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::timeout);
  EXPECT_NE(out.error().message.find("the document took too long"), std::string::npos)
      << out.error().message;
}

TEST(Isolation, APageThatNeverEndsIsStoppedByThePageBudget) {
  // Pages keep coming, then one hangs: the whole deadline is far off, the page budget is not.
  auto out = run_isolated(sh("for i in 1 2 3; do sleep 0.1; printf . >&3; done; exec sleep 1000"),
                          {.timeout = std::chrono::minutes(10),
                           .progress_timeout = std::chrono::milliseconds(1500),
                           .max_memory = 1ull << 30});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::timeout);
  EXPECT_NE(out.error().message.find("a page took too long"), std::string::npos)
      << out.error().message;
  // Steady progress is not stopped by the page budget.
  auto steady =
      run_isolated(sh("for i in 1 2 3 4 5 6; do sleep 0.2; printf . >&3; done; printf Odone >&3"),
                   {.timeout = std::chrono::minutes(10),
                    .progress_timeout = std::chrono::milliseconds(1000),
                    .max_memory = 1ull << 30});
  ASSERT_TRUE(steady) << steady.error().message;
  EXPECT_EQ(*steady, "done");
}

TEST(Isolation, CancelledWorkIsKilled) {
  std::atomic<bool> gone{false};
  std::thread client([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    gone = true;
  });
  auto out = run_isolated(sh("exec sleep 1000"), {.timeout = std::chrono::minutes(10),
                                                  .max_memory = 1ull << 30,
                                                  .cancelled = [&] { return gone.load(); }});
  client.join();
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message.find("canceled"), std::string::npos) << out.error().message;
}

TEST(Isolation, CrashingWorkBecomesAnError) {
  auto out = run_isolated(sh("printf .. >&3; kill -SEGV $$"),
                          {.timeout = std::chrono::seconds(10), .max_memory = 1ull << 30});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::invalid_argument);
  EXPECT_NE(out.error().message.find("damaged"), std::string::npos);
}

TEST(Isolation, ResultsAndErrorsCrossTheProcessBoundary) {
  auto ok = run_isolated(sh("printf '.Opages\\n\\000x' >&3"),
                         {.timeout = std::chrono::seconds(10), .max_memory = 1ull << 30});
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, std::string("pages\n\0x", 8));
  const std::string code(1, char('0' + int(Errc::too_large)));
  auto bad = run_isolated(sh("printf 'E" + code + "the document is huge' >&3"),
                          {.timeout = std::chrono::seconds(10), .max_memory = 1ull << 30});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::too_large);
  EXPECT_EQ(bad.error().message, "the document is huge");
}

TEST(Isolation, AProgramThatCannotStartIsAnInternalError) {
  TempDir dir;
  auto out = run_isolated({dir.file("no-such-converter")}, {.timeout = std::chrono::seconds(10)});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::internal);
  EXPECT_EQ(out.error().message, "cannot start the document converter");
}

TEST(Isolation, TheChildRunsWithinItsLimits) {
  // ulimit -t: CPU seconds (the deadline plus 2), -c: core dumps, -v: address space in KiB.
  auto out = run_isolated(sh("printf 'O%s %s %s' $(ulimit -t) $(ulimit -c) $(ulimit -v) >&3"),
                          {.timeout = std::chrono::seconds(10), .max_memory = 1ull << 30});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, under_sanitizer() ? "12 0 unlimited" : "12 0 1048576");
}

TEST(Isolation, TheChildHoldsNoneOfThisProcesssFiles) {
  // A pipe this process opened without O_CLOEXEC, as libraries do: a copy of the process would
  // hold both ends, and the reader of such a pipe (another converter's, a client's socket) would
  // not see it close until the child is gone. The child has stdin, stdout, stderr, the reply pipe.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string held = "[ -e /proc/$$/fd/" + std::to_string(fds[0]) +
                           " ] || [ -e /proc/$$/fd/" + std::to_string(fds[1]) + " ]";
  auto out = run_isolated(sh("if " + held + "; then printf Oheld >&3; else printf Oclosed >&3; fi"),
                          {.timeout = std::chrono::seconds(10), .max_memory = 1ull << 30});
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "closed");
}

TEST(Isolation, TheConverterIsFoundBesideTheBuildTreesPrograms) {
  auto program = converter_path();
  ASSERT_TRUE(program) << program.error().message;
  EXPECT_TRUE(program->ends_with("/faxd-render")) << *program;
  EXPECT_EQ(::access(program->c_str(), X_OK), 0);
}

TEST(Isolation, TheConverterRefusesToBeMisused) {
  auto program = converter_path();
  ASSERT_TRUE(program) << program.error().message;
  auto out = run_isolated({*program, "convert", "--out"}, {.timeout = std::chrono::seconds(30)});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, Errc::internal);
  EXPECT_EQ(out.error().message, "the document converter failed");
}
