#pragma once
// Time is injected: code that needs "now" takes a Clock&. SystemClock is the real one;
// ManualClock lets tests move time by hand (see tests/unit).
#include <atomic>
#include <chrono>

namespace faxd {

using SysTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps users see.
  virtual SysTime now() const = 0;
  // Monotonic time, for timeouts and pacing.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SysTime now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
};

// Thread-safe manual clock; starts at a fixed instant so test output is stable.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SysTime start = SysTime{std::chrono::seconds{1'790'000'000}})
      : wall_(start.time_since_epoch().count()) {}
  SysTime now() const override { return SysTime{SysTime::duration{wall_.load()}}; }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point{
        std::chrono::steady_clock::duration{steady_.load()}};
  }
  void advance(std::chrono::nanoseconds d) {
    wall_ += std::chrono::duration_cast<SysTime::duration>(d).count();
    steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
  }

 private:
  std::atomic<SysTime::rep> wall_;
  std::atomic<std::chrono::steady_clock::rep> steady_{0};
};

}  // namespace faxd
