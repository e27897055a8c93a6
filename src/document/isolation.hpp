#pragma once
// Runs a piece of untrusted-input work in a forked child process (internal): poppler and libtiff
// on a hostile file can crash, spin or allocate without bound, and none of that may reach the
// daemon. The child gets an address-space and CPU limit, no core dumps, and is killed at the
// deadline; its Result travels back over a pipe.
//
// Besides the whole deadline, the work may report progress (a page done): with a progress
// budget, the child is killed when no progress came for that long (a page that renders
// forever fails in seconds, not minutes). It is also killed when `cancelled` turns true (the
// client went away) and, through PR_SET_PDEATHSIG, when the thread that forked it dies (so a
// killed daemon leaves no converter behind: the forking threads live as long as the daemon).
//
// The child runs only `work` and leaves with _exit: it must not take locks another parent
// thread could have held at fork time (no logging, no store). Document code qualifies: it only
// uses its own objects, libc, poppler and libtiff, and the parent never runs poppler itself when
// isolation is on.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "faxd/common/error.hpp"

namespace faxd::document {

struct IsolationLimits {
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds progress_timeout{0};  // zero: no progress budget
  std::uint64_t max_memory = 0;                   // address space; zero: unlimited
  std::function<bool()> cancelled;                // polled a few times a second; may be empty
};

// `work` runs in the child; it may call `progress` (any of its threads) after each unit done.
using IsolatedWork = std::function<Result<std::string>(const std::function<void()>& progress)>;

Result<std::string> run_isolated(const IsolatedWork& work, const IsolationLimits& limits);

}  // namespace faxd::document
