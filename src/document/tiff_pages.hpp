#pragma once
// Reading TIFF pages (internal): geometry of the current directory, decoding it to a bitmap or
// to grey, and fitting a grey page onto a fax canvas. Works on any TIFF libtiff reads: fax
// TIFFs from spandsp (MH/MR/MMR, LSB- or MSB-first), scans (grey, RGB, palette, tiled).
#include <cstdint>

#include <tiffio.h>

#include "faxd/common/error.hpp"
#include "raster.hpp"

namespace faxd::document {

// Largest decoded image accepted (pixels); a bigger one is refused as too large.
inline constexpr std::uint64_t kMaxTiffPixels = 150'000'000;

struct TiffPageInfo {
  int width = 0;
  int height = 0;
  double x_dpi = 0;  // from the tags, or a guess when absent (fax width: 204x196, else 200)
  double y_dpi = 0;
  std::uint16_t compression = COMPRESSION_NONE;
  std::uint16_t bits_per_sample = 1;
  std::uint16_t samples_per_pixel = 1;
  std::uint16_t photometric = PHOTOMETRIC_MINISWHITE;
  std::uint16_t fill_order = FILLORDER_MSB2LSB;
  std::uint32_t strips = 0;
  bool tiled = false;

  bool bilevel() const { return bits_per_sample == 1 && samples_per_pixel == 1; }
};

// Geometry of the current directory; `page` (1-based) names it in messages.
Result<TiffPageInfo> read_page_info(TIFF* tif, int page);

// The current directory as a bitmap, 1 = black. Needs info.bilevel().
Result<Bitmap> read_bitmap(TIFF* tif, const TiffPageInfo& info, int page);

// The current directory as grey (0 black .. 255 white), whatever its colour model.
Result<GreyImage> read_grey(TIFF* tif, const TiffPageInfo& info, int page);

// Resamples to `width` x `height`: box average when reducing, nearest when enlarging.
GreyImage resize_box(const GreyImage& src, int width, int height);

// Lays a grey page of the given resolution out on a 1728 px fax canvas at `line_dpi`
// (layout_page's rules), averaging when reducing.
GreyImage fit_to_fax(const GreyImage& src, double x_dpi, double y_dpi, double line_dpi);

}  // namespace faxd::document
