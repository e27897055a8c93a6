#include "fax_sender.hpp"

namespace faxd::api {

std::optional<http::Response> refuse_sender(const store::SendingContext& sender) {
  auto refusal = sender.refusal();
  if (!refusal) return std::nullopt;
  if (refusal->tenant_disabled)
    return http::Response::error(403, "tenant_disabled", refusal->message);
  return http::Response::error(422, "invalid_field", refusal->field + ": " + refusal->message,
                               refusal->field);
}

}  // namespace faxd::api
