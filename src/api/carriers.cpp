// /api/v1/carriers: SIP trunks of a brand, managed by its brand admins. The password is
// write-only: it is never part of a reply (`has_password` tells whether one is set).
#include "body_reader.hpp"
#include "faxd/numbers/phone_number.hpp"
#include "resource.hpp"
#include "resources.hpp"
#include "scope.hpp"
#include "validate.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;
using store::Role;

namespace {

json carrier_json(const store::Carrier& k) {
  return {{"id", k.id},
          {"brand_id", k.brand_id},
          {"name", k.name},
          {"host", k.host},
          {"port", k.port},
          {"transport", k.transport},
          {"username", k.username},
          {"has_password", !k.password.empty()},
          {"t38", k.t38},
          {"max_calls", k.max_calls},
          {"number_format", k.number_format},
          {"dial_prefix", k.dial_prefix},
          {"country", k.country.empty() ? json(nullptr) : json(k.country)},
          {"created_at", k.created_at},
          {"updated_at", k.updated_at}};
}

bool is_transport(std::string_view s) noexcept {
  return s == "udp" || s == "tcp";
}

constexpr TextRule kName{.non_empty = true,
                         .max_length = 100,
                         .valid = is_printable,
                         .problem = "must not contain control characters"};
constexpr TextRule kHost{.non_empty = true,
                         .max_length = 253,
                         .valid = is_host,
                         .problem = "not a host name or IP address"};
constexpr TextRule kTransport{
    .non_empty = true, .max_length = 3, .valid = is_transport, .problem = "must be udp or tcp"};
constexpr TextRule kCredential{
    .max_length = 200, .valid = is_printable, .problem = "must not contain control characters"};
bool is_number_format(std::string_view s) noexcept {
  return numbers::parse_dial_format(s).has_value();
}
constexpr TextRule kNumberFormat{.non_empty = true,
                                 .max_length = 11,
                                 .valid = is_number_format,
                                 .problem = "must be e164, e164_digits or national"};
constexpr TextRule kDialPrefix{
    .max_length = 20, .valid = is_dial_prefix, .problem = "up to 20 digits, * and #"};
const std::initializer_list<std::string_view> kFields = {
    "brand_id", "name",      "host",         "port",          "transport",   "username", "password",
    "t38",      "max_calls", "has_password", "number_format", "dial_prefix", "country"};

// A carrier that wants national numbers must say which nation: refused otherwise, since every
// call would go out wrong.
void check_national(BodyReader& in, std::string_view format, std::string_view country) {
  if (format == "national" && country.empty())
    in.reject("country",
              "country: required when number_format is national (the carrier's "
              "country decides what is national)");
}

}  // namespace

void add_carrier_routes(http::Router& router, const Api& api, Services& s) {
  // Carriers are brand business: company admins and users see none.
  auto find = [&s](const Caller& c,
                   const std::string& id) -> Result<std::optional<store::Carrier>> {
    auto k = s.carriers.find_carrier(id);
    if (k && *k && (!at_least(c, Role::brand_admin) || !in_scope(c, {.brand_id = (*k)->brand_id})))
      return std::optional<store::Carrier>{};
    return k;
  };
  add_resource(router, api,
               {
                   .path = "/api/v1/carriers",
                   .list = list_in_scope(
                       Role::brand_admin, "carriers are managed by brand admins",
                       [&s](const auto& filter, const auto& page) {
                         return s.carriers.list_carriers(filter, page);
                       },
                       carrier_json),
                   .create =
                       [&s](const Caller& c, const Request& req, const http::Params&) {
                         if (!at_least(c, Role::brand_admin))
                           return forbidden("carriers are managed by brand admins");
                         auto body = json_body(req);
                         if (!body) return error_response(body.error());
                         BodyReader in(*body);
                         in.only(kFields);
                         store::Carrier k;
                         k.brand_id = brand_for_create(c, in);
                         TextRule name = kName, host = kHost;
                         name.required = host.required = true;
                         if (auto v = in.text("name", name)) k.name = *v;
                         if (auto v = in.text("host", host)) k.host = *v;
                         if (auto v = in.integer("port", 1, 65535)) k.port = *v;
                         if (auto v = in.text("transport", kTransport)) k.transport = *v;
                         if (auto v = in.text("username", kCredential)) k.username = *v;
                         if (auto v = in.text("password", kCredential)) k.password = *v;
                         if (auto v = in.boolean("t38")) k.t38 = *v;
                         if (auto v = in.integer("max_calls", 0, 100000)) k.max_calls = *v;
                         if (auto v = in.text("number_format", kNumberFormat)) k.number_format = *v;
                         if (auto v = in.text("dial_prefix", kDialPrefix)) k.dial_prefix = *v;
                         if (auto v = in.country("country")) k.country = *v;
                         check_national(in, k.number_format, k.country);
                         if (auto e = in.error()) return error_response(*e);
                         auto created = s.carriers.create_carrier(k);
                         if (created && s.ctx.carriers_changed) s.ctx.carriers_changed();
                         return reply(created, 201, carrier_json);
                       },
                   .get = get_in_scope(find, "carrier", carrier_json),
                   .patch = found_in_scope(
                       find, "carrier",
                       [&s](const Caller&, const Request& req, const auto& k) {
                         auto body = json_body(req);
                         if (!body) return error_response(body.error());
                         BodyReader in(*body);
                         in.only(kFields);
                         if (auto b = in.id("brand_id"); b && *b != k.brand_id)
                           in.reject("brand_id", "brand_id: cannot be changed");
                         store::CarrierPatch patch{in.text("name", kName),
                                                   in.text("host", kHost),
                                                   in.integer("port", 1, 65535),
                                                   in.text("transport", kTransport),
                                                   in.text("username", kCredential),
                                                   in.text("password", kCredential),
                                                   in.boolean("t38"),
                                                   in.integer("max_calls", 0, 100000),
                                                   in.text("number_format", kNumberFormat),
                                                   in.text("dial_prefix", kDialPrefix),
                                                   in.country("country")};
                         check_national(in, patch.number_format.value_or(k.number_format),
                                        patch.country.value_or(k.country));
                         if (auto e = in.error()) return error_response(*e);
                         auto updated = s.carriers.update_carrier(k.id, patch);
                         if (updated && s.ctx.carriers_changed) s.ctx.carriers_changed();
                         return reply(updated, 200, carrier_json);
                       }),
                   .remove = found_in_scope(find, "carrier",
                                            [&s](const Caller&, const Request&, const auto& k) {
                                              if (auto r = s.carriers.delete_carrier(k.id); !r)
                                                return error_response(r.error());
                                              if (s.ctx.carriers_changed) s.ctx.carriers_changed();
                                              return Response::no_content();
                                            }),
               });
}

}  // namespace faxd::api
