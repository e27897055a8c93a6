#include "store_route_planner.hpp"

#include <map>

namespace faxd::app {

Result<jobs::RoutePlan> StoreRoutePlanner::plan(const std::string& brand_id,
                                                const std::string& company_id,
                                                const std::string& number,
                                                const jobs::CallsInUse& in_use) {
  auto state = tenants_.tenant_state(company_id);
  if (!state) return std::unexpected(state.error());
  if (!state->enabled())
    return jobs::RoutePlan{.tenant_disabled = true, .tenant_message = state->disabled_message()};
  auto routes = carriers_.routes_for_brand(brand_id);
  if (!routes) return std::unexpected(routes.error());
  auto carriers = carriers_.carriers_for_brand(brand_id);
  if (!carriers) return std::unexpected(carriers.error());
  std::map<std::string, const store::Carrier*, std::less<>> by_id;
  jobs::CarrierLoads loads;
  for (const auto& c : *carriers) {
    by_id[c.id] = &c;
    auto it = in_use.find(c.id);
    loads[c.id] = {c.max_calls, it == in_use.end() ? 0 : it->second};
  }
  const auto selection = jobs::select_carriers(number, *routes, loads, random_, company_id);
  jobs::RoutePlan plan{.all_full = selection.all_full};
  for (const auto& id : selection.carrier_ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    const auto& c = *it->second;
    plan.carriers.push_back({.id = c.id,
                             .name = c.name,
                             .host = c.host,
                             .port = c.port,
                             .transport = c.transport,
                             .username = c.username,
                             .password = c.password,
                             .t38 = c.t38,
                             .max_calls = c.max_calls,
                             .number_format = c.number_format,
                             .dial_prefix = c.dial_prefix,
                             .country = c.country});
  }
  return plan;
}

}  // namespace faxd::app
