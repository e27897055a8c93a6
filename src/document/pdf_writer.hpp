#pragma once
// A minimal PDF 1.4 writer for fax pages (internal): one CCITT-coded image per page, filling a
// page of the image's physical size. Pages are kept in memory (coded pages are small).
#include <string>
#include <vector>

#include "faxd/common/error.hpp"

namespace faxd::document {

struct CcittImage {
  int width = 0;       // pixels
  int height = 0;      // lines
  double x_dpi = 204;  // gives the page its physical size
  double y_dpi = 196;
  int k = -1;           // /K: -1 G4 (T.6), 0 MH, >0 MR
  bool invert = false;  // coded black shows as white (a min-is-black TIFF)
  std::string data;     // the coded bytes, MSB first
};

class PdfWriter {
 public:
  void add_page(CcittImage image) { pages_.push_back(std::move(image)); }
  std::size_t page_count() const { return pages_.size(); }
  // The whole file.
  std::string render() const;
  Result<void> write(const std::string& path) const;

 private:
  std::vector<CcittImage> pages_;
};

}  // namespace faxd::document
