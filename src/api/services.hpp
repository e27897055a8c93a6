#pragma once
// What the resource handlers share: the Api (for authed()), the context and the repositories.
// Built once by Api, lives as long as it; handlers run on worker threads and only call the
// thread-safe repositories.
#include "audit.hpp"
#include "faxd/api/api.hpp"
#include "faxd/store/audit_repo.hpp"
#include "faxd/store/brand_look_repo.hpp"
#include "faxd/store/call_csv_schedule_repo.hpp"
#include "faxd/store/call_repo.hpp"
#include "faxd/store/carrier_repo.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/login_throttle.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"

namespace faxd::api {

struct Services {
  Services(Context& ctx, store::ThrottlePolicy throttle)
      : ctx(ctx),
        tenants(ctx.db, ctx.clock),
        carriers(ctx.db, ctx.clock, ctx.secrets),
        ddis(ctx.db, ctx.clock),
        vfaxes(ctx.db, ctx.clock),
        looks(ctx.db, ctx.clock),
        throttle(ctx.db, ctx.clock, throttle),
        audit(ctx.db, ctx.clock),
        auditor(audit, tenants),
        calls(ctx.db),
        csv_schedules(ctx.db, ctx.clock) {}

  Context& ctx;
  store::TenantRepo tenants;
  store::CarrierRepo carriers;
  store::DdiRepo ddis;
  store::VirtualFaxRepo vfaxes;
  store::BrandLookRepo looks;
  store::LoginThrottle throttle;
  store::AuditRepo audit;
  Auditor auditor;
  store::CallRepo calls;
  store::CallCsvScheduleRepo csv_schedules;
};

}  // namespace faxd::api
