#pragma once
// One function per REST resource, each in its own file, registering its routes.
#include "faxd/http/router.hpp"
#include "services.hpp"

namespace faxd::api {

void add_brand_routes(http::Router& router, const Api& api, Services& s);
void add_company_routes(http::Router& router, const Api& api, Services& s);
void add_user_routes(http::Router& router, const Api& api, Services& s);
void add_carrier_routes(http::Router& router, const Api& api, Services& s);
void add_route_routes(http::Router& router, const Api& api, Services& s);
// GET /api/v1/routes/plan: which carriers a number would use (the route tester).
void add_route_plan_route(http::Router& router, const Api& api, Services& s);
void add_ddi_routes(http::Router& router, const Api& api, Services& s);
void add_virtual_fax_routes(http::Router& router, const Api& api, Services& s);
void add_token_routes(http::Router& router, const Api& api, Services& s);
void add_brand_look_routes(http::Router& router, const Api& api, Services& s);
void add_call_routes(http::Router& router, const Api& api, Services& s);
void add_call_csv_schedule_routes(http::Router& router, const Api& api, Services& s);
void add_audit_event_routes(http::Router& router, const Api& api, Services& s);
void add_cover_template_routes(http::Router& router, const Api& api, Services& s);

}  // namespace faxd::api
