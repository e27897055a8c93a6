#include "faxd/common/work_lane.hpp"

#include <algorithm>
#include <cmath>

namespace faxd {

WorkLane::WorkLane(WorkLaneOptions options) : options_(options) {
  options_.workers = std::max(1, options_.workers);
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
}

WorkLane::~WorkLane() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

WorkLane::Admission WorkLane::submit(const std::string& key, std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Admission::lane_full;
    const int busy = running_ + int(queue_.size());
    if (busy >= options_.workers + options_.queue) return Admission::lane_full;
    auto it = per_key_.find(key);
    if (it != per_key_.end() && it->second >= options_.per_key) return Admission::key_full;
    ++per_key_[key];
    queue_.push_back({key, std::move(job)});
  }
  wake_.notify_one();
  return Admission::accepted;
}

void WorkLane::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
      job.run();
    } catch (...) {
      // A job answers its own errors; nothing may escape into the lane's thread.
    }
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::lock_guard lock(mutex_);
    --running_;
    if (auto it = per_key_.find(job.key); it != per_key_.end() && --it->second <= 0)
      per_key_.erase(it);
    average_seconds_ = 0.8 * average_seconds_ + 0.2 * took;
  }
}

bool WorkLane::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

int WorkLane::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

int WorkLane::waiting() const {
  std::lock_guard lock(mutex_);
  return int(queue_.size());
}

std::chrono::seconds WorkLane::retry_after() const {
  std::lock_guard lock(mutex_);
  const double ahead = double(queue_.size() + 1) / double(options_.workers);
  const double s = std::ceil(std::max(1.0, average_seconds_ * ahead));
  return std::chrono::seconds(static_cast<long>(std::min(s, 600.0)));
}

}  // namespace faxd
