#include "faxd/mail/template_choice.hpp"

namespace faxd::mail {

namespace {

// Language tags compare without regard to case ("pt-BR" is "pt-br").
bool same_language(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

MailTemplate to_mail_template(const store::NotificationTemplate& t) {
  return {t.from_name, t.from_address, t.subject, t.body_text, t.body_html};
}

Mailbox template_sender(const MailTemplate& tmpl, const Mailbox& smtp_from) {
  if (!tmpl.from_address.empty()) return {tmpl.from_name, tmpl.from_address};
  Mailbox m = smtp_from;
  if (!tmpl.from_name.empty()) m.name = tmpl.from_name;
  return m;
}

MailMessage fax_mail_message(const MailTemplate& tmpl, const FaxMailFields& fields,
                             const Mailbox& smtp_from, std::string to) {
  auto rendered = render_mail(tmpl, fields);
  MailMessage m;
  m.from = template_sender(tmpl, smtp_from);
  m.to.push_back({"", std::move(to)});
  m.subject = std::move(rendered.subject);
  m.text = std::move(rendered.text);
  m.html = std::move(rendered.html);
  return m;
}

ChosenTemplate choose_template(std::span<const store::NotificationTemplate> stored, MailKind kind,
                               std::string_view company_id, std::string_view company_language,
                               std::string_view brand_language) {
  const auto kind_name = to_string(kind);
  auto find = [&](std::string_view language,
                  bool of_company) -> const store::NotificationTemplate* {
    for (const auto& t : stored) {
      if (t.kind != kind_name || !same_language(t.language, language)) continue;
      if (of_company ? (t.company_id && *t.company_id == company_id) : !t.company_id) return &t;
    }
    return nullptr;
  };
  for (const auto& language : language_candidates(company_language, brand_language)) {
    if (!company_id.empty())
      if (const auto* t = find(language, true))
        return {to_mail_template(*t), language, "company", t->id};
    if (const auto* t = find(language, false))
      return {to_mail_template(*t), language, "brand", t->id};
    if (same_language(language, "en") || same_language(language, "es"))
      return {default_template(kind, language), language, "builtin", ""};
  }
  return {default_template(kind, "en"), "en", "builtin", ""};  // not reached: "en" is a candidate
}

}  // namespace faxd::mail
