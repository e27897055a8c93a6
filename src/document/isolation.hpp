#pragma once
// Runs a piece of untrusted-input work in a child process (internal): poppler and libtiff on a
// hostile file can crash, spin or allocate without bound, and none of that may reach the daemon.
// The child gets an address-space and CPU limit, no core dumps, and is killed at the deadline;
// its Result travels back over a pipe.
//
// The child is a program of its own (faxd-render, see converter.hpp), forked and at once
// exec'd: between fork and execve it makes only async-signal-safe system calls. (A fork without
// exec of this multithreaded daemon ran the rendering in a copy of the process where locks other
// threads held at fork time stay locked forever: fontconfig's, pango's, malloc's; the child hung
// until the page budget killed it.) It starts with stdin on /dev/null, the reply pipe at
// kReplyFd and no other file of the daemon's open.
//
// Protocol on kReplyFd: one kProgress byte per unit of progress (a page done), then the reply:
// 'O' and the payload, or 'E', '0' + the Errc and the message.
//
// Besides the whole deadline, with a progress budget the child is killed when no progress came
// for that long (a page that renders forever fails in seconds, not minutes). It is also killed
// when `cancelled` turns true (the client went away) and, through PR_SET_PDEATHSIG (kept across
// execve), when the thread that forked it dies (so a killed daemon leaves no converter behind:
// the forking threads live as long as the daemon).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "faxd/common/error.hpp"

namespace faxd::document {

struct IsolationLimits {
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds progress_timeout{0};  // zero: no progress budget
  std::uint64_t max_memory = 0;                   // address space; zero: unlimited
  std::function<bool()> cancelled;                // polled a few times a second; may be empty
};

constexpr int kReplyFd = 3;
constexpr char kProgress = '.';
constexpr int kExecFailed = 127;  // the child's exit status when the program cannot be started

// Runs `command` (command[0]: the program's path, then its arguments) under `limits` and returns
// its reply. A program that cannot be started is Errc::internal "cannot start the document
// converter"; one that crashes or answers nothing, Errc::invalid_argument (damaged document).
Result<std::string> run_isolated(const std::vector<std::string>& command,
                                 const IsolationLimits& limits);

}  // namespace faxd::document
