#pragma once
// What a mail to NUMBER@any-domain becomes (issue #20): a fax from the virtual fax whose
// mail_senders list the mail's sender (the From header), to each recipient's number, made of the
// PDF and TIFF attachments in order, or of the mail's text when it has none; the subject on a
// cover page when the virtual fax asks for one (mail_cover). The fax goes through the same
// pipeline as POST /faxes (FaxSubmitter: numbers read as the send form reads them, conversion
// limits, the queue), keyed by the Message-ID so a relay sending the same message again gets the
// first faxes. The sender is mailed the result (faxes.mail_from).
//
// Refused with a 5xx the relay bounces to the sender, in words: an untrusted Authentication-
// Results verdict (SPF/DKIM/DMARC failed), no From or a sender no virtual fax lists (or several
// list equally), a switched-off company or brand, a virtual fax without a caller id,
// attachments none of which can be faxed, nothing to fax, a number that is none, a document that
// does not convert. Temporary trouble (store, disk) is a 4xx: the relay retries.
//
// Threads: deliver() blocks (store, conversion) and runs on the worker pool.
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/mail_in/mail_reader.hpp"
#include "faxd/mail_in/smtp_server.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/tenancy.hpp"
#include "faxd/store/virtual_fax_repo.hpp"

namespace faxd::mail_in {

// One mailed fax request, for the submission pipeline.
struct MailFax {
  store::VirtualFax vfax;
  std::vector<std::string> to;               // numbers as written before the '@', in order
  std::vector<MailDocument> documents;       // PDF and TIFF, in order
  std::string text;                          // drawn as the pages when there are no documents
  std::optional<std::string> cover_subject;  // set when the virtual fax asks for a cover page
  std::string idempotency_key;               // "mail:<Message-ID>" (or a digest of the mail)
  std::string mail_from;                     // the sender's address; gets the result mail
  std::string message_id;                    // "" when the mail had none (or a malformed one)
};

// The pipeline POST /faxes uses, for a mail. Errors: invalid_argument with field "to" (the
// message names the number), "file" (names the document) or "sender" (the company or brand is
// switched off, or the virtual fax has no caller id), too_large, io (storage); anything else is
// temporary.
class FaxSubmitter {
 public:
  virtual ~FaxSubmitter() = default;
  virtual Result<std::vector<store::Fax>> submit(const MailFax& request) = 0;
};

struct FaxFromMailOptions {
  std::vector<std::string> authserv_ids;  // [mail_in] authserv_ids
};

class FaxFromMail final : public MailHandler {
 public:
  FaxFromMail(store::VirtualFaxRepo& vfaxes, FaxSubmitter& submitter,
              FaxFromMailOptions options = {});
  SmtpReply deliver(const ReceivedMail& mail) override;

 private:
  store::VirtualFaxRepo& vfaxes_;
  FaxSubmitter& submitter_;
  FaxFromMailOptions options_;
};

// A Message-ID fit to be answered (In-Reply-To) and to key a fax: no spaces, brackets or
// control characters, one '@', at most 250 characters.
bool usable_message_id(std::string_view id);

}  // namespace faxd::mail_in
