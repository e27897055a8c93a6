#pragma once
// Which template a fax mail uses (issue #18): for each language of
// language_candidates(company's language, brand's default language), the company's template,
// then the brand's, then faxd's built-in one when faxd has that language ("en", "es"). English
// is the last candidate and always has a built-in template, so there is always an answer.
// Pure.
#include <span>
#include <string>
#include <string_view>

#include "faxd/mail/fax_mail_template.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/store/notification_template_repo.hpp"

namespace faxd::mail {

struct ChosenTemplate {
  MailTemplate tmpl;
  std::string language;  // the template's language (the mail's date is written in it)
  std::string source;    // "company" | "brand" | "builtin"
  std::string id;        // the stored template's id; "" for a built-in one
};

// `stored`: the brand's and the company's templates (any kinds; other kinds are skipped).
ChosenTemplate choose_template(std::span<const store::NotificationTemplate> stored, MailKind kind,
                               std::string_view company_id, std::string_view company_language,
                               std::string_view brand_language);

MailTemplate to_mail_template(const store::NotificationTemplate& t);

// The From of a mail written from `tmpl`: its own name and address, or the [smtp] from's where
// the template leaves them empty.
Mailbox template_sender(const MailTemplate& tmpl, const Mailbox& smtp_from);

// A fax mail to one address: From, To, subject and bodies filled in; the caller adds the date,
// the Message-ID and any attachment.
MailMessage fax_mail_message(const MailTemplate& tmpl, const FaxMailFields& fields,
                             const Mailbox& smtp_from, std::string to);

}  // namespace faxd::mail
