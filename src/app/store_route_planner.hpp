#pragma once
// RoutePlanner over the store: the brand's routes (the company's own first) and carriers,
// ordered by the routing rule (jobs/route_selector.hpp); nothing for a switched-off company or
// brand. Blocking (store reads); used by the outbound queue.
#include "faxd/jobs/outbound_queue.hpp"
#include "faxd/jobs/route_selector.hpp"
#include "faxd/store/carrier_repo.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::app {

class StoreRoutePlanner final : public jobs::RoutePlanner {
 public:
  StoreRoutePlanner(store::CarrierRepo& carriers, store::TenantRepo& tenants, jobs::Random random)
      : carriers_(carriers), tenants_(tenants), random_(std::move(random)) {}

  Result<jobs::RoutePlan> plan(const std::string& brand_id, const std::string& company_id,
                               const std::string& number, const jobs::CallsInUse& in_use) override;

 private:
  store::CarrierRepo& carriers_;
  store::TenantRepo& tenants_;
  jobs::Random random_;
};

}  // namespace faxd::app
