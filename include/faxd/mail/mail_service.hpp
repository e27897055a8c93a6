#pragma once
// Everything mail and webhooks need, built and run together so the App wires them in a few
// lines:
//
//   mail_ = std::make_unique<mail::MailService>(*db, clock, config.smtp, pdf_path_for, io,
//       [this](std::function<void()> f) { asio::post(workers, std::move(f)); });
//   api::add_webhook_routes(router, *api, mail_->webhooks(), clock);
//   mail_->start();                   // after the store is open
//   ...  mail_->reconfigure(fresh->smtp);   // SIGHUP
//   ...  mail_->stop();               // at shutdown, before io and workers go away
//
// The receive path queues a mail inside its own transaction with
// store::MailOutboxRepo::enqueue_for_fax(conn, fax_id, "fax_received", now) and then calls
// mail_queued(); the fax code appends events (fax_repo's append_event) and may call
// event_appended() so webhooks go out at once instead of at the next poll.
//
// Threads: start/stop/reconfigure/wake calls are safe from any thread. The workers run on the
// pool given by `post`, one outbox run and one webhook run at a time.
#include <chrono>
#include <functional>
#include <memory>

#include "faxd/common/clock.hpp"
#include "faxd/config/config.hpp"
#include "faxd/mail/outbox_worker.hpp"
#include "faxd/mail/periodic_task.hpp"
#include "faxd/mail/smtp_mailer.hpp"
#include "faxd/mail/webhook_transport.hpp"
#include "faxd/mail/webhook_worker.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "faxd/store/notification_template_repo.hpp"
#include "faxd/store/webhook_repo.hpp"

namespace faxd::mail {

struct MailServiceOptions {
  std::chrono::milliseconds outbox_every{std::chrono::seconds(10)};
  std::chrono::milliseconds webhooks_every{std::chrono::seconds(2)};
  OutboxOptions outbox{};
  WebhookOptions webhooks{};
  WebhookTargets webhook_targets{};  // where webhooks may go (internal addresses refused)
};

class MailService {
 public:
  MailService(store::Db& db, const Clock& clock, config::SmtpConfig smtp, PdfPathFn pdf_path,
              boost::asio::io_context& io, PeriodicTask::Post post,
              MailServiceOptions options = {});

  void start();
  void stop();
  // New [smtp] settings (SIGHUP); the next send uses them, and pending mail is tried at once.
  void reconfigure(config::SmtpConfig smtp);
  void mail_queued() { outbox_task_.wake(); }
  void event_appended() { webhook_task_.wake(); }

  store::MailOutboxRepo& outbox() { return outbox_; }
  store::WebhookRepo& webhooks() { return webhooks_; }

 private:
  store::MailOutboxRepo outbox_;
  store::NotificationTemplateRepo templates_;
  store::WebhookRepo webhooks_;
  SmtpMailer mailer_;
  CurlWebhookTransport transport_;
  OutboxWorker outbox_worker_;
  WebhookWorker webhook_worker_;
  PeriodicTask outbox_task_;
  PeriodicTask webhook_task_;
};

}  // namespace faxd::mail
