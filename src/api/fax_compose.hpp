#pragma once
// What a sent fax is made of besides the upload: the cover page (jobs/fax_cover.hpp, which
// email-to-fax draws with too, given the submission's cover fields) and the page header line.
// Shared by POST /faxes (which stores the result) and the preview (which shows it).
// Threads: blocking (store reads, drawing); HTTP workers.
#include <optional>
#include <string>

#include "fax_submission.hpp"
#include "faxd/api/faxes.hpp"
#include "faxd/document/render.hpp"
#include "faxd/jobs/fax_cover.hpp"
#include "faxd/jobs/page_header.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::api {

using CoverContext = jobs::CoverContext;

// jobs::cover_context with the submission's cover fields, dated send_at or now.
Result<CoverContext> cover_context(FaxApiDeps& d, const store::VirtualFax& vf,
                                   const std::string& from_number, const Submission& s,
                                   const std::string& doc_tiff, document::Quality quality);

// jobs::write_with_cover in this API's spool.
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
