#include "faxd/mail/periodic_task.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>

namespace faxd::mail {

namespace asio = boost::asio;

// Shared with in-flight runs, so a run finishing after the PeriodicTask died touches live memory.
// Every member but the task is used on the io_context's thread only.
struct PeriodicTask::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, Post post, std::chrono::milliseconds interval,
        std::function<void()> task)
      : io(io), timer(io), post(std::move(post)), interval(interval), task(std::move(task)) {}

  asio::io_context& io;
  asio::steady_timer timer;
  Post post;
  std::chrono::milliseconds interval;
  std::function<void()> task;
  bool stopped = true;
  bool running = false;
  bool woken = false;  // wake() during a run: run again right after

  void arm(std::chrono::milliseconds after) {
    timer.expires_after(after);
    timer.async_wait([self = shared_from_this()](boost::system::error_code) { self->fire(); });
  }

  // Timer expiry or cancellation (wake): start a run unless one is going.
  void fire() {
    if (stopped || running) return;
    running = true;
    woken = false;
    post([self = shared_from_this()] {
      try {
        self->task();
      } catch (const std::exception& e) {
        spdlog::error("worker.task_failed error={}", e.what());
      } catch (...) {
        spdlog::error("worker.task_failed error=unknown");
      }
      asio::post(self->io, [self] {
        self->running = false;
        if (!self->stopped) self->arm(self->woken ? std::chrono::milliseconds(0) : self->interval);
      });
    });
  }
};

PeriodicTask::PeriodicTask(asio::io_context& io, Post post, std::chrono::milliseconds interval,
                           std::function<void()> task)
    : state_(std::make_shared<State>(io, std::move(post), interval, std::move(task))) {}

PeriodicTask::~PeriodicTask() {
  stop();
}

void PeriodicTask::start() {
  asio::post(state_->io, [s = state_] {
    if (!s->stopped) return;
    s->stopped = false;
    s->arm(std::chrono::milliseconds(0));
  });
}

void PeriodicTask::stop() {
  asio::post(state_->io, [s = state_] {
    s->stopped = true;
    s->timer.cancel();
  });
}

void PeriodicTask::wake() {
  asio::post(state_->io, [s = state_] {
    if (s->stopped) return;
    if (s->running) {
      s->woken = true;
      return;
    }
    s->timer.cancel();  // the pending wait completes now and fire() starts a run
  });
}

}  // namespace faxd::mail
