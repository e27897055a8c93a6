#include "isolation.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace faxd::document {

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kLimitAddressSpace = false;  // sanitizers reserve terabytes of address space
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kLimitAddressSpace = false;
#else
constexpr bool kLimitAddressSpace = true;
#endif
#else
constexpr bool kLimitAddressSpace = true;
#endif

// Only async-signal-safe calls from here to execve: the daemon is multithreaded, and the forked
// copy holds whatever locks its other threads held (malloc, fontconfig, loggers). The program
// starts from a fresh image and takes none of them.
[[noreturn]] void exec_child(int fd, pid_t parent, char* const* argv, char* const* envp,
                             std::chrono::milliseconds timeout, std::uint64_t max_memory) {
  // Die with the thread that forked us (kept across execve); if it is already gone, the kernel
  // will not tell us.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) _exit(1);
  struct rlimit core {
    0, 0
  };
  setrlimit(RLIMIT_CORE, &core);
  rlim_t cpu = rlim_t(timeout.count() / 1000 + 2);
  struct rlimit cpu_limit {
    cpu, cpu + 1
  };
  setrlimit(RLIMIT_CPU, &cpu_limit);
  if (kLimitAddressSpace && max_memory > 0) {
    struct rlimit as {
      rlim_t(max_memory), rlim_t(max_memory)
    };
    setrlimit(RLIMIT_AS, &as);
  }
  // The reply pipe at kReplyFd, stdin from /dev/null, nothing else of the daemon's open files.
  if (fd == kReplyFd) {
    if (::fcntl(fd, F_SETFD, 0) < 0) _exit(kExecFailed);
  } else if (::dup2(fd, kReplyFd) < 0) {
    _exit(kExecFailed);
  }
  if (int null = ::open("/dev/null", O_RDONLY); null > 0) ::dup2(null, 0);
  ::close_range(kReplyFd + 1, ~0U, 0);
  ::execve(argv[0], argv, envp);
  _exit(kExecFailed);
}

}  // namespace

Result<std::string> run_isolated(const std::vector<std::string>& command,
                                 const IsolationLimits& limits) {
  if (command.empty()) return fail(Errc::internal, "cannot start the document converter");
  // Everything the child needs is allocated before fork: after it, the child may not allocate.
  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Errc::internal, "cannot create a pipe");
  const pid_t parent = ::getpid();
  pid_t pid = fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return fail(Errc::internal, "cannot start the document converter");
  }
  if (pid == 0) exec_child(fds[1], parent, argv.data(), environ, limits.timeout, limits.max_memory);
  ::close(fds[1]);

  using SteadyClock = std::chrono::steady_clock;
  enum class Stop { none, timeout, stalled, cancelled } stop = Stop::none;
  std::string reply;
  bool replying = false;  // progress dots come before the reply
  const auto deadline = SteadyClock::now() + limits.timeout;
  auto progress_deadline = SteadyClock::now() + limits.progress_timeout;
  char buf[65536];
  for (;;) {
    const auto now = SteadyClock::now();
    if (now >= deadline) {
      stop = Stop::timeout;
      break;
    }
    if (!replying && limits.progress_timeout.count() > 0 && now >= progress_deadline) {
      stop = Stop::stalled;
      break;
    }
    if (limits.cancelled && limits.cancelled()) {
      stop = Stop::cancelled;
      break;
    }
    auto until = deadline;
    if (!replying && limits.progress_timeout.count() > 0)
      until = std::min(until, progress_deadline);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    if (limits.cancelled) left = std::min<long long>(left, 200);
    struct pollfd p {
      fds[0], POLLIN, 0
    };
    int r = ::poll(&p, 1, int(std::min<long long>(left, 60'000)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    if (r == 0) continue;
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is done (or died)
    std::size_t i = 0;
    if (!replying) {
      while (i < std::size_t(n) && buf[i] == kProgress) ++i;
      if (i > 0) progress_deadline = SteadyClock::now() + limits.progress_timeout;
      if (i < std::size_t(n)) replying = true;
    }
    reply.append(buf + i, std::size_t(n) - i);
  }
  const bool timed_out = stop != Stop::none;
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (stop == Stop::cancelled) return fail(Errc::timeout, "canceled: nobody waits for the answer");
  if (stop == Stop::stalled)
    return fail(Errc::timeout, "a page took too long to render (over " +
                                   std::to_string(limits.progress_timeout.count() / 1000) +
                                   " s); the document may be damaged");
  if (timed_out)
    return fail(Errc::timeout, "the document took too long to render (over " +
                                   std::to_string(limits.timeout.count() / 1000) +
                                   " s); it may be damaged");
  if (reply.empty() && WIFEXITED(status) && WEXITSTATUS(status) == kExecFailed)
    return fail(Errc::internal, "cannot start the document converter");
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGXCPU || sig == SIGKILL)
      return fail(Errc::timeout, "the document took too long to render; it may be damaged");
    return fail(Errc::invalid_argument, "the document is damaged (rendering it failed)");
  }
  if (reply.empty())
    return fail(Errc::invalid_argument, "the document is damaged (rendering it failed)");
  if (reply[0] == 'O') return reply.substr(1);
  if (reply.size() < 2) return fail(Errc::internal, "the document converter failed");
  int code = reply[1] - '0';
  if (code < 0 || code > int(Errc::internal)) code = int(Errc::internal);
  return fail(Errc(code), reply.substr(2));
}

}  // namespace faxd::document
