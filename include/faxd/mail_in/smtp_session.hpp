#pragma once
// The server side of one SMTP conversation (RFC 5321) as a pure state machine: complete lines in
// (without CRLF), replies out; no sockets, no clock. SmtpServer (smtp_server.hpp) owns the
// socket, the deadlines and the line buffer; FaxFromMail decides what a finished message
// becomes.
//
// ESMTP: EHLO/HELO, MAIL FROM (SIZE and BODY parameters), RCPT TO, DATA (dot-unstuffed, size
// checked as it arrives), RSET, NOOP, VRFY (252), HELP, QUIT; advertised: SIZE, PIPELINING,
// 8BITMIME, ENHANCEDSTATUSCODES. No AUTH or STARTTLS: only trusted relays connect.
// Refusals that need no store: the null sender (bounces are not faxed), a recipient whose local
// part is no phone number, too many recipients, a message over the size limit.
//
// Threads: one connection's thread (or strand); not shared.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faxd::mail_in {

struct SmtpLimits {
  std::size_t max_message_bytes = 25u << 20;
  int max_recipients = 10;
};

// A finished message: the envelope and the data as received (CRLF lines, dot-unstuffed).
struct ReceivedMail {
  std::string remote;  // the client's address, for logs
  std::string helo;
  std::string mail_from;                // envelope sender (addr-spec, never empty)
  std::vector<std::string> recipients;  // "NUMBER@domain" as given, in order
  std::string data;
};

// A reply line: "250 2.0.0 queued as ..." (code, enhanced status code, text).
struct SmtpReply {
  int code = 250;
  std::string text;  // starts with the enhanced status code, e.g. "2.0.0 Ok"
};

// "+34 910-000-002", "0034910000002", "910000002": a phone number as a local part may hold it
// (digits with an optional leading '+', and '.', '-' as separators).
bool is_number_local_part(std::string_view local);

class SmtpSession {
 public:
  SmtpSession(std::string hostname, std::string remote, SmtpLimits limits);

  struct Output {
    std::string bytes;           // replies to send, CRLF-terminated
    bool close = false;          // after sending them
    bool message_ready = false;  // take_message() and answer with finish_message()
  };

  // The 220 greeting.
  Output greet() const;
  // One line from the client (CRLF removed). While a message waits for finish_message(), the
  // shell must not call this.
  Output on_line(std::string_view line);
  // The last line was too long (over the shell's limit): 500, or 552 in data, then closed.
  Output on_line_too_long();
  // The finished message; the session waits for finish_message().
  ReceivedMail take_message();
  // The verdict on the taken message; the session is ready for the next MAIL.
  Output finish_message(const SmtpReply& reply);
  // For the idle timeout: 421 and close.
  Output timeout() const;

  bool in_data() const { return state_ == State::data; }

 private:
  enum class State { greeted, ready, mail, data, deciding };
  Output reply(int code, std::string_view text, bool close = false) const;
  Output on_command(std::string_view line);
  Output on_data_line(std::string_view line);
  void reset_transaction();

  std::string hostname_;
  std::string remote_;
  SmtpLimits limits_;
  State state_ = State::greeted;
  std::string helo_;
  std::string mail_from_;
  std::vector<std::string> recipients_;
  std::string data_;
  bool data_too_large_ = false;
  int bad_commands_ = 0;
};

}  // namespace faxd::mail_in
