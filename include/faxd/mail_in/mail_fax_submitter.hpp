#pragma once
// The FaxSubmitter faxd runs: a mailed fax request becomes queued outbound faxes the way
// POST /faxes makes them. The documents are converted once (a cover page with the mail's subject
// first when asked, the mail's text drawn as pages when there is no document), then one fax per
// recipient shares nothing but the conversion: each gets its own copy in the spool, since the
// queue and the retention purge own a fax's document.
//
// Numbers: international, with the country code, as email-to-fax services take them:
// "34910000001", "+34910000001" or "0034910000001" (with '.', '-' or spaces between digits) is
// +34910000001; a national number ("0910000002") is refused naming it. Idempotency: the request's
// key plus the number, per virtual fax, so a relay that sends the same message again gets the first
// faxes.
//
// Threads: submit() blocks (conversion, store) and runs on the worker pool.
#include <functional>

#include "faxd/common/clock.hpp"
#include "faxd/document/document.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/mail_in/fax_from_mail.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::mail_in {

struct MailFaxSubmitterDeps {
  const Clock& clock;
  store::FaxRepo& faxes;
  store::DdiRepo& ddis;
  store::TenantRepo& tenants;
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

// A recipient's local part as E.164 ("+34910000001"); nullopt when it is no international number.
std::optional<std::string> mail_number(std::string_view local_part);

}  // namespace faxd::mail_in
