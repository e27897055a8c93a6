#pragma once
// /api/v1/notification-templates (issue #18): a brand's or a company's words for fax mails.
//   {brand_id, company_id | null, kind: fax_received | fax_delivered | fax_failed, language,
//    from_name, from_address, subject, body_text, body_html | null}
//   GET/POST /api/v1/notification-templates, GET/PATCH/DELETE /api/v1/notification-templates/{id}
//   POST /api/v1/notification-templates/preview  the fields of a template (saved or not), answered
//        {from, subject, body_text, body_html} filled in with sample values; nothing is stored
//   POST /api/v1/notification-templates/test     the same plus {to}: the sample mail is sent to
//        `to` now (200 {sent: true, to}); 503 when mail is off, 502 when the server refuses it,
//        429 after 10 test mails in 10 minutes by one user (on this node)
// Scope: platform admins all; brand admins their brand's templates and those of its companies;
// company admins their company's only; users none (403). A template outside the scope is 404.
// Saving (and previewing) refuses an unknown {variable} with 422 naming the field.
// Threads: handlers run on the worker pool; the test mail blocks one worker while it is sent.
#include "faxd/api/api.hpp"
#include "faxd/common/clock.hpp"
#include "faxd/http/router.hpp"
#include "faxd/mail/mailer.hpp"
#include "faxd/store/db.hpp"

namespace faxd::api {

struct NotificationTemplateDeps {
  store::Db& db;
  const Clock& clock;
  mail::Mailer& mailer;  // test mails; its sender() is the [smtp] from
};

void add_notification_template_routes(http::Router& router, const Api& api,
                                      NotificationTemplateDeps& deps);

}  // namespace faxd::api
