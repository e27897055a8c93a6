#include "faxd/mail/mail_service.hpp"

#include <spdlog/spdlog.h>

namespace faxd::mail {

MailService::MailService(store::Db& db, const Clock& clock, config::SmtpConfig smtp,
                         PdfPathFn pdf_path, boost::asio::io_context& io, PeriodicTask::Post post,
                         MailServiceOptions options)
    : outbox_(db),
      templates_(db, clock),
      webhooks_(db),
      mailer_(std::move(smtp)),
      transport_(options.webhook_targets),
      outbox_worker_(outbox_, templates_, mailer_, std::move(pdf_path), clock, options.outbox),
      webhook_worker_(webhooks_, transport_, clock, options.webhooks),
      outbox_task_(io, post, options.outbox_every, [this] { outbox_worker_.tick(); }),
      webhook_task_(io, post, options.webhooks_every, [this] { webhook_worker_.tick(); }) {}

void MailService::start() {
  if (!init_curl()) spdlog::error("mail.curl_init_failed");
  if (!mailer_.enabled()) spdlog::info("mail.disabled reason=smtp_url_empty");
  outbox_task_.start();
  webhook_task_.start();
}

void MailService::stop() {
  outbox_task_.stop();
  webhook_task_.stop();
}

void MailService::reconfigure(config::SmtpConfig smtp) {
  mailer_.reconfigure(std::move(smtp));
  outbox_task_.wake();
}

}  // namespace faxd::mail
