#include "isolation.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <new>

#include <fcntl.h>
#include <poll.h>
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

void write_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= std::size_t(n);
  }
}

[[noreturn]] void child_main(int fd, const std::function<Result<std::string>()>& work,
                             std::chrono::milliseconds timeout, std::uint64_t max_memory) {
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
  std::string reply;
  try {
    auto result = work();
    if (result) {
      reply = "O" + *result;
    } else {
      reply = "E";
      reply += char('0' + int(result.error().code));
      reply += result.error().message;
    }
  } catch (const std::bad_alloc&) {
    reply = "E";
    reply += char('0' + int(Errc::too_large));
    reply += "the document needs too much memory to render";
  } catch (...) {
    reply = "E";
    reply += char('0' + int(Errc::invalid_argument));
    reply += "the document is damaged (rendering failed)";
  }
  write_all(fd, reply.data(), reply.size());
  ::close(fd);
  _exit(0);
}

}  // namespace

Result<std::string> run_isolated(const std::function<Result<std::string>()>& work,
                                 std::chrono::milliseconds timeout, std::uint64_t max_memory) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Errc::internal, "cannot create a pipe");
  pid_t pid = fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return fail(Errc::internal, "cannot start the document converter");
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], work, timeout, max_memory);
  }
  ::close(fds[1]);

  std::string reply;
  bool timed_out = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p {
      fds[0], POLLIN, 0
    };
    int r = ::poll(&p, 1, int(std::min<long long>(left.count(), 60'000)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    if (r == 0) continue;
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is done (or died)
    reply.append(buf, std::size_t(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    return fail(Errc::timeout, "the document took too long to render (over " +
                                   std::to_string(timeout.count() / 1000) +
                                   " s); it may be damaged");
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
