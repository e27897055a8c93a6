#pragma once
// Sends one finished RFC 5322 message. SmtpMailer is the real one; tests use fakes.
//
// Errors: Errc::invalid_argument means the server refused the message or a recipient for good
// (a 5xx reply such as 550 "no such mailbox"): the outbox gives up on it. Anything else
// (connection refused, timeout, 4xx, authentication trouble) is temporary and retried.
// Threads: implementations are safe to call from several worker threads at once.
#include <string>
#include <string_view>

#include "faxd/common/error.hpp"

namespace faxd::mail {

struct Envelope {
  std::string from;  // addr-spec (MAIL FROM)
  std::string to;    // addr-spec (RCPT TO)
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // True when a server is configured ([smtp] url set).
  virtual bool enabled() const = 0;
  // The From header the configuration asks for ("faxd@localhost" or "Fax <fax@example.com>").
  virtual std::string sender() const = 0;
  // Blocks until the server accepted the message (250 after DATA) or failed.
  virtual Result<void> send(const Envelope& envelope, std::string_view message) = 0;
};

}  // namespace faxd::mail
