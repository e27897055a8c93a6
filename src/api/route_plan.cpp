// GET /api/v1/routes/plan?to=&country=&company_id=&brand_id=: "which carrier would this number
// use?" for brand admins (and platform admins), in their scope. It runs the planner's own
// matching (jobs::match_routes: the company's routes, then the brand's; fax routes, else call
// routes; longest prefix; priority) and the carrier's own number writing
// (numbers::for_carrier), and lists every candidate in the order tried, with the share of calls
// its weight gives it inside its priority. Live call counts (max_calls) are not known here: the
// list is what an idle system would try.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "fax_sender.hpp"
#include "faxd/common/id.hpp"
#include "faxd/jobs/route_selector.hpp"
#include "faxd/numbers/phone_number.hpp"
#include "resource.hpp"
#include "resources.hpp"
#include "scope.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;
using store::Role;

namespace {

Response bad(std::string_view field, std::string message) {
  return Response::error(422, "invalid_field", message, field);
}

json candidates(std::string_view scope, const std::vector<const store::Route*>& routes,
                const std::map<std::string, store::Carrier>& carriers, const std::string& to,
                const std::string& from) {
  auto out = json::array();
  for (auto first = routes.begin(); first != routes.end();) {
    auto last = std::find_if(first, routes.end(),
                             [&](const auto* r) { return r->priority != (*first)->priority; });
    int total = 0;
    for (auto it = first; it != last; ++it) total += std::max((*it)->weight, 1);
    for (auto it = first; it != last; ++it) {
      const auto& r = **it;
      json item{
          {"scope", scope},     {"route_id", r.id},
          {"prefix", r.prefix}, {"priority", r.priority},
          {"weight", r.weight}, {"share", static_cast<double>(std::max(r.weight, 1)) / total}};
      if (auto c = carriers.find(r.carrier_id); c != carriers.end()) {
        const auto& k = c->second;
        const auto format =
            numbers::parse_dial_format(k.number_format).value_or(numbers::DialFormat::e164);
        const auto user = k.dial_prefix + numbers::for_carrier(to, format, k.country);
        item["carrier"] = {{"id", k.id},
                           {"name", k.name},
                           {"host", k.host},
                           {"port", k.port},
                           {"transport", k.transport},
                           {"max_calls", k.max_calls},
                           {"number_format", k.number_format}};
        // As the SIP dialer sends them ('#' of a tech prefix as %23).
        item["request_uri"] =
            fmt::format("sip:{}@{}:{}", numbers::sip_uri_user(user), k.host, k.port);
        item["from_user"] =
            from.empty()
                ? json(nullptr)
                : json(numbers::sip_uri_user(numbers::for_carrier(from, format, k.country)));
      }
      out.push_back(std::move(item));
    }
    first = last;
  }
  return out;
}

}  // namespace

void add_route_plan_route(http::Router& router, const Api& api, Services& s) {
  router.add(
      "GET", "/api/v1/routes/plan",
      api.authed([&s](const Caller& c, const Request& req, const http::Params&) -> Response {
        if (!at_least(c, Role::brand_admin)) return forbidden("routes are managed by brand admins");
        std::optional<store::Company> company;
        if (auto id = req.query_param("company_id"); id && !id->empty()) {
          auto co = is_valid_id(*id) ? s.tenants.find_company(*id)
                                     : Result<std::optional<store::Company>>{std::nullopt};
          if (!co) return error_response(co.error());
          if (!*co || !in_scope(c, {.brand_id = (*co)->brand_id, .company_id = (*co)->id}))
            return bad("company_id", "company_id: no such company");
          company = **co;
        }
        std::string brand_id = company ? company->brand_id : c.user.brand_id.value_or("");
        if (auto b = req.query_param("brand_id"); b && !b->empty() && !company) {
          if (!in_scope(c, {.brand_id = *b})) return bad("brand_id", "brand_id: no such brand");
          brand_id = *b;
        }
        if (brand_id.empty())
          return bad("brand_id", "brand_id: give a brand or a company to test its routes");
        auto to = destination_e164(req.query_param("to").value_or(""),
                                   req.query_param("country").value_or(""),
                                   company ? company->country : "");
        if (!to) return error_response(to.error());
        auto routes = s.carriers.routes_for_brand(brand_id);
        if (!routes) return error_response(routes.error());
        auto list = s.carriers.carriers_for_brand(brand_id);
        if (!list) return error_response(list.error());
        std::map<std::string, store::Carrier> carriers;
        for (auto& k : *list) carriers.emplace(k.id, std::move(k));
        std::string from;
        json state = nullptr, state_by = nullptr;
        if (company) {
          if (company->default_outgoing_ddi_id)
            if (auto d = s.ddis.find_ddi(*company->default_outgoing_ddi_id); d && *d)
              from = (*d)->number;
          auto t = s.tenants.tenant_state(company->id);
          if (!t) return error_response(t.error());
          if (!t->enabled()) {
            state = t->disabled_message();
            state_by = t->disabled_by();
          }
        }
        const auto match = jobs::match_routes(*to, *routes, company ? company->id : "");
        auto data = candidates("company", match.company, carriers, *to, from);
        for (auto& item : candidates("brand", match.brand, carriers, *to, from))
          data.push_back(std::move(item));
        return Response::json(
            200, {{"to", *to},
                  {"display", numbers::display(*to)},
                  {"brand_id", brand_id},
                  {"company_id", company ? json(company->id) : json(nullptr)},
                  {"from", from.empty() ? json(nullptr) : json(from)},
                  {"route_type", match.route_type.empty() ? json(nullptr) : json(match.route_type)},
                  {"disabled", state},
                  {"disabled_by", state_by},
                  {"data", std::move(data)}});
      }));
}

}  // namespace faxd::api
