#pragma once
// Mailer over libcurl's SMTP client: smtp:// (STARTTLS per [smtp] starttls: auto = when offered,
// always = required, never) or smtps:// (TLS from the start), optional AUTH with username and
// password, certificate verification on. Each send opens one connection (mail volume is low).
//
// Threads: send() may run on several workers at once; reconfigure() (SIGHUP) swaps the settings
// under a mutex and affects the next send. call init_curl() once at start-up, before threads.
#include <chrono>
#include <mutex>

#include "faxd/config/config.hpp"
#include "faxd/mail/mailer.hpp"

namespace faxd::mail {

// curl_global_init; returns false when libcurl cannot start. Idempotent.
bool init_curl() noexcept;

struct SmtpTimeouts {
  std::chrono::seconds connect{15};
  std::chrono::seconds total{120};  // a fax PDF of a few MB over a slow relay
};

class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(config::SmtpConfig config, SmtpTimeouts timeouts = {});
  void reconfigure(config::SmtpConfig config);

  bool enabled() const override;
  std::string sender() const override;
  Result<void> send(const Envelope& envelope, std::string_view message) override;

 private:
  config::SmtpConfig snapshot() const;

  mutable std::mutex mutex_;
  config::SmtpConfig config_;
  SmtpTimeouts timeouts_;
};

}  // namespace faxd::mail
