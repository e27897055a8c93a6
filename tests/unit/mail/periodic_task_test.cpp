// PeriodicTask on a real io_context and worker pool: wake() starts a run, runs never overlap,
// and nothing runs after stop().
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>

#include "faxd/mail/periodic_task.hpp"

using namespace std::chrono_literals;
namespace asio = boost::asio;

TEST(PeriodicTask, WakeRunsTheTaskSoonAndRunsNeverOverlap) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  asio::thread_pool workers(3);

  std::mutex m;
  std::condition_variable cv;
  int runs = 0;
  std::atomic<int> inside{0}, max_inside{0}, posted{0};
  faxd::mail::PeriodicTask task(
      io,
      [&](std::function<void()> f) {
        ++posted;
        asio::post(workers, std::move(f));
      },
      std::chrono::hours(1),  // the interval never elapses here: only start() and wake() run it
      [&] {
        const int now = ++inside;
        int seen = max_inside.load();
        while (now > seen && !max_inside.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(2ms);
        --inside;
        std::lock_guard lock(m);
        ++runs;
        cv.notify_all();
      });
  task.start();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return runs >= 1; }));  // the first run at start
  }
  for (int i = 0; i < 50; ++i) task.wake();
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return runs >= 2; }));
  }
  task.stop();
  auto flush = [&] {  // everything posted to the loop so far has run
    std::promise<void> done;
    asio::post(io, [&] { done.set_value(); });
    done.get_future().wait();
  };
  flush();
  const int posted_at_stop = posted.load();
  task.wake();
  flush();
  EXPECT_EQ(posted.load(), posted_at_stop);  // no run starts after stop()
  EXPECT_EQ(max_inside.load(), 1);           // never two runs at once
  workers.join();
  guard.reset();
  io.stop();
  loop.join();
}
