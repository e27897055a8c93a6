#pragma once
// GET /api/v1/faxes/{id}/report: the delivery confirmation report of an outbound fax as PDF
// (document::render_delivery_report), and the download names of a fax's files, made like the
// fax-to-email attachment's: fax-YYYYMMDD-HHMMSS-NUMBER.pdf in the company's time zone, NUMBER
// being the other party (the sender of a received fax, the recipient of a sent one).
// Threads: blocking; HTTP workers.
#include <string>

#include "faxd/api/faxes.hpp"

namespace faxd::api {

// `suffix` goes before the extension ("" or "-report"); `ext` "pdf" or "tiff".
std::string fax_download_name(FaxApiDeps& d, const store::Fax& fax, std::string_view suffix,
                              std::string_view ext);

http::Response fax_report(FaxApiDeps& d, const store::Fax& fax);

}  // namespace faxd::api
