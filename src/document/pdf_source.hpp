#pragma once
// A PDF opened with poppler, rendered page by page onto fax canvases (internal).
//
// Uses poppler's core API (PDFDoc + SplashOutputDev, Debian's libpoppler-private-dev) rather than
// poppler-cpp: one output device per source keeps its font and glyph caches across pages and
// renders into a reused 8-bit bitmap, where poppler-cpp starts a new device (and rasterizes every
// glyph again) for each page. That halves the CPU a text page costs (docs/benchmarks.md).
//
// A PdfSource is used by one thread; each rendering thread opens its own over the same shared
// bytes (opening only parses the cross-reference table). Poppler's messages are silenced
// process-wide; problems come back as faxd::Error. Rendering one page is abandoned after
// kPageDeadline.
#include <chrono>
#include <memory>
#include <string>

#include "faxd/common/error.hpp"
#include "raster.hpp"

class PDFDoc;
class SplashOutputDev;

namespace faxd::document {

inline constexpr std::chrono::seconds kPageDeadline{60};

struct PageSize {
  double width_in = 0;  // as displayed, after the page's own rotation
  double height_in = 0;
};

class PdfSource {
 public:
  // `bytes` is shared with the other threads' sources and kept alive by them.
  static Result<PdfSource> open(std::shared_ptr<const std::string> bytes);

  PdfSource(PdfSource&&) noexcept;
  PdfSource& operator=(PdfSource&&) noexcept;
  ~PdfSource();

  int page_count() const;
  Result<PageSize> page_size(int index) const;
  // The page laid out on a 1728 px fax canvas at `line_dpi` lines per inch, in `canvas`
  // (its buffer is reused from page to page: fresh megabytes cost page faults).
  Result<void> render(int index, double line_dpi, GreyImage& canvas);

 private:
  PdfSource();
  std::shared_ptr<const std::string> bytes_;
  std::unique_ptr<PDFDoc> doc_;
  std::unique_ptr<SplashOutputDev> device_;
};

}  // namespace faxd::document
