#pragma once
// Owning libtiff handles (internal). libtiff's warnings and errors are silenced process-wide on
// first use: they are reported to callers as faxd::Error instead.
#include <memory>
#include <string>

#include <tiffio.h>

#include "faxd/common/error.hpp"

namespace faxd::document {

struct TiffCloser {
  void operator()(TIFF* tif) const noexcept { TIFFClose(tif); }
};
using TiffPtr = std::unique_ptr<TIFF, TiffCloser>;

// Opens a file; mode as TIFFOpen ("r", "w").
Result<TiffPtr> open_tiff(const std::string& path, const char* mode);

// A TIFF held in memory: write with `tif()` then take the bytes with `release()`; or read
// from bytes given to the constructor. The buffer outlives the TIFF handle.
class MemoryTiff {
 public:
  MemoryTiff();                            // empty, for writing
  explicit MemoryTiff(std::string bytes);  // for reading
  MemoryTiff(const MemoryTiff&) = delete;
  MemoryTiff& operator=(const MemoryTiff&) = delete;
  ~MemoryTiff();

  TIFF* tif() const { return tif_.get(); }
  bool ok() const { return tif_ != nullptr; }
  // Closes the TIFF (flushing it) and returns the file bytes.
  std::string release();

 private:
  friend struct MemoryTiffIo;
  std::string bytes_;
  std::size_t pos_ = 0;
  TiffPtr tif_;
};

void silence_libtiff() noexcept;

}  // namespace faxd::document
