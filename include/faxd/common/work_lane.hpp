#pragma once
// A lane for one kind of heavy work (document conversion): threads of its own, a bounded queue
// and a share per key (a tenant), so that this work can never occupy the threads that answer
// HTTP and SIP, and one tenant cannot take the whole lane. Work over the bounds is refused at
// once (the API answers 429 with Retry-After) instead of waiting without end.
//
// Threads: submit() from any thread; jobs run on the lane's threads. The destructor stops the
// lane: queued jobs still run, with stopping() true so they can answer at once, and running
// jobs are waited for.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace faxd {

struct WorkLaneOptions {
  int workers = 2;  // jobs running at once
  int queue = 8;    // jobs waiting beyond those
  int per_key = 2;  // jobs of one key, running or waiting
};

class WorkLane {
 public:
  enum class Admission { accepted, lane_full, key_full };

  explicit WorkLane(WorkLaneOptions options);
  ~WorkLane();
  WorkLane(const WorkLane&) = delete;
  WorkLane& operator=(const WorkLane&) = delete;

  Admission submit(const std::string& key, std::function<void()> job);
  // True once the lane is being destroyed: jobs should finish as fast as they can.
  bool stopping() const;
  int running() const;
  int waiting() const;
  // A guess of how long until a refused job would be taken, for Retry-After: the time one job
  // takes (its recent average) times the jobs ahead per worker, at least 1 s.
  std::chrono::seconds retry_after() const;

 private:
  struct Job {
    std::string key;
    std::function<void()> run;
  };
  void work();

  WorkLaneOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::map<std::string, int, std::less<>> per_key_;
  int running_ = 0;
  bool stopping_ = false;
  double average_seconds_ = 5.0;  // of finished jobs, exponentially weighted
  std::vector<std::thread> threads_;
};

}  // namespace faxd
