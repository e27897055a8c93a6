#pragma once
// Tick lateness (and tick work time) histogram: written by the media thread, read from any thread
// (relaxed atomics; counters for metrics, not a synchronisation point). Internal to faxd_fax.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>

namespace faxd::fax {

class JitterHistogram {
 public:
  static constexpr std::int64_t kBucketUs = 20;
  static constexpr std::size_t kBuckets = 1000;  // 0..20 ms; later goes in the last bucket

  void record(std::int64_t us) {
    us = std::max<std::int64_t>(us, 0);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(us / kBucketUs), kBuckets - 1);
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    std::int64_t prev = max_.load(std::memory_order_relaxed);
    while (us > prev && !max_.compare_exchange_weak(prev, us, std::memory_order_relaxed)) {
    }
  }

  // Upper bound of the bucket holding the q-quantile (0 < q <= 1), in microseconds.
  std::int64_t quantile_us(double q) const {
    const std::uint64_t n = count_.load(std::memory_order_relaxed);
    if (n == 0) return 0;
    const auto want = static_cast<std::uint64_t>(q * static_cast<double>(n) + 0.5);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += buckets_[i].load(std::memory_order_relaxed);
      if (seen >= std::max<std::uint64_t>(want, 1)) {
        return static_cast<std::int64_t>(i + 1) * kBucketUs;
      }
    }
    return max_us();
  }
  std::int64_t max_us() const { return max_.load(std::memory_order_relaxed); }
  // Starts over (the writer's thread only: a window that the writer itself reports and clears).
  void reset() {
    for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
    count_.store(0, std::memory_order_relaxed);
    max_.store(0, std::memory_order_relaxed);
  }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::int64_t> max_{0};
};

}  // namespace faxd::fax
