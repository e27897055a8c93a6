#pragma once
// Runs a blocking task on the worker pool every `interval`, never two runs at once, with wake()
// to run it soon (e.g. right after a mail was queued). The App builds one per worker:
//   PeriodicTask outbox(io, post_to_workers, 5s, [&] { outbox_worker.tick(); });
//   outbox.start();  ...  outbox.stop();   // before the io_context and the workers go away
//
// Threads: the timer lives on the io_context; the task runs on whatever `post` hands it to.
// start/stop/wake are safe from any thread. The task must not throw (exceptions are caught and
// logged). After stop() returns no new run starts; a run in progress finishes on its worker.
#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace faxd::mail {

class PeriodicTask {
 public:
  using Post = std::function<void(std::function<void()>)>;
  PeriodicTask(boost::asio::io_context& io, Post post, std::chrono::milliseconds interval,
               std::function<void()> task);
  ~PeriodicTask();
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void start();
  void stop();
  void wake();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace faxd::mail
