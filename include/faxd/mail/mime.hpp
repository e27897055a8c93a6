#pragma once
// Builds RFC 5322 / MIME messages: multipart/mixed with a text/plain UTF-8 part
// (quoted-printable) and base64 attachments, headers with RFC 2047 encoded words for non-ASCII
// text. Lines end in CRLF and stay under 78 characters (headers are folded). Pure: the caller
// gives the date, the Message-ID and the boundary, so output is reproducible in tests.
//
// Header injection: addresses containing CR, LF or NUL are refused (validate_address).
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"

namespace faxd::mail {

struct Attachment {
  std::string filename;  // ASCII; other characters are encoded (RFC 2231)
  std::string content_type = "application/pdf";
  std::string data;  // raw bytes
};

struct MailMessage {
  std::string from;     // "addr@host" or "Name <addr@host>"
  std::string to;       // one address, same forms
  std::string subject;  // UTF-8
  std::string text;     // UTF-8 body, '\n' or "\r\n" line ends
  std::vector<Attachment> attachments;
  SysTime date;
  std::string message_id;  // without angle brackets, e.g. "01J...@example.com"
};

// The complete message. `boundary` must not occur in the content (a random token does).
Result<std::string> build_mime(const MailMessage& message, std::string_view boundary);

// "a@b" from "Name <a@b>" or "a@b"; an error for malformed or injecting input.
Result<std::string> address_spec(std::string_view address);
// The domain part of an address ("localhost" when there is none).
std::string address_domain(std::string_view address);

// Building blocks, exposed for tests.
std::string encode_header_text(std::string_view utf8, std::size_t first_line_used);
std::string base64_lines(std::string_view data);      // 76-column lines, CRLF after each
std::string quoted_printable(std::string_view utf8);  // CRLF line ends, soft breaks at 76
std::string format_rfc5322_date(SysTime t);           // "Wed, 25 Nov 2026 00:10:00 +0000"

}  // namespace faxd::mail
