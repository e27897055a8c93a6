#include <fmt/format.h>

#include "faxd/mail_in/mail_fax_submitter.hpp"
#include "faxd/numbers/phone_number.hpp"

namespace faxd::mail_in {

Result<std::string> mail_number(std::string_view local, std::string_view company_country) {
  // As the send form reads what people type (numbers::destination_e164, as POST /faxes does).
  auto typed = numbers::destination_e164(local, "", company_country);
  if (typed) return typed;
  // Else the international form without '+' that email-to-fax services take ("34910000001"),
  // when it is no number of the company's country.
  std::string digits;
  bool only_digits = !local.empty();
  for (char c : local) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != '.' && c != '-' && c != ' ')
      only_digits = false;
  }
  if (only_digits && !digits.empty() && digits.front() != '0')
    if (auto international = numbers::destination_e164("+" + digits, "", company_country))
      return international;
  std::string_view why = typed.error().message;
  if (why.starts_with("to: ")) why.remove_prefix(4);
  if (local.empty()) return fail(Errc::invalid_argument, "no fax number before the @", "to");
  return fail(Errc::invalid_argument, fmt::format("{}: {}", local, why), "to");
}

}  // namespace faxd::mail_in
