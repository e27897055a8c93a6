#pragma once
// Builds RFC 5322 / MIME messages with GMime 3: a text/plain part alone, or text/plain and
// text/html as multipart/alternative, inside multipart/mixed when files are attached (base64).
// Headers with non-ASCII text become RFC 2047 encoded words, file names RFC 2231 parameters;
// lines end in CRLF and stay within SMTP's limit. The caller gives the date and the Message-ID,
// so everything but the MIME boundaries is reproducible in tests.
//
// Header injection: addresses and names containing CR, LF or NUL are refused.
// Threads: any; GMime is initialised once on first use (std::call_once) and objects are never
// shared between calls.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"

namespace faxd::mail {

struct Mailbox {
  std::string name;     // display name, UTF-8; may be empty
  std::string address;  // addr-spec
};

struct Attachment {
  std::string filename;  // UTF-8
  std::string content_type = "application/pdf";
  std::string data;  // raw bytes
};

struct MailMessage {
  Mailbox from;
  std::vector<Mailbox> to;
  std::string subject;              // UTF-8
  std::string text;                 // UTF-8, '\n' or "\r\n" line ends
  std::optional<std::string> html;  // UTF-8; with it the mail is multipart/alternative
  std::vector<Attachment> attachments;
  SysTime date;
  std::string message_id;   // without angle brackets, e.g. "01J...@example.com"
  std::string in_reply_to;  // Message-ID answered (without brackets), or empty
  // RFC 3834 "Auto-Submitted: auto-generated", so auto-responders stay quiet.
  bool auto_submitted = true;
};

// The complete message.
Result<std::string> build_mime(const MailMessage& message);

// "Name <a@b>", "\"Name\" <a@b>" or "a@b" as a mailbox; invalid_argument for anything else
// (several addresses, groups, line breaks, no '@').
Result<Mailbox> parse_mailbox(std::string_view text);
// "a@b" from "Name <a@b>" or "a@b"; an error for malformed or injecting input.
Result<std::string> address_spec(std::string_view address);
// The domain part of an address ("localhost" when there is none).
std::string address_domain(std::string_view address);

// Initialises GMime once for the process (idempotent, thread-safe).
void init_mime();

}  // namespace faxd::mail
