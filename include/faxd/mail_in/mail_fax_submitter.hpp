#pragma once
// The FaxSubmitter faxd runs: a mailed fax request becomes queued outbound faxes the way
// POST /faxes makes them. The documents are converted once (a cover page with the mail's subject
// first when asked, the mail's text drawn as pages when there is no document), then one fax per
// recipient shares nothing but the conversion: each gets its own copy in the spool, since the
// queue and the retention purge own a fax's document.
//
// The checks POST /faxes makes, with the same functions: the virtual fax's company and brand
// switched on and a caller id (store::SendingContext::refusal; refused with field "sender"), each
// number read as the send form reads it with the company's country (mail_number). Idempotency:
// the request's key plus the number, per virtual fax, so a relay that sends the same message
// again gets the first faxes. The cover page is the one POST /faxes draws (jobs/fax_cover.hpp:
// the company's cover template, dated in its time zone and language, on the document's paper).
//
// Threads: submit() blocks (conversion, store) and runs on the worker pool.
#include <functional>

#include "faxd/common/clock.hpp"
#include "faxd/document/document.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/mail_in/fax_from_mail.hpp"
#include "faxd/store/cover_template_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::mail_in {

struct MailFaxSubmitterDeps {
  const Clock& clock;
  store::FaxRepo& faxes;
  store::TenantRepo& tenants;
  store::CoverTemplateRepo& cover_templates;  // the company's cover page
  const jobs::Spool& spool;
  document::ConvertOptions convert;
  std::function<void()> wake_queue;  // any thread: faxes were queued
};

class MailFaxSubmitter final : public FaxSubmitter {
 public:
  explicit MailFaxSubmitter(MailFaxSubmitterDeps deps) : d_(std::move(deps)) {}
  Result<std::vector<store::Fax>> submit(const MailFax& request) override;

 private:
  MailFaxSubmitterDeps d_;
};

// A recipient's local part as E.164, read as the send form reads what people type
// (numbers::destination_e164 with the company's country: "910000002" of a company in ES,
// "+34910000002", "0034910000002"); else, digits that are no number of that country read with a
// '+' in front, the international form email-to-fax services take ("34910000002").
// Errors: invalid_argument, field "to", the message naming the local part and what is wrong.
Result<std::string> mail_number(std::string_view local_part, std::string_view company_country);

}  // namespace faxd::mail_in
