#pragma once
// Telephone numbers the way users and carriers write them, read and written with libphonenumber
// (Google's metadata, Debian libphonenumber8): one place that turns what was typed or received
// into E.164, and E.164 into what a carrier wants to see. faxd stores and shows E.164 only.
//
// Countries are ISO 3166-1 alpha-2 codes in upper case ("ES", "DE", "US"), the regions
// libphonenumber knows. A number is refused when it cannot be a number of its country (unknown
// country code, too short or too long for that country); number ranges are not checked, since
// carriers open ranges faster than the metadata follows (and test numbers such as +1 555 ...
// stay usable).
//
// Threads: any (libphonenumber's PhoneNumberUtil is immutable after its first use).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/error.hpp"

namespace faxd::numbers {

// What goes into the Request-URI and From user part towards a carrier (carriers.number_format).
enum class DialFormat {
  e164,         // "+34910000002"
  e164_digits,  // "34910000002"
  national,     // as dialled inside the carrier's country: "910000002"; abroad: "0049301234567"
};
std::string_view to_string(DialFormat f) noexcept;
std::optional<DialFormat> parse_dial_format(std::string_view s) noexcept;

// True for a region code libphonenumber has metadata for ("ES"; not "es", "EU" or "001").
bool is_country(std::string_view country) noexcept;
// Every such region code, sorted (for pickers).
const std::vector<std::string>& countries();

// What a person typed ("+34 91 000 00 02", "910 000 002", "0049 30 123456", "(212) 555-1234")
// as E.164. Without a leading '+' the number is read as dialled in `country` (national number,
// or that country's international prefix); `country` "" accepts international numbers only.
// Errors (invalid_argument) say what is wrong in words, without a field name:
// "not a phone number", "too short for a number of ES", "+999 is not a country code", ...
Result<std::string> to_e164(std::string_view typed, std::string_view country);

// The destination of a fax as a user gave it (POST /faxes, the route tester, email-to-fax): `to`
// as typed ("910 000 002", "+34910000002", "0049 30 123456") read with `country` (the request's,
// ISO 3166 alpha-2, any case; "" = the company's `company_country`) as E.164.
// Errors are invalid_argument naming the field ("to" or "country") with a message that says
// what is wrong: "to: too short for a number of ES".
Result<std::string> destination_e164(std::string_view to, std::string_view country,
                                     std::string_view company_country);

// `e164` (valid E.164) as a carrier whose number_format is `format` wants it; `country` is the
// carrier's country, needed for `national` (without it, national falls back to e164_digits).
std::string for_carrier(std::string_view e164, DialFormat format, std::string_view country);

// A number a carrier sent (Request-URI, To or From user part: "910000002", "34910000002",
// "+34910000002", "0034910000002", "tel:+34...") read as E.164 with the carrier's country.
// Without a country, or when the text is no number of it, digits get a '+' in front (the rule
// before carriers had a country); nullopt for text that is no number at all ("anonymous").
std::optional<std::string> from_carrier(std::string_view user, std::string_view country);

// "+34 910 00 00 02" (international format, for people).
std::string display(std::string_view e164);
// The country a valid E.164 number belongs to ("ES"), "" when it cannot be told.
std::string country_of(std::string_view e164);

// A dialled number (a carrier's tech prefix and the number as for_carrier writes it) as the user
// part of a SIP URI carries it: '#' escaped as %23 (RFC 3261 25.1: '#' is not unreserved), the
// rest (digits, '+', '*') as it is. What the SIP dialer sends and the route tester shows.
std::string sip_uri_user(std::string_view dialled);

}  // namespace faxd::numbers
