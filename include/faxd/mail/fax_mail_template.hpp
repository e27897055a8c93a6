#pragma once
// The words of fax mails: templates per kind and language (faxd's built-in ones in English and
// Spanish, a brand's or a company's own from the store), their variables, dates written in the
// company's time zone (IANA name) and language, and the attachment name
// fax-YYYYMMDD-HHMMSS-FROM.pdf.
//
// Variables: {fax_name} {pages} {from} {to} {date} {pdf_name} {company} {brand} {failure}. A
// variable is '{', a name of lower-case letters, digits and '_', '}'; any other brace is plain
// text (so CSS in an HTML body stays as written). In an HTML body the values are HTML-escaped;
// in a subject line breaks in values become spaces.
//
// Pure functions; the time-zone database is the system's (/usr/share/zoneinfo through Howard
// Hinnant's date library), safe from any thread.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/clock.hpp"

namespace faxd::mail {

enum class MailKind { fax_received, fax_delivered, fax_failed };
std::string_view to_string(MailKind kind) noexcept;
bool parse_mail_kind(std::string_view text, MailKind* out) noexcept;

struct MailTemplate {
  std::string from_name;     // "" = the [smtp] from's name
  std::string from_address;  // "" = the [smtp] from address
  std::string subject;
  std::string body_text;
  std::optional<std::string> body_html;
};

// True for the languages faxd has built-in templates for: "en" and "es".
bool has_builtin_template(std::string_view language) noexcept;
// Built-in templates; "es" (and "es-MX", ...) is Spanish, anything else English.
MailTemplate default_template(MailKind kind, std::string_view language);

// Every variable a template may use, in the order the documentation lists them.
std::span<const std::string_view> template_variables() noexcept;
// The first {name} in `text` that is not a variable (without braces); nullopt when all are known.
std::optional<std::string> unknown_variable(std::string_view text);

// Where a template is looked for, in order: the company's language (and its primary subtag:
// "pt-BR" then "pt"), the brand's default language, then English. No duplicates.
std::vector<std::string> language_candidates(std::string_view company_language,
                                             std::string_view brand_language);

struct FaxMailFields {
  std::string fax_name;  // the virtual fax's name
  int pages = 0;
  std::string from;  // caller number (or station id when the number is unknown)
  std::string to;
  SysTime date;                  // when the fax was received / ended
  std::string timezone = "UTC";  // IANA name; unknown names fall back to UTC
  std::string language = "en";
  std::string company;
  std::string brand;
  std::string failure;   // failure text for fax_failed
  std::string pdf_name;  // "" = attachment_filename(date, timezone, from)
};

enum class Escape { none, html, header };

// Replaces each known {variable}; unknown ones are left as written.
std::string render_template(std::string_view tmpl, const FaxMailFields& fields,
                            Escape escape = Escape::none);

struct RenderedMail {
  std::string subject;
  std::string text;
  std::optional<std::string> html;
};
RenderedMail render_mail(const MailTemplate& tmpl, const FaxMailFields& fields);

// "25 November 2026, 01:10 CET" (en) / "25 de noviembre de 2026, 01:10 CET" (es); other
// languages "2026-11-25 01:10 CET".
std::string format_local_date(SysTime t, std::string_view timezone, std::string_view language);

// fax-YYYYMMDD-HHMMSS-FROM.pdf in the company's time zone; FROM keeps [0-9A-Za-z+], "unknown"
// when empty.
std::string attachment_filename(SysTime t, std::string_view timezone, std::string_view from);

}  // namespace faxd::mail
