#pragma once
// The document pipeline: uploads (PDF or TIFF) to fax TIFF-F for sending, received fax TIFFs to
// PDF for people, PNG thumbnails, and the checks an upload must pass first.
//
// Output TIFF-F: one bilevel page per IFD, exactly 1728 px wide, CCITT T.6 (G4), FillOrder 1,
// min-is-white, 204 x 196 dpi (fine) or 204 x 98 dpi (standard), one strip a page. spandsp 0.0.6
// sends from it directly. Pages are rendered grey by poppler, near-white backgrounds are whitened,
// text is thresholded and only picture regions are dithered: every coded byte is line time.
//
// Errors: Errc::invalid_argument (not a PDF/TIFF, damaged, no pages), Errc::unsupported (encrypted,
// a TIFF that is not a page image), Errc::too_large (bytes, pages, page size), Errc::timeout,
// Errc::io (cannot write the output). Messages name the problem in words a user understands; the
// API answers 422 with them.
//
// Threads: every function is blocking (file I/O, rendering) and may run on any worker thread;
// they share no state. convert_to_fax_tiff renders pages on its own small pool
// (ConvertOptions::threads) and, with ConvertOptions::isolate, does all parsing of untrusted input
// in a converter process of its own (faxd-render, beside the binary; fork + exec) bounded in time
// and memory, so hostile files cannot crash or hang the daemon.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "faxd/common/error.hpp"

namespace faxd::document {

enum class Quality { standard, fine };  // 204x98 or 204x196 dpi

// "standard" | "fine"; anything else is invalid_argument.
Result<Quality> parse_quality(std::string_view text);
std::string_view to_string(Quality quality) noexcept;

// Limits applied to every upload before and during conversion.
struct ConvertOptions {
  int max_pages = 200;                         // over all inputs together
  std::uint64_t max_bytes = 64ull << 20;       // per input file
  double max_page_inches = 100.0;              // longest side of a page
  std::chrono::milliseconds timeout{120'000};  // whole conversion (isolate only)
  std::uint64_t max_memory = 2ull << 30;       // address space of the child (isolate only)
  int threads = 2;      // page rendering pool; 1 when another task is runnable (no free core)
  bool isolate = true;  // parse untrusted input in the converter process (faxd-render)
  // Rendering budget of one page (isolate only): the child is killed when no page was finished
  // for this long (loading the inputs counts towards the first page). Zero: no page budget.
  std::chrono::milliseconds page_timeout{20'000};
  // Polled while the child works (isolate only): true = nobody waits for the result any more
  // (the client went away, the daemon stops); the child is killed and Errc::timeout returned.
  std::function<bool()> cancelled;
  // Called after each page is rendered, on the rendering thread (set by the isolation layer).
  std::function<void()> on_page;
};

struct PageInfo {
  int width = 0;                  // pixels (1728 for our TIFF-F output)
  int height = 0;                 // lines
  double x_dpi = 0;               // 204 for our output
  double y_dpi = 0;               // 98, 196, ...
  std::uint64_t coded_bytes = 0;  // size of the page's coded (G4/G3) data
};

struct FaxDocumentInfo {
  int pages = 0;
  std::vector<PageInfo> page_info;
  std::uint64_t coded_bytes = 0;  // sum over pages
};

// Line time of coded data at 14400 bit/s (V.17), the cost a user waits for; seconds.
double line_seconds(std::uint64_t coded_bytes) noexcept;
inline double line_seconds(const PageInfo& page) noexcept {
  return line_seconds(page.coded_bytes);
}

// What an input file is, checked by content (not by name).
enum class InputKind { pdf, tiff };

// The converter program isolated conversions run (faxd-render beside this binary), or
// Errc::internal "cannot start the document converter" when it is missing: every isolated
// conversion then fails with that error. The daemon checks it at start.
Result<std::string> converter_path();

// Checks one upload without rendering it: type by content, byte size, truncation, encryption,
// page count, page dimensions. Returns the number of pages.
Result<int> inspect_input(const std::string& path, const ConvertOptions& options = {});

// Renders the inputs (PDF or TIFF, joined in order) into one TIFF-F at `out_tiff`. On failure
// `out_tiff` is not left behind.
Result<FaxDocumentInfo> convert_to_fax_tiff(const std::vector<std::string>& inputs,
                                            const std::string& out_tiff, Quality quality,
                                            const ConvertOptions& options = {});

// Describes a fax TIFF (ours or one spandsp received): page geometry and coded sizes.
Result<FaxDocumentInfo> read_fax_tiff_info(const std::string& tiff);
Result<int> tiff_page_count(const std::string& tiff);

// A fax TIFF (MH, MR or MMR; any fax resolution) to PDF. Each page keeps its physical shape
// (a 204x98 page is not squashed); G4 data goes in unchanged, G3 is re-encoded to G4.
Result<void> fax_tiff_to_pdf(const std::string& in_tiff, const std::string& out_pdf);

// PNG (8-bit grey) of page `page_index` (0-based), at most `max_width` pixels wide, with the
// page's physical aspect ratio. Returns the PNG bytes.
Result<std::string> thumbnail_png(const std::string& tiff, int page_index, int max_width);

}  // namespace faxd::document
