#pragma once
// Reads a mail that is to become a fax, with GMime 3: who sent it (the From header, one
// mailbox), its subject and Message-ID, the Authentication-Results headers the relays added,
// its text, and its PDF and TIFF attachments in the order they appear.
//
// A part is a fax document when its content says so (%PDF- or a TIFF byte-order mark) or,
// for parts whose content is not readable as either, when its type or file name says so
// (application/pdf, image/tiff, *.pdf, *.tif[f]); those are handed on and conversion names
// what is wrong with them. Other parts with Content-Disposition: attachment are listed by name
// (they cannot be faxed); signatures (S/MIME, OpenPGP) and vCards are ignored, as are inline
// images (logos in signatures). The text is the first text/plain body part, else the first
// text/html one turned into plain text.
//
// Threads: any (GMime is initialised once by mail::init_mime()).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/mail/mime.hpp"

namespace faxd::mail_in {

struct MailDocument {
  std::string filename;  // as given ("" when none)
  std::string content_type;
  std::string data;  // decoded bytes
};

struct IncomingMail {
  std::optional<mail::Mailbox> from;      // nullopt: no From, or not exactly one mailbox
  std::string subject;                    // decoded UTF-8
  std::string message_id;                 // without brackets; "" when none
  std::vector<std::string> auth_results;  // Authentication-Results values, topmost first
  std::string text;
  std::vector<MailDocument> documents;
  std::vector<std::string> other_attachments;  // names (or types) of what cannot be faxed
};

// invalid_argument when the data is not a mail at all.
Result<IncomingMail> read_mail(std::string_view data);

// HTML to plain text for a text-only mail: tags dropped (script and style with their content),
// line breaks at <br>, paragraphs and blocks, the common entities decoded. Pure.
std::string html_to_text(std::string_view html);

}  // namespace faxd::mail_in
