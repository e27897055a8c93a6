#pragma once
// Pure checks of user input, shared by the handlers. Each returns true when the text is
// acceptable; the handlers name the field in the error.
#include <string_view>

namespace faxd::api {

// "+" then 2..15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view s) noexcept;
// local@domain.tld, no spaces or control characters, at most 254 characters.
bool is_email(std::string_view s) noexcept;
// A DNS name or an IPv4 address, or an IPv6 address in brackets.
bool is_host(std::string_view s) noexcept;
// An IANA time zone known to this system (/usr/share/zoneinfo) or "UTC".
bool is_timezone(std::string_view s) noexcept;
// "en", "de", "pt-BR".
bool is_language(std::string_view s) noexcept;
// A route prefix: the start of E.164 numbers, "+" and 1..15 digits, the first not 0 ("+34",
// "+4930"), or "" for every number. Prefixes without "+" ("0034", "91") never match an E.164
// number as users mean them, so they are refused.
bool is_prefix(std::string_view s) noexcept;
// A carrier's tech prefix: up to 20 of digits, '*' and '#' ("" = none).
bool is_dial_prefix(std::string_view s) noexcept;
// T.30 station id (TSI/CSI): up to 20 of digits, '+' and space.
bool is_station_id(std::string_view s) noexcept;
// Printable text without control characters (names, headers).
bool is_printable(std::string_view s) noexcept;
// Login names: letters, digits and . _ @ - (1..64).
bool is_username(std::string_view s) noexcept;
// http(s)://host[:port]/... (webhook targets).
bool is_http_url(std::string_view s) noexcept;

}  // namespace faxd::api
