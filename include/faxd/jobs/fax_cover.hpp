#pragma once
// The cover page of a sent fax, drawn the same way whoever sends it (POST /faxes, its preview,
// email-to-fax): the company's cover template (logo, title, name, details, footer) around the
// fax's own cover fields, dated in the company's time zone and language, on the paper of the
// document it goes before. One cover per recipient, since it names the number.
// Threads: blocking (store reads, drawing, files); any thread.
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/document/document.hpp"
#include "faxd/document/render.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/store/cover_template_repo.hpp"
#include "faxd/store/tenancy.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::jobs {

// The fax's own cover fields (POST /faxes' cover_to, cover_subject, cover_note; a mail's subject).
struct CoverFields {
  std::string to_name;
  std::string subject;
  std::string note;
};

// Everything the cover needs but the recipient's number, read once per submission.
struct CoverContext {
  document::CoverPage page;  // to_number and pages filled per recipient
  document::Quality quality = document::Quality::fine;
  document::Paper paper = document::Paper::a4;
};

// Reads the company of `vf` and its cover template (none = the defaults: the company's name,
// title "FAX") around `fields`; the date is `when` in the company's zone and language.
// `doc_tiff` (the converted document) decides the paper: Letter when its first page is.
Result<CoverContext> cover_context(store::TenantRepo& tenants, store::CoverTemplateRepo& templates,
                                   const store::VirtualFax& vf, const std::string& from_number,
                                   const CoverFields& fields, SysTime when,
                                   const std::string& doc_tiff, document::Quality quality);

// Writes the cover for `to_number` then the document's `doc_pages` pages to `out_tiff` (the
// cover is drawn to a temporary file of `spool`, removed after). Errors: invalid_argument for a
// template the cover cannot be drawn from (a bad logo), io, internal.
Result<document::FaxDocumentInfo> write_with_cover(const Spool& spool, SysTime now,
                                                   CoverContext& cover,
                                                   const std::string& to_number, int doc_pages,
                                                   const std::string& doc_tiff,
                                                   const std::string& out_tiff);

}  // namespace faxd::jobs
