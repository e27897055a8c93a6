#include "demo_seed.hpp"

#include <spdlog/spdlog.h>

#include "faxd/common/secrets.hpp"
#include "faxd/store/carrier_repo.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"

namespace faxd::app {

Result<bool> seed_demo(store::Db& db, store::UserRepo& users, const Clock& clock,
                       const config::Config& config) {
  store::TenantRepo tenants(db, clock);
  auto existing = tenants.list_brands({}, {.limit = 1});
  if (!existing) return std::unexpected(existing.error());
  if (!existing->items.empty()) return false;

  auto brand = tenants.create_brand("Demo brand");
  if (!brand) return std::unexpected(brand.error());
  auto company =
      tenants.create_company({.brand_id = brand->id, .name = "Demo company", .country = "US"});
  if (!company) return std::unexpected(company.error());
  auto admin = users.create({.username = std::string(kDemoUser),
                             .password_hash = hash_password(kDemoPassword),
                             .role = store::Role::company_admin,
                             .brand_id = brand->id,
                             .company_id = company->id});
  if (!admin) return std::unexpected(admin.error());

  store::CarrierRepo carriers(db, clock);
  const auto& sip = config.sip.listen;
  const std::string host = config.sip.public_address.empty() ? sip.host : config.sip.public_address;
  auto carrier = carriers.create_carrier({.brand_id = brand->id,
                                          .name = "Loopback (this faxd)",
                                          .host = host,
                                          .port = sip.port,
                                          .transport = "udp",
                                          .t38 = config.t38.enabled});
  if (!carrier) return std::unexpected(carrier.error());
  auto route = carriers.create_route({.brand_id = brand->id,
                                      .type = "fax",
                                      .prefix = "",
                                      .carrier_id = carrier->id,
                                      .priority = 1,
                                      .weight = 1});
  if (!route) return std::unexpected(route.error());

  store::DdiRepo ddis(db, clock);
  auto ddi = ddis.create_ddi(
      {.brand_id = brand->id, .company_id = company->id, .number = std::string(kDemoDdi)});
  if (!ddi) return std::unexpected(ddi.error());
  if (auto d = tenants.update_company(company->id, {.default_outgoing_ddi_id = ddi->id}); !d)
    return std::unexpected(d.error());
  store::VirtualFaxRepo vfaxes(db, clock);
  auto vfax = vfaxes.create_virtual_fax({.company_id = company->id,
                                         .name = "Demo fax",
                                         .outgoing_ddi_id = ddi->id,
                                         .station_id = std::string(kDemoDdi),
                                         .header = "faxd demo"});
  if (!vfax) return std::unexpected(vfax.error());
  auto routed = ddis.update_ddi(ddi->id, {.virtual_fax_id = std::optional<std::string>(vfax->id)});
  if (!routed) return std::unexpected(routed.error());
  spdlog::info("demo.seeded user={} password={} ddi={}", kDemoUser, kDemoPassword, kDemoDdi);
  return true;
}

}  // namespace faxd::app
