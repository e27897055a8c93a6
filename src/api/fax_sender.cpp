#include "fax_sender.hpp"

#include <fmt/format.h>

#include "faxd/numbers/phone_number.hpp"

namespace faxd::api {

Result<std::string> destination_e164(std::string_view to, std::string_view country,
                                     std::string_view company_country) {
  std::string cc(country.empty() ? company_country : country);
  for (auto& ch : cc)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  if (!country.empty() && !numbers::is_country(cc))
    return fail(Errc::invalid_argument, "country: not an ISO 3166 country code (e.g. ES, DE, US)",
                "country");
  if (to.empty()) return fail(Errc::invalid_argument, "to: give the number to send to", "to");
  auto e164 = numbers::to_e164(to, cc);
  if (!e164) return fail(Errc::invalid_argument, "to: " + e164.error().message, "to");
  return *e164;
}

std::optional<http::Response> refuse_sender(const store::SendingContext& sender) {
  if (!sender.tenant.enabled())
    return http::Response::error(403, "tenant_disabled", sender.tenant.disabled_message());
  if (sender.caller_id.empty())
    return http::Response::error(
        422, "invalid_field",
        "virtual_fax_id: no outgoing DDI (give the virtual fax or its company one: it is the "
        "caller id)",
        "virtual_fax_id");
  return std::nullopt;
}

}  // namespace faxd::api
