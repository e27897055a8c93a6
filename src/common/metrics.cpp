#include "faxd/common/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace faxd::metrics {

namespace {

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string labels_text(const std::vector<std::string>& names,
                        const std::vector<std::string>& values, const std::string& extra = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", names[i], escape_label(values[i]));
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double v) noexcept {
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i)
    out[i] = total += counts_[i].load(std::memory_order_relaxed);
  return out;
}

Registry::Entry& Registry::add(const std::string& name, const std::string& help,
                               const std::string& type) {
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_)
    if (e->name == name) throw std::logic_error("metric registered twice: " + name);
  entries_.push_back(std::make_unique<Entry>(Entry{name, help, type, {}, {}, {}, {}}));
  return *entries_.back();
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labels) {
  auto& e = add(name, help, "counter");
  e.counters = std::make_unique<Family<Counter>>(std::move(labels),
                                                 [] { return std::make_unique<Counter>(); });
  return *e.counters;
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> labels) {
  auto& e = add(name, help, "gauge");
  e.gauges =
      std::make_unique<Family<Gauge>>(std::move(labels), [] { return std::make_unique<Gauge>(); });
  return *e.gauges;
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<double> bounds,
                                       std::vector<std::string> labels) {
  auto& e = add(name, help, "histogram");
  e.histograms = std::make_unique<Family<Histogram>>(
      std::move(labels), [bounds] { return std::make_unique<Histogram>(bounds); });
  return *e.histograms;
}

void Registry::gauge_callback(const std::string& name, const std::string& help,
                              std::function<double()> read) {
  add(name, help, "gauge").callback = std::move(read);
}

void Registry::counter_callback(const std::string& name, const std::string& help,
                                std::function<double()> read) {
  add(name, help, "counter").callback = std::move(read);
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& e : entries_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", e->name, e->help, e->name, e->type);
    if (e->callback) {
      out += fmt::format("{} {}\n", e->name, number(e->callback()));
    } else if (e->counters) {
      e->counters->for_each([&](const auto& labels, const Counter& c) {
        out += fmt::format("{}{} {}\n", e->name, labels_text(e->counters->label_names(), labels),
                           c.value());
      });
    } else if (e->gauges) {
      e->gauges->for_each([&](const auto& labels, const Gauge& g) {
        out += fmt::format("{}{} {}\n", e->name, labels_text(e->gauges->label_names(), labels),
                           number(g.value()));
      });
    } else if (e->histograms) {
      e->histograms->for_each([&](const auto& labels, const Histogram& h) {
        const auto& names = e->histograms->label_names();
        const auto cum = h.cumulative();
        for (std::size_t i = 0; i < h.bounds().size(); ++i)
          out += fmt::format(
              "{}_bucket{} {}\n", e->name,
              labels_text(names, labels, fmt::format("le=\"{}\"", number(h.bounds()[i]))), cum[i]);
        out += fmt::format("{}_bucket{} {}\n", e->name, labels_text(names, labels, "le=\"+Inf\""),
                           cum.back());
        out += fmt::format("{}_sum{} {}\n", e->name, labels_text(names, labels), number(h.sum()));
        out += fmt::format("{}_count{} {}\n", e->name, labels_text(names, labels), cum.back());
      });
    }
  }
  return out;
}

}  // namespace faxd::metrics
