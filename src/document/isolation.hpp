#pragma once
// Runs a piece of untrusted-input work in a forked child process (internal): poppler and libtiff
// on a hostile file can crash, spin or allocate without bound, and none of that may reach the
// daemon. The child gets an address-space and CPU limit, no core dumps, and is killed at the
// deadline; its Result travels back over a pipe.
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

Result<std::string> run_isolated(const std::function<Result<std::string>()>& work,
                                 std::chrono::milliseconds timeout, std::uint64_t max_memory);

}  // namespace faxd::document
