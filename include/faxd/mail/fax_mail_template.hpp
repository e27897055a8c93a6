#pragma once
// The words of fax mails: subject and body templates per kind and language, with the
// placeholders {fax_name} {pages} {from} {to} {date} (plus {status} and {reason} for outbound
// notices), dates written in the company's time zone (IANA name) and language, and the
// attachment name fax-YYYYMMDD-HHMMSS-FROM.pdf. Pure functions; the time-zone database is the
// system's (/usr/share/zoneinfo through Howard Hinnant's date library), safe from any thread.
#include <string>
#include <string_view>

#include "faxd/common/clock.hpp"

namespace faxd::mail {

enum class MailKind { fax_received, fax_delivered, fax_failed };
std::string_view to_string(MailKind kind) noexcept;
bool parse_mail_kind(std::string_view text, MailKind* out) noexcept;

struct MailTemplate {
  std::string subject;
  std::string body;
};

// Built-in templates; languages "en" and "es", anything else falls back to "en".
MailTemplate default_template(MailKind kind, std::string_view language);

struct FaxMailFields {
  std::string fax_name;  // the virtual fax's name
  int pages = 0;
  std::string from;  // caller number (or station id when the number is unknown)
  std::string to;
  SysTime date;                  // when the fax was received / ended
  std::string timezone = "UTC";  // IANA name; unknown names fall back to UTC
  std::string language = "en";
  std::string reason;  // failure text for fax_failed
};

// Replaces each known {placeholder}; unknown ones are left as written.
std::string render_template(std::string_view tmpl, const FaxMailFields& fields);

// "25 November 2026, 01:10 CET" (en) / "25 de noviembre de 2026, 01:10 CET" (es).
std::string format_local_date(SysTime t, std::string_view timezone, std::string_view language);

// fax-YYYYMMDD-HHMMSS-FROM.pdf in the company's time zone; FROM keeps [0-9A-Za-z+], "unknown"
// when empty.
std::string attachment_filename(SysTime t, std::string_view timezone, std::string_view from);

}  // namespace faxd::mail
