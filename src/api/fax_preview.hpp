#pragma once
// POST /api/v1/faxes/preview: what a fax would look like before it is sent. The same multipart
// fields as POST /faxes (file parts, quality; the others are ignored), the same upload limits and
// the same isolated conversion; answers the page count, an estimate of the time on the line and a
// small PNG thumbnail of each of the first pages as data: URLs. Nothing is stored: the converted
// TIFF is a temporary file removed before the answer, so a preview is never a fax and holds no
// memory after the request.
// Threads: the handler checks the request on the HTTP worker pool and hands the conversion to
// the conversion lane (fax_upload.hpp), like POST /faxes.
#include <cstdint>

#include "faxd/api/faxes.hpp"
#include "faxd/document/document.hpp"

namespace faxd::api {

// Estimated seconds on the line over T.38 at 14400 bit/s with ECM, from the call being answered
// to the last confirmation (dialing and ringing not counted):
//   kCallSetupSeconds + sum over pages of (coded_bytes * 8 / 14400 * kEcmFraming + kPerPageSeconds)
// Calibrated against bench/fax_session_bench --line-time (two spandsp sessions back to back on
// simulated, paced time): letter10.pdf, 1, 3 and 10 pages, fine and standard; the formula is
// within 1 s of each.
inline constexpr double kCallSetupSeconds = 14.5;  // CNG/CED, DIS/DCS, TCF, CFR, final DCN
inline constexpr double kPerPageSeconds = 2.3;     // V.17 training, PPS/MCF after each page
inline constexpr double kEcmFraming = 1.1;  // HDLC frame headers, FCS and flags around ECM data
double estimate_line_seconds(const document::FaxDocumentInfo& info) noexcept;

// At most this many thumbnails (the first pages) are returned, each at most this wide.
inline constexpr int kPreviewThumbnails = 20;
inline constexpr int kPreviewThumbnailWidth = 200;

void add_fax_preview_routes(http::Router& router, const Api& api, FaxApiDeps& deps);

}  // namespace faxd::api
