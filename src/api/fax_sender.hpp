#pragma once
// The checks every way of sending a fax makes (POST /faxes, resend, email-to-fax): the number as
// the user wrote it, made E.164 with the country it was written in; the tenant switched on; a
// caller id to send with. One place, so every path refuses the same things with the same words.
#include <optional>
#include <string>
#include <string_view>

#include "faxd/common/error.hpp"
#include "faxd/http/message.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::api {

// `to` as typed ("910 000 002", "+34910000002", "0049 30 123456") read with `country` (the
// request's, ISO 3166 alpha-2, any case; "" = the company's `company_country`) as E.164.
// Errors are invalid_argument naming the field ("to" or "country") with a message that says
// what is wrong: "to: too short for a number of ES".
Result<std::string> destination_e164(std::string_view to, std::string_view country,
                                     std::string_view company_country);

// Why this virtual fax cannot send now, as the API answers it: 403 `tenant_disabled` while its
// company or brand is switched off; 422 `invalid_field` (virtual_fax_id: no outgoing DDI) when
// neither it nor its company has an outgoing DDI. nullopt: it may send.
std::optional<http::Response> refuse_sender(const store::SendingContext& sender);

}  // namespace faxd::api
