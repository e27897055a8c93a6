#pragma once
// The email-to-fax SMTP listener ([mail_in]): an MTA such as Postfix relays mail for
// NUMBER@any-domain here. Asio on the control io_context; each connection runs an SmtpSession
// (the protocol), and a finished message goes to the MailHandler on the worker pool (it touches
// the store and converts documents); its verdict is the reply to the end of DATA.
//
// Limits: only trusted relays connect (addresses or CIDRs; none configured = loopback only;
// others get 554 and are closed), at most max_connections at once (421 beyond), a deadline on
// every read (timeout: 421), lines of at most 1000 octets (4096 inside the message data), the
// message size and the recipients per message (SmtpLimits).
//
// Threads: start/stop on the control thread; connections live there; the handler runs through
// `run_handler`.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/config/config.hpp"
#include "faxd/mail_in/smtp_session.hpp"

namespace boost::asio {
class io_context;
}

namespace faxd::mail_in {

// What becomes of a finished message. Blocking; called on a worker thread, maybe several at
// once for different connections. The reply's code decides: 2xx accepted, 4xx try later, 5xx
// refused for good.
class MailHandler {
 public:
  virtual ~MailHandler() = default;
  virtual SmtpReply deliver(const ReceivedMail& mail) = 0;
};

struct SmtpServerOptions {
  config::HostPort listen;
  std::vector<std::string> trusted_relays;  // addresses or CIDRs (checked by the config)
  int max_connections = 20;
  std::chrono::seconds timeout{120};
  std::string hostname = "localhost";
  SmtpLimits limits;
};

SmtpServerOptions server_options(const config::MailInConfig& config, std::string hostname);

// Runs a delivered mail's handler (store and document conversion) off the io thread. false: not
// now (every converter busy); the client is told to try again later (451 4.3.2) and its relay
// keeps the mail.
using WorkRunner = std::function<bool(std::function<void()>)>;

class SmtpServer {
 public:
  SmtpServer(boost::asio::io_context& io, SmtpServerOptions options, MailHandler& handler,
             WorkRunner run_handler);
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Binds and starts accepting; fails with a message naming the address.
  Result<void> start();
  // Stops accepting and closes the connections (a message being decided is answered first).
  void stop();
  std::uint16_t port() const;
  int open_connections() const;
  std::uint64_t refused_connections() const;  // untrusted or over the limit

  class Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace faxd::mail_in
