#include "faxd/numbers/phone_number.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <phonenumbers/phonenumberutil.h>

namespace faxd::numbers {

namespace pn = i18n::phonenumbers;
using Util = pn::PhoneNumberUtil;

namespace {

const Util& util() {
  return *Util::GetInstance();
}

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// The country a message names for a parsed number: its region, else "+CC".
std::string where(const pn::PhoneNumber& n) {
  std::string region;
  util().GetRegionCodeForCountryCode(n.country_code(), &region);
  return region.empty() || region == "ZZ" || region == "001" ? fmt::format("+{}", n.country_code())
                                                             : region;
}

std::string keep_dial_chars(std::string_view s) {
  std::string out;
  for (char c : s)
    if (is_digit(c) || (c == '+' && out.empty())) out += c;
  return out;
}

std::optional<pn::PhoneNumber> parse_e164(std::string_view e164) {
  pn::PhoneNumber n;
  if (util().Parse(std::string(e164), "ZZ", &n) != Util::NO_PARSING_ERROR) return std::nullopt;
  return n;
}

}  // namespace

std::string_view to_string(DialFormat f) noexcept {
  switch (f) {
    case DialFormat::e164:
      return "e164";
    case DialFormat::e164_digits:
      return "e164_digits";
    case DialFormat::national:
      return "national";
  }
  return "e164";
}

std::optional<DialFormat> parse_dial_format(std::string_view s) noexcept {
  if (s == "e164") return DialFormat::e164;
  if (s == "e164_digits") return DialFormat::e164_digits;
  if (s == "national") return DialFormat::national;
  return std::nullopt;
}

const std::vector<std::string>& countries() {
  static const std::vector<std::string> all = [] {
    std::set<std::string> regions;
    util().GetSupportedRegions(&regions);
    return std::vector<std::string>(regions.begin(), regions.end());
  }();
  return all;
}

bool is_country(std::string_view country) noexcept {
  if (country.size() != 2 || !is_upper(country[0]) || !is_upper(country[1])) return false;
  const auto& all = countries();
  return std::binary_search(all.begin(), all.end(), country);
}

Result<std::string> to_e164(std::string_view typed, std::string_view country) {
  const auto text = trim(typed);
  if (text.empty()) return fail(Errc::invalid_argument, "empty: give a phone number");
  if (text.size() > 64) return fail(Errc::invalid_argument, "not a phone number (too long)");
  // Vanity letters and extensions cannot be dialled by a fax machine; refuse them plainly.
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isalpha(c); }))
    return fail(Errc::invalid_argument, "not a phone number (letters are not dialled)");
  const bool international = text.front() == '+';
  if (!international && country.empty())
    return fail(Errc::invalid_argument,
                "needs a country, or + and the country code (e.g. +34 910 000 002)");
  if (!country.empty() && !is_country(country))
    return fail(Errc::invalid_argument, fmt::format("{} is not a known country code", country));
  pn::PhoneNumber n;
  const std::string region = international ? "ZZ" : std::string(country);
  switch (util().Parse(text, region, &n)) {
    case Util::NO_PARSING_ERROR:
      break;
    case Util::INVALID_COUNTRY_CODE_ERROR:
      return fail(Errc::invalid_argument, "the country code after + is not one in use");
    case Util::TOO_SHORT_AFTER_IDD:
    case Util::TOO_SHORT_NSN:
      return fail(Errc::invalid_argument, "too short for a phone number");
    case Util::TOO_LONG_NSN:
      return fail(Errc::invalid_argument, "too long for a phone number");
    default:
      return fail(Errc::invalid_argument, "not a phone number");
  }
  if (n.has_extension() && !n.extension().empty())
    return fail(Errc::invalid_argument, "an extension cannot be dialled by a fax machine");
  switch (util().IsPossibleNumberWithReason(n)) {
    case Util::IS_POSSIBLE:
      break;
    case Util::IS_POSSIBLE_LOCAL_ONLY:
      return fail(
          Errc::invalid_argument,
          fmt::format("too short for a number of {} (is the area code missing?)", where(n)));
    case Util::INVALID_COUNTRY_CODE:
      return fail(Errc::invalid_argument, "the country code after + is not one in use");
    case Util::TOO_SHORT:
      return fail(Errc::invalid_argument, fmt::format("too short for a number of {}", where(n)));
    case Util::TOO_LONG:
      return fail(Errc::invalid_argument, fmt::format("too long for a number of {}", where(n)));
    default:
      return fail(Errc::invalid_argument,
                  fmt::format("not a number of {} (wrong length)", where(n)));
  }
  std::string out;
  util().Format(n, Util::E164, &out);
  return out;
}

std::string for_carrier(std::string_view e164, DialFormat format, std::string_view country) {
  const auto digits = e164.starts_with('+') ? e164.substr(1) : e164;
  switch (format) {
    case DialFormat::e164:
      return fmt::format("+{}", digits);
    case DialFormat::e164_digits:
      return std::string(digits);
    case DialFormat::national:
      break;
  }
  const auto n = parse_e164(fmt::format("+{}", digits));
  if (country.empty() || !is_country(country) || !n) return std::string(digits);
  std::string out;
  // In the carrier's country: its national form with trunk prefix ("0301234567" in DE);
  // elsewhere: the carrier country's international prefix ("0049301234567" from ES).
  util().FormatOutOfCountryCallingNumber(*n, std::string(country), &out);
  out = keep_dial_chars(out);
  return out.empty() ? std::string(digits) : out;
}

std::optional<std::string> from_carrier(std::string_view user, std::string_view country) {
  if (user.starts_with("tel:")) user.remove_prefix(4);
  if (const auto semi = user.find(';'); semi != std::string_view::npos) user = user.substr(0, semi);
  std::string plain;
  for (char c : user) {
    if (is_digit(c) || (c == '+' && plain.empty())) {
      plain += c;
    } else if (c != '-' && c != '.' && c != ' ' && c != '(' && c != ')') {
      return std::nullopt;  // "anonymous", "restricted", a name
    }
  }
  // No numbering plan has numbers this long (E.164: at most 15 digits, plus a prefix or two).
  if (plain.empty() || plain == "+" || plain.size() > 32) return std::nullopt;
  if (!country.empty() && is_country(country)) {
    pn::PhoneNumber n;
    if (util().Parse(plain, std::string(country), &n) == Util::NO_PARSING_ERROR &&
        util().IsPossibleNumber(n)) {
      std::string out;
      util().Format(n, Util::E164, &out);
      return out;
    }
  }
  std::string_view rest = plain;
  if (rest.starts_with('+')) rest.remove_prefix(1);
  if (rest.starts_with("00")) rest.remove_prefix(2);
  if (rest.empty()) return std::nullopt;
  return fmt::format("+{}", rest);
}

std::string display(std::string_view e164) {
  const auto n = parse_e164(e164);
  if (!n) return std::string(e164);
  std::string out;
  util().Format(*n, Util::INTERNATIONAL, &out);
  return out;
}

std::string country_of(std::string_view e164) {
  const auto n = parse_e164(e164);
  if (!n) return {};
  std::string region;
  util().GetRegionCodeForNumber(*n, &region);
  return region == "ZZ" || region == "001" ? std::string{} : region;
}

std::string sip_uri_user(std::string_view dialled) {
  std::string out;
  for (char c : dialled)
    if (c == '#')
      out += "%23";
    else
      out += c;
  return out;
}

Result<std::string> destination_e164(std::string_view to, std::string_view country,
                                     std::string_view company_country) {
  std::string cc(country.empty() ? company_country : country);
  for (auto& ch : cc)
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  if (!country.empty() && !is_country(cc))
    return fail(Errc::invalid_argument, "country: not an ISO 3166 country code (e.g. ES, DE, US)",
                "country");
  if (to.empty()) return fail(Errc::invalid_argument, "to: give the number to send to", "to");
  auto e164 = to_e164(to, cc);
  if (!e164) return fail(Errc::invalid_argument, "to: " + e164.error().message, "to");
  return *e164;
}

}  // namespace faxd::numbers
