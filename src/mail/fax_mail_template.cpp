#include "faxd/mail/fax_mail_template.hpp"

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
  return language.starts_with("es");
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

MailTemplate default_template(MailKind kind, std::string_view language) {
  if (is_spanish(language)) {
    switch (kind) {
      case MailKind::fax_received:
        return {"Fax recibido de {from} ({pages} páginas)",
                "Ha recibido un fax en {fax_name}.\n\n"
                "De: {from}\nPara: {to}\nPáginas: {pages}\nFecha: {date}\n\n"
                "El fax va adjunto en PDF.\n"};
      case MailKind::fax_delivered:
        return {"Fax entregado a {to}",
                "Su fax desde {fax_name} se ha entregado.\n\n"
                "Para: {to}\nDe: {from}\nPáginas: {pages}\nFecha: {date}\n"};
      case MailKind::fax_failed:
        return {"Fax a {to} no entregado",
                "Su fax desde {fax_name} no se ha podido entregar.\n\n"
                "Para: {to}\nDe: {from}\nPáginas enviadas: {pages}\nFecha: {date}\n"
                "Motivo: {reason}\n"};
    }
  }
  switch (kind) {
    case MailKind::fax_received:
      return {"Fax received from {from} ({pages} pages)",
              "You have received a fax on {fax_name}.\n\n"
              "From: {from}\nTo: {to}\nPages: {pages}\nDate: {date}\n\n"
              "The fax is attached as a PDF.\n"};
    case MailKind::fax_delivered:
      return {"Fax delivered to {to}",
              "Your fax from {fax_name} was delivered.\n\n"
              "To: {to}\nFrom: {from}\nPages: {pages}\nDate: {date}\n"};
    case MailKind::fax_failed:
      return {"Fax to {to} not delivered",
              "Your fax from {fax_name} could not be delivered.\n\n"
              "To: {to}\nFrom: {from}\nPages sent: {pages}\nDate: {date}\nReason: {reason}\n"};
  }
  return {};
}

std::string render_template(std::string_view tmpl, const FaxMailFields& f) {
  std::string out;
  out.reserve(tmpl.size() + 64);
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    const auto open = tmpl.find('{', pos);
    if (open == std::string_view::npos) break;
    const auto close = tmpl.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(tmpl.substr(pos, open - pos));
    const auto name = tmpl.substr(open + 1, close - open - 1);
    if (name == "fax_name")
      out += f.fax_name;
    else if (name == "pages")
      out += std::to_string(f.pages);
    else if (name == "from")
      out += f.from.empty() ? std::string("?") : f.from;
    else if (name == "to")
      out += f.to;
    else if (name == "date")
      out += format_local_date(f.date, f.timezone, f.language);
    else if (name == "reason")
      out += f.reason;
    else
      out.append(tmpl.substr(open, close - open + 1));
    pos = close + 1;
  }
  out.append(tmpl.substr(pos));
  return out;
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
