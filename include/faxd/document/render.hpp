#pragma once
// Pages faxd draws itself with a real text stack (cairo + pango + fontconfig, so any script and
// accents come out right): a text body laid out over pages, a cover page, and the page header
// line stamped on every page when it is sent.
//
// Output is fax resolution and bilevel: 1728 px wide at 204 dpi, 196 (fine) or 98 (standard)
// lines an inch, the same geometry as convert_to_fax_tiff's TIFF-F, so drawn pages can be
// written with write_fax_tiff and joined with converted documents (join_fax_tiffs) or given to
// convert_to_fax_tiff as one more input.
//
// Text is UTF-8; invalid bytes are replaced, never trusted. Strings are drawn as given: callers
// format dates in the company's time zone and language first (common/local_time.hpp).
//
// Threads: every function is blocking and may run on any thread; pango's font map is per thread.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/document/document.hpp"

namespace faxd::document {

enum class Paper { a4, letter };
// Letter for the countries that use it (US, CA, MX, ...; ISO 3166 alpha-2), else A4.
Paper paper_for_country(std::string_view country) noexcept;

// One bilevel page: 1 = black, MSB first, rows padded to whole bytes (stride = (width+7)/8).
struct BilevelPage {
  int width = 0;
  int height = 0;
  int stride = 0;
  double x_dpi = 204;
  double y_dpi = 196;
  std::vector<std::uint8_t> bits;

  bool black(int x, int y) const {
    return (bits[std::size_t(y) * std::size_t(stride) + std::size_t(x >> 3)] >> (7 - (x & 7))) & 1;
  }
};

struct TextPageOptions {
  Quality quality = Quality::fine;
  Paper paper = Paper::a4;
  double font_size = 11;             // points
  std::string font = "DejaVu Sans";  // a fontconfig family; falls back like any pango text
  std::string title;                 // drawn bold above the text of the first page; "" = none
  int max_pages = 50;                // more text than this is too_large
};

// Lays a text out over as many pages as it needs (20 mm margins, wrapped at words, blank lines
// kept). Empty text gives one blank page (with the title if any).
Result<std::vector<BilevelPage>> render_text_pages(std::string_view text,
                                                   const TextPageOptions& options = {});

// A cover page: the company's template (logo, name, details, footer) and this fax's fields.
// Empty fields are left out, with their label.
struct CoverPage {
  std::string language = "en";  // labels: "es..." Spanish, anything else English
  std::string logo_png;         // PNG bytes; "" = none (a bad PNG is invalid_argument)
  std::string title;            // "" = "FAX"
  std::string company_name;
  std::string company_details;  // address, phone: free lines
  std::string from_name;        // the virtual fax
  std::string from_number;
  std::string to_name;  // cover_to
  std::string to_number;
  std::string subject;  // cover_subject
  std::string note;     // cover_note (multi-line)
  std::string date;     // formatted by the caller
  int pages = 0;        // pages of the fax including the cover; 0 = not shown
  std::string footer;   // a confidentiality notice, say
};

Result<BilevelPage> render_cover_page(const CoverPage& cover, Quality quality,
                                      Paper paper = Paper::a4);

// Writes pages as TIFF-F (G4, one strip a page). On failure `path` is not left behind.
Result<FaxDocumentInfo> write_fax_tiff(const std::vector<BilevelPage>& pages,
                                       const std::string& path);

// Joins fax TIFFs faxd wrote (converted uploads, drawn pages) into one at `out_tiff`, in order;
// G4 data is copied unchanged. On failure `out_tiff` is not left behind.
Result<FaxDocumentInfo> join_fax_tiffs(const std::vector<std::string>& inputs,
                                       const std::string& out_tiff);

// The header line of one page: `left` from the left margin, `right` flush right.
struct HeaderLine {
  std::string left;
  std::string right;
};
using HeaderFor = std::function<HeaderLine(int page, int pages)>;  // page is 1-based

// Height of the header band in lines at `y_dpi` (what stamp_page_headers overwrites).
int header_band_lines(double y_dpi) noexcept;

// A copy of `in_tiff` (a fax TIFF) at `out_tiff` with the header line drawn over the top band of
// every page (the band is whitened first, as fax machines print their TTI line in the margin).
Result<FaxDocumentInfo> stamp_page_headers(const std::string& in_tiff, const std::string& out_tiff,
                                           const HeaderFor& header);

// The same on one page in memory (for previews and tests).
Result<void> stamp_page_header(BilevelPage& page, const HeaderLine& header);

// A delivery confirmation report (the proof of sending offices file) as a one-page A4 PDF: the
// fields below in a table and a reduced image of the fax's first page. Strings are drawn as
// given (formatted by the caller); labels follow `language`.
struct DeliveryReport {
  std::string language = "en";
  std::string company_name;
  std::string fax_id;
  std::string from_name;  // the virtual fax
  std::string from_number;
  std::string to_number;
  std::string submitted;  // when it was sent in
  std::string date;       // when the call ended
  std::string pages;      // "3 / 3"
  std::string result;     // "Delivered", "Failed: busy (...)"
  bool ok = false;
  std::string duration;  // of the successful (or last) call
  std::string remote_station_id;
  std::string connection;       // "T.38, 14400 bit/s, ECM"
  std::string first_page_tiff;  // "" = no image
};
Result<std::string> render_delivery_report(const DeliveryReport& report);

// Reads page `page_index` (0-based) of a fax TIFF as a bilevel page.
Result<BilevelPage> read_fax_page(const std::string& tiff, int page_index);

}  // namespace faxd::document
