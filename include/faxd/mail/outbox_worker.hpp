#pragma once
// Sends the mail outbox. run_once(now) claims due rows, builds each message at send time from
// the fax row, its virtual fax, company and brand (language, time zone, names), the template
// mail::choose_template picks among the company's and brand's (else the built-in one) and, for
// fax_received, the fax PDF, and hands it to the Mailer. The envelope sender (MAIL FROM) is
// always the [smtp] from address, so bounces reach the operator; the From header is the
// template's. Outcomes:
//   accepted            -> mark_sent (see MailOutboxRepo for the at-most-rare-duplicate rule)
//   temporary failure   -> retried after retry_delay(policy, attempts)
//   permanent refusal   -> failed (5xx from the server, malformed address, fax deleted)
//   older than give_up  -> failed ("gave up"), the fax itself is untouched
// When the mailer is disabled ([smtp] url empty) nothing is claimed: mails wait in the store.
//
// Threads: run_once blocks (SQLite, SMTP) and runs on the worker pool; PeriodicTask keeps one
// run at a time. Ownership: references to the repo, mailer and clock, which outlive the worker.
#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/mail/mailer.hpp"
#include "faxd/mail/mime.hpp"
#include "faxd/mail/retry_policy.hpp"
#include "faxd/store/mail_outbox_repo.hpp"
#include "faxd/store/notification_template_repo.hpp"

namespace faxd::mail {

// The absolute path of the fax's PDF in the spool (provided by the receive path).
using PdfPathFn = std::function<Result<std::string>(const std::string& fax_id)>;

struct OutboxOptions {
  RetryPolicy retry = kMailRetry;
  std::chrono::seconds lease{std::chrono::minutes(10)};  // > the SMTP total timeout
  int batch = 20;
  std::size_t max_attachment_bytes = 20u << 20;  // a larger PDF fails the mail (servers refuse it)
};

struct OutboxRun {
  int sent = 0;
  int retried = 0;
  int failed = 0;
};

// Writes the subject, text and attachments of an outbox row of a kind other than the fax
// mails (from, to, date and Message-ID are filled in by the worker). Errors as compose().
using MailComposer = std::function<Result<MailMessage>(const store::OutboxMail& mail, SysTime now)>;

class OutboxWorker {
 public:
  OutboxWorker(store::MailOutboxRepo& repo, store::NotificationTemplateRepo& templates,
               Mailer& mailer, PdfPathFn pdf_path, const Clock& clock, OutboxOptions options = {});

  // Other subsystems' mails (the call CSV reports) ride the same outbox and retries: rows of
  // `kind` are written by `composer`. Call before the worker runs.
  void add_composer(std::string kind, MailComposer composer);

  OutboxRun run_once(SysTime now);
  // run_once(clock.now()), for the timer.
  OutboxRun tick() { return run_once(clock_.now()); }

  // Builds the complete message of one outbox row (exposed for tests). invalid_argument when it
  // can never be built (unknown kind, fax gone, bad address); other errors are temporary.
  Result<std::string> compose(const store::OutboxMail& mail, SysTime now);

 private:
  store::MailOutboxRepo& repo_;
  store::NotificationTemplateRepo& templates_;
  Mailer& mailer_;
  PdfPathFn pdf_path_;
  const Clock& clock_;
  OutboxOptions options_;
  std::map<std::string, MailComposer, std::less<>> composers_;
};

}  // namespace faxd::mail
