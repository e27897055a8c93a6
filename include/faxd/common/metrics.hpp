#pragma once
// Prometheus metrics (text exposition format 0.0.4). Debian 12 ships no C++ client, so this is a
// small one: counters, gauges and histograms, in families with labels, plus collectors that
// compute values at scrape time (queue depth from the store).
//
// Threads: updating a metric is lock-free (atomics) and safe from any thread, the media thread
// included; looking up a labelled child takes a mutex, so hot paths keep the reference.
// Ownership: the Registry (owned by App) owns every family; references stay valid for its life.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace faxd::metrics {

class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class Gauge {
 public:
  void set(double v) noexcept { v_.store(v, std::memory_order_relaxed); }
  void add(double d) noexcept { v_.fetch_add(d, std::memory_order_relaxed); }
  double value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v) noexcept;
  // Cumulative counts per bound (the last is +Inf), then sum and count.
  std::vector<std::uint64_t> cumulative() const;
  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

template <class Metric>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::function<std::unique_ptr<Metric>()> make)
      : label_names_(std::move(label_names)), make_(std::move(make)) {}
  // The child for these label values (in the order of the label names), created on first use.
  Metric& with(const std::vector<std::string>& values) {
    std::lock_guard lock(mutex_);
    auto& slot = children_[values];
    if (!slot) slot = make_();
    return *slot;
  }
  Metric& get() { return with({}); }
  template <class F>
  void for_each(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& [labels, m] : children_) f(labels, *m);
  }
  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  std::vector<std::string> label_names_;
  std::function<std::unique_ptr<Metric>()> make_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_;
};

class Registry {
 public:
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               std::vector<double> bounds, std::vector<std::string> labels = {});
  // A gauge whose value is read at scrape time (must be cheap and thread-safe).
  void gauge_callback(const std::string& name, const std::string& help,
                      std::function<double()> read);
  // A counter kept elsewhere (it must only go up), read at scrape time.
  void counter_callback(const std::string& name, const std::string& help,
                        std::function<double()> read);

  // The whole registry in Prometheus text format.
  std::string render() const;

 private:
  struct Entry {
    std::string name, help, type;
    std::unique_ptr<Family<Counter>> counters;
    std::unique_ptr<Family<Gauge>> gauges;
    std::unique_ptr<Family<Histogram>> histograms;
    std::function<double()> callback;
  };
  Entry& add(const std::string& name, const std::string& help, const std::string& type);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

}  // namespace faxd::metrics
