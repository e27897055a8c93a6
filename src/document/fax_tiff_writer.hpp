#pragma once
// Writes a TIFF Class F file page by page from already G4-coded pages (internal).
// The file is removed again unless finish() succeeds. One thread at a time.
#include <string>

#include "faxd/common/error.hpp"
#include "raster.hpp"
#include "tiff_handle.hpp"

namespace faxd::document {

class FaxTiffWriter {
 public:
  static Result<FaxTiffWriter> create(const std::string& path);
  FaxTiffWriter(FaxTiffWriter&&) noexcept = default;
  FaxTiffWriter& operator=(FaxTiffWriter&&) noexcept = default;
  ~FaxTiffWriter();

  // `index` is 0-based; `total` fills the PageNumber tag.
  Result<void> add_page(const EncodedPage& page, int index, int total);
  Result<void> finish();

 private:
  FaxTiffWriter() = default;
  std::string path_;
  TiffPtr tif_;
  bool done_ = false;
};

}  // namespace faxd::document
