#include "faxd/mail/fax_mail_template.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <date/tz.h>
#include <fmt/format.h>

namespace faxd::mail {

namespace {

struct LocalTime {
  date::local_seconds time;
  std::string abbrev;
};

LocalTime to_local(SysTime t, std::string_view timezone) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(timezone);
  } catch (const std::exception&) {
    zone = nullptr;  // unknown or malformed name: UTC below
  }
  if (zone == nullptr) return {date::local_seconds{secs.time_since_epoch()}, "UTC"};
  const auto info = zone->get_info(secs);
  return {zone->to_local(secs), info.abbrev};
}

bool is_spanish(std::string_view language) {
  return language == "es" || language.starts_with("es-") || language.starts_with("es_");
}

constexpr std::string_view kVariables[] = {"fax_name", "pages",   "from",  "to",     "date",
                                           "pdf_name", "company", "brand", "failure"};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Calls text(piece) for plain text and var(name, raw) for each {name} in order.
template <class Text, class Var>
void scan(std::string_view tmpl, Text text, Var var) {
  std::size_t pos = 0;
  std::size_t plain = 0;
  while ((pos = tmpl.find('{', pos)) != std::string_view::npos) {
    std::size_t end = pos + 1;
    while (end < tmpl.size() && is_name_char(tmpl[end])) ++end;
    if (end == pos + 1 || end >= tmpl.size() || tmpl[end] != '}') {
      ++pos;  // not a variable: plain text
      continue;
    }
    text(tmpl.substr(plain, pos - plain));
    var(tmpl.substr(pos + 1, end - pos - 1), tmpl.substr(pos, end - pos + 1));
    pos = plain = end + 1;
  }
  text(tmpl.substr(plain));
}

void append_escaped(std::string& out, std::string_view value, Escape escape) {
  for (const char c : value) {
    if (escape == Escape::html) {
      switch (c) {
        case '&':
          out += "&amp;";
          continue;
        case '<':
          out += "&lt;";
          continue;
        case '>':
          out += "&gt;";
          continue;
        case '"':
          out += "&quot;";
          continue;
        case '\'':
          out += "&#39;";
          continue;
        default:
          break;
      }
    } else if (escape == Escape::header && (c == '\r' || c == '\n' || c == '\0')) {
      out += ' ';
      continue;
    }
    out += c;
  }
}

std::string primary_subtag(std::string_view language) {
  const auto cut = language.find_first_of("-_");
  return std::string(language.substr(0, cut));
}

}  // namespace

std::string_view to_string(MailKind kind) noexcept {
  switch (kind) {
    case MailKind::fax_received:
      return "fax_received";
    case MailKind::fax_delivered:
      return "fax_delivered";
    case MailKind::fax_failed:
      return "fax_failed";
  }
  return "fax_received";
}

bool parse_mail_kind(std::string_view text, MailKind* out) noexcept {
  for (auto k : {MailKind::fax_received, MailKind::fax_delivered, MailKind::fax_failed}) {
    if (to_string(k) == text) {
      *out = k;
      return true;
    }
  }
  return false;
}

bool has_builtin_template(std::string_view language) noexcept {
  return language == "en" || language == "es";
}

MailTemplate default_template(MailKind kind, std::string_view language) {
  MailTemplate t;
  if (is_spanish(language)) {
    switch (kind) {
      case MailKind::fax_received:
        t.subject = "Fax recibido de {from} ({pages} páginas)";
        t.body_text =
            "Ha recibido un fax en {fax_name}.\n\n"
            "De: {from}\nPara: {to}\nPáginas: {pages}\nFecha: {date}\n\n"
            "El fax va adjunto en PDF ({pdf_name}).\n";
        return t;
      case MailKind::fax_delivered:
        t.subject = "Fax entregado a {to}";
        t.body_text =
            "Su fax desde {fax_name} se ha entregado.\n\n"
            "Para: {to}\nDe: {from}\nPáginas: {pages}\nFecha: {date}\n";
        return t;
      case MailKind::fax_failed:
        t.subject = "Fax a {to} no entregado";
        t.body_text =
            "Su fax desde {fax_name} no se ha podido entregar.\n\n"
            "Para: {to}\nDe: {from}\nPáginas enviadas: {pages}\nFecha: {date}\n"
            "Motivo: {failure}\n";
        return t;
    }
  }
  switch (kind) {
    case MailKind::fax_received:
      t.subject = "Fax received from {from} ({pages} pages)";
      t.body_text =
          "You have received a fax on {fax_name}.\n\n"
          "From: {from}\nTo: {to}\nPages: {pages}\nDate: {date}\n\n"
          "The fax is attached as a PDF ({pdf_name}).\n";
      return t;
    case MailKind::fax_delivered:
      t.subject = "Fax delivered to {to}";
      t.body_text =
          "Your fax from {fax_name} was delivered.\n\n"
          "To: {to}\nFrom: {from}\nPages: {pages}\nDate: {date}\n";
      return t;
    case MailKind::fax_failed:
      t.subject = "Fax to {to} not delivered";
      t.body_text =
          "Your fax from {fax_name} could not be delivered.\n\n"
          "To: {to}\nFrom: {from}\nPages sent: {pages}\nDate: {date}\nReason: {failure}\n";
      return t;
  }
  return t;
}

std::span<const std::string_view> template_variables() noexcept {
  return kVariables;
}

std::optional<std::string> unknown_variable(std::string_view text) {
  std::optional<std::string> unknown;
  scan(
      text, [](std::string_view) {},
      [&](std::string_view name, std::string_view) {
        if (unknown) return;
        if (std::find(std::begin(kVariables), std::end(kVariables), name) == std::end(kVariables))
          unknown = std::string(name);
      });
  return unknown;
}

std::vector<std::string> language_candidates(std::string_view company_language,
                                             std::string_view brand_language) {
  std::vector<std::string> out;
  auto add = [&](std::string_view l) {
    if (l.empty()) return;
    if (std::find(out.begin(), out.end(), l) == out.end()) out.emplace_back(l);
  };
  add(company_language);
  add(primary_subtag(company_language));
  add(brand_language);
  add(primary_subtag(brand_language));
  add("en");
  return out;
}

std::string render_template(std::string_view tmpl, const FaxMailFields& f, Escape escape) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  scan(
      tmpl, [&](std::string_view piece) { out.append(piece); },
      [&](std::string_view name, std::string_view raw) {
        std::string value;
        if (name == "fax_name")
          value = f.fax_name;
        else if (name == "pages")
          value = std::to_string(f.pages);
        else if (name == "from")
          value = f.from.empty() ? std::string("?") : f.from;
        else if (name == "to")
          value = f.to;
        else if (name == "date")
          value = format_local_date(f.date, f.timezone, f.language);
        else if (name == "pdf_name")
          value = f.pdf_name.empty() ? attachment_filename(f.date, f.timezone, f.from) : f.pdf_name;
        else if (name == "company")
          value = f.company;
        else if (name == "brand")
          value = f.brand;
        else if (name == "failure")
          value = f.failure;
        else {
          out.append(raw);
          return;
        }
        append_escaped(out, value, escape);
      });
  return out;
}

RenderedMail render_mail(const MailTemplate& t, const FaxMailFields& f) {
  RenderedMail r;
  r.subject = render_template(t.subject, f, Escape::header);
  r.text = render_template(t.body_text, f);
  if (t.body_html) r.html = render_template(*t.body_html, f, Escape::html);
  return r;
}

std::string format_local_date(SysTime t, std::string_view timezone, std::string_view language) {
  static constexpr std::array<const char*, 12> kEn{"January",   "February", "March",    "April",
                                                   "May",       "June",     "July",     "August",
                                                   "September", "October",  "November", "December"};
  static constexpr std::array<const char*, 12> kEs{
      "enero", "febrero", "marzo",      "abril",   "mayo",      "junio",
      "julio", "agosto",  "septiembre", "octubre", "noviembre", "diciembre"};
  const auto local = to_local(t, timezone);
  const auto day = date::floor<date::days>(local.time);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss hms{local.time - day};
  const auto month = static_cast<unsigned>(ymd.month()) - 1;
  if (is_spanish(language))
    return fmt::format("{} de {} de {}, {:02}:{:02} {}", static_cast<unsigned>(ymd.day()),
                       kEs[month], static_cast<int>(ymd.year()), hms.hours().count(),
                       hms.minutes().count(), local.abbrev);
  if (primary_subtag(language) != "en")  // no month names for it: numbers read everywhere
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} {}", static_cast<int>(ymd.year()), month + 1,
                       static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                       local.abbrev);
  return fmt::format("{} {} {}, {:02}:{:02} {}", static_cast<unsigned>(ymd.day()), kEn[month],
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(),
                     local.abbrev);
}

std::string attachment_filename(SysTime t, std::string_view timezone, std::string_view from) {
  const auto local = to_local(t, timezone);
  const auto day = date::floor<date::days>(local.time);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss hms{local.time - day};
  std::string who;
  for (unsigned char c : from)
    if (std::isalnum(c) || c == '+') who += static_cast<char>(c);
  if (who.empty()) who = "unknown";
  return fmt::format("fax-{:04}{:02}{:02}-{:02}{:02}{:02}-{}.pdf", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(), who);
}

}  // namespace faxd::mail
