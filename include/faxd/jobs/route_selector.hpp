#pragma once
// Outgoing route selection (api.md "Routing rule"), a pure function: routes, number, carrier
// load and a random source in; the ordered list of carriers to try for one attempt out.
//
//   1. Routes of type `fax` whose prefix is a prefix of the number; only those with the longest
//      matching prefix count (an empty prefix matches every number). A leading '+' is ignored
//      on both sides, so "49" and "+49" both match "+4930...".
//      The company's own routes (company_id = the fax's company) and the brand-wide ones
//      (no company_id) are matched apart: the company's come first, the brand's follow as
//      failover (each by rules 3-4). Other companies' routes are never used.
//   2. When no `fax` route matches (neither the company's nor the brand's), the `call` routes,
//      the same way.
//   3. Lowest `priority` first. Inside one priority the order is drawn at random in proportion
//      to `weight` (weighted sampling without replacement): the first carrier takes the load
//      share its weight asks for; the rest follow as failover, then the next priority.
//   4. A carrier appears once, at its first place.
//   5. max_calls is a limit of the peering contract, so it is never exceeded: a carrier whose
//      calls in use have reached max_calls (0 = unlimited) is left out of this attempt. When
//      routes matched but every one of their carriers is full, `all_full` is set: the queue
//      should retry the attempt a little later rather than fail the fax with `no_route`.
//
// Threads: any (no state). Randomness is injected, so tests are deterministic.
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/store/tenancy.hpp"

namespace faxd::jobs {

// Returns a uniformly distributed integer in [0, n), n >= 1.
using Random = std::function<std::uint64_t(std::uint64_t n)>;

struct CarrierLoad {
  int max_calls = 0;  // 0 = unlimited
  int in_use = 0;     // calls up right now (in and out)
};
// Carriers absent from the map are taken as unlimited and idle.
using CarrierLoads = std::map<std::string, CarrierLoad, std::less<>>;

struct RouteSelection {
  std::vector<std::string> carrier_ids;  // in the order to try; empty = nothing to try now
  std::string route_type;                // "fax" or "call": which routes matched; "" = none
  bool all_full = false;                 // routes matched, every carrier at max_calls
};

// The routes that apply to `number` for a fax of `company_id` ("" = brand-wide only), before
// any draw: rules 1 and 2, each tier sorted by priority then id. What the route tester shows.
struct RouteMatch {
  std::string route_type;                    // "fax", "call" or "" (nothing matched)
  std::vector<const store::Route*> company;  // the company's own routes that apply
  std::vector<const store::Route*> brand;    // then the brand-wide ones
};
RouteMatch match_routes(std::string_view number, std::span<const store::Route> routes,
                        std::string_view company_id);

RouteSelection select_carriers(std::string_view number, std::span<const store::Route> routes,
                               const CarrierLoads& loads, const Random& random,
                               std::string_view company_id = {});

// A Random over std::mt19937_64 with the given seed (tests) or a random seed (production).
Random seeded_random(std::uint64_t seed);
Random system_random();

}  // namespace faxd::jobs
