#include "faxd/jobs/route_selector.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>

namespace faxd::jobs {

namespace {

std::string_view digits(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  return s;
}

bool is_full(const CarrierLoads& loads, const std::string& carrier_id) {
  const auto it = loads.find(carrier_id);
  return it != loads.end() && it->second.max_calls > 0 && it->second.in_use >= it->second.max_calls;
}

// The routes of `type` and tier (`company_id`, "" = brand-wide) with the longest prefix
// matching `number`, sorted by priority, then id (so a seed replays exactly).
std::vector<const store::Route*> longest_match(std::string_view number,
                                               std::span<const store::Route> routes,
                                               std::string_view type, std::string_view company_id) {
  std::vector<const store::Route*> out;
  std::size_t best = 0;
  for (const auto& r : routes) {
    const auto prefix = digits(r.prefix);
    if (r.type != type || !number.starts_with(prefix)) continue;
    if (r.company_id.value_or("") != company_id) continue;
    if (out.empty() || prefix.size() > best) {
      out.clear();
      best = prefix.size();
    }
    if (prefix.size() == best) out.push_back(&r);
  }
  std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->priority != b->priority ? a->priority < b->priority : a->id < b->id;
  });
  return out;
}

// Weighted sampling without replacement: each draw picks among the remaining routes with
// probability weight / remaining total.
void append_weighted(std::vector<const store::Route*> group, const Random& random,
                     std::vector<const store::Route*>& out) {
  while (!group.empty()) {
    std::uint64_t total = 0;
    for (const auto* r : group) total += static_cast<std::uint64_t>(std::max(r->weight, 1));
    std::uint64_t x = random(total);
    auto it = group.begin();
    for (; it != group.end(); ++it) {
      const auto w = static_cast<std::uint64_t>(std::max((*it)->weight, 1));
      if (x < w) break;
      x -= w;
    }
    if (it == group.end()) --it;  // a Random out of contract: take the last
    out.push_back(*it);
    group.erase(it);
  }
}

}  // namespace

RouteMatch match_routes(std::string_view number, std::span<const store::Route> routes,
                        std::string_view company_id) {
  RouteMatch m;
  const auto n = digits(number);
  for (std::string_view type : {"fax", "call"}) {
    if (!company_id.empty()) m.company = longest_match(n, routes, type, company_id);
    m.brand = longest_match(n, routes, type, "");
    if (!m.company.empty() || !m.brand.empty()) {
      m.route_type = std::string(type);
      break;
    }
  }
  return m;
}

namespace {
// Priority groups in order, each drawn by weight; carriers at max_calls left out.
void append_tier(const std::vector<const store::Route*>& matched, const CarrierLoads& loads,
                 const Random& random, std::vector<const store::Route*>& ordered) {
  for (auto first = matched.begin(); first != matched.end();) {
    auto last = std::find_if(first, matched.end(),
                             [&](const auto* r) { return r->priority != (*first)->priority; });
    std::vector<const store::Route*> group;
    for (auto it = first; it != last; ++it)
      if (!is_full(loads, (*it)->carrier_id)) group.push_back(*it);
    append_weighted(std::move(group), random, ordered);
    first = last;
  }
}
}  // namespace

RouteSelection select_carriers(std::string_view number, std::span<const store::Route> routes,
                               const CarrierLoads& loads, const Random& random,
                               std::string_view company_id) {
  RouteSelection sel;
  const auto match = match_routes(number, routes, company_id);
  if (match.route_type.empty()) return sel;
  sel.route_type = match.route_type;
  std::vector<const store::Route*> ordered;
  append_tier(match.company, loads, random, ordered);
  append_tier(match.brand, loads, random, ordered);
  for (const auto* r : ordered)
    if (std::find(sel.carrier_ids.begin(), sel.carrier_ids.end(), r->carrier_id) ==
        sel.carrier_ids.end())
      sel.carrier_ids.push_back(r->carrier_id);
  sel.all_full = sel.carrier_ids.empty();
  return sel;
}

Random seeded_random(std::uint64_t seed) {
  struct State {
    std::mutex mutex;
    std::mt19937_64 engine;
  };
  auto state = std::make_shared<State>();
  state->engine.seed(seed);
  return [state](std::uint64_t n) {
    std::lock_guard lock(state->mutex);
    return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(state->engine);
  };
}

Random system_random() {
  std::random_device device;
  return seeded_random((static_cast<std::uint64_t>(device()) << 32) ^ device());
}

}  // namespace faxd::jobs
