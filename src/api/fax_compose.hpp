#pragma once
// What a sent fax is made of besides the upload: the cover page (the company's template around
// the submission's cover fields, one per recipient since it names the number) and the page
// header line. Shared by POST /faxes (which stores the result) and the preview (which shows it).
// Threads: blocking (store reads, drawing); HTTP workers.
#include <optional>
#include <string>

#include "fax_submission.hpp"
#include "faxd/api/faxes.hpp"
#include "faxd/document/render.hpp"
#include "faxd/jobs/page_header.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::api {

// Everything the cover needs but the recipient's number, read once per submission.
struct CoverContext {
  document::CoverPage page;  // to_number and pages filled per recipient
  document::Quality quality = document::Quality::fine;
  document::Paper paper = document::Paper::a4;
};

// The company's template, names and date (send_at or now, in the company's zone and language).
// `doc_tiff` (the converted upload) decides the paper: Letter when its first page is.
Result<CoverContext> cover_context(FaxApiDeps& d, const store::VirtualFax& vf,
                                   const std::string& from_number, const Submission& s,
                                   const std::string& doc_tiff, document::Quality quality);

// Writes the cover for `to_number` then the document's pages to `out_tiff`.
Result<document::FaxDocumentInfo> write_with_cover(const FaxApiDeps& d, CoverContext& cover,
                                                   const std::string& to_number, int doc_pages,
                                                   const std::string& doc_tiff,
                                                   const std::string& out_tiff);

// The header line context of a fax from `vf` (the submission's header, else the virtual fax's).
jobs::HeaderContext header_context(FaxApiDeps& d, const store::VirtualFax& vf,
                                   const std::string& from_number, const Submission& s);

// May this caller send from this virtual fax (api.md scope)?
bool may_use_virtual_fax(const store::VirtualFax& v, const store::FaxScope& scope);

}  // namespace faxd::api
