#pragma once
// The checks every way of sending a fax makes (POST /faxes, resend, email-to-fax), as the API
// answers them: the number as the user wrote it, made E.164 with the country it was written in
// (numbers::destination_e164); the tenant switched on and a caller id to send with
// (store::SendingContext::refusal). One place, so every path refuses the same things with the
// same words; email-to-fax (mail_in) uses the same two functions.
#include <optional>

#include "faxd/http/message.hpp"
#include "faxd/numbers/phone_number.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::api {

using numbers::destination_e164;

// Why this virtual fax cannot send now, as the API answers it: 403 `tenant_disabled` while its
// company or brand is switched off; 422 `invalid_field` (virtual_fax_id: no outgoing DDI) when
// neither it nor its company has an outgoing DDI. nullopt: it may send.
std::optional<http::Response> refuse_sender(const store::SendingContext& sender);

}  // namespace faxd::api
