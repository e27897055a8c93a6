#include "faxd/common/failure.hpp"

#include <array>
#include <utility>

namespace faxd {

namespace {
constexpr std::array<std::pair<FailureCode, std::string_view>, 12> kNames{{
    {FailureCode::busy, "busy"},
    {FailureCode::no_answer, "no_answer"},
    {FailureCode::rejected, "rejected"},
    {FailureCode::no_route, "no_route"},
    {FailureCode::carrier_unreachable, "carrier_unreachable"},
    {FailureCode::not_a_fax, "not_a_fax"},
    {FailureCode::negotiation_failed, "negotiation_failed"},
    {FailureCode::transfer_failed, "transfer_failed"},
    {FailureCode::canceled, "canceled"},
    {FailureCode::document_invalid, "document_invalid"},
    {FailureCode::internal, "internal"},
    {FailureCode::tenant_disabled, "tenant_disabled"},
}};
}  // namespace

std::string_view to_string(FailureCode code) noexcept {
  for (const auto& [c, name] : kNames)
    if (c == code) return name;
  return "internal";
}

std::optional<FailureCode> parse_failure_code(std::string_view text) noexcept {
  for (const auto& [c, name] : kNames)
    if (name == text) return c;
  return std::nullopt;
}

}  // namespace faxd
