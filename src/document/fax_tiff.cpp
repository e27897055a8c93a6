// Fax TIFFs out: description, PDF, thumbnails. These read TIFFs faxd wrote itself (converted
// uploads, pages spandsp received), so they run in-process.
#include <fmt/format.h>
#include <cmath>

#include "faxd/document/document.hpp"
#include "g4_codec.hpp"
#include "pdf_writer.hpp"
#include "png_encoder.hpp"
#include "tiff_handle.hpp"
#include "tiff_pages.hpp"

namespace faxd::document {

namespace {

std::uint64_t coded_size(TIFF* tif, const TiffPageInfo& info) {
  std::uint64_t* counts = nullptr;
  if (info.tiled || !TIFFGetField(tif, TIFFTAG_STRIPBYTECOUNTS, &counts) || !counts) return 0;
  std::uint64_t sum = 0;
  for (std::uint32_t i = 0; i < info.strips; ++i) sum += counts[i];
  return sum;
}

// The page as a CCITT image: G4 in one strip is copied (bit-reversed if stored LSB first);
// everything else is decoded and coded G4 again.
Result<CcittImage> page_image(TIFF* tif, const TiffPageInfo& info, int page) {
  if (!info.bilevel())
    return fail(Errc::unsupported,
                fmt::format("page {} of the TIFF is not black and white: not a fax", page));
  CcittImage img;
  img.width = info.width;
  img.height = info.height;
  img.x_dpi = info.x_dpi;
  img.y_dpi = info.y_dpi;
  if (info.compression == COMPRESSION_CCITTFAX4 && info.strips == 1 && !info.tiled) {
    tmsize_t size = TIFFRawStripSize(tif, 0);
    if (size > 0 && size < tmsize_t(256) << 20) {
      img.data.resize(std::size_t(size));
      if (TIFFReadRawStrip(tif, 0, img.data.data(), size) == size) {
        if (info.fill_order == FILLORDER_LSB2MSB)
          TIFFReverseBits(reinterpret_cast<std::uint8_t*>(img.data.data()), size);
        img.invert = info.photometric == PHOTOMETRIC_MINISBLACK;
        return img;
      }
    }
  }
  auto bm = read_bitmap(tif, info, page);
  if (!bm) return std::unexpected(bm.error());
  auto g4 = encode_g4(*bm);
  if (!g4) return std::unexpected(g4.error());
  img.data = std::move(*g4);
  return img;
}

}  // namespace

Result<int> tiff_page_count(const std::string& tiff) {
  auto tif = open_tiff(tiff, "r");
  if (!tif) return std::unexpected(tif.error());
  return int(TIFFNumberOfDirectories(tif->get()));
}

Result<FaxDocumentInfo> read_fax_tiff_info(const std::string& tiff) {
  auto tif = open_tiff(tiff, "r");
  if (!tif) return std::unexpected(tif.error());
  FaxDocumentInfo out;
  int page = 0;
  do {
    ++page;
    auto info = read_page_info(tif->get(), page);
    if (!info) return std::unexpected(info.error());
    PageInfo p{info->width, info->height, info->x_dpi, info->y_dpi, coded_size(tif->get(), *info)};
    out.coded_bytes += p.coded_bytes;
    out.page_info.push_back(p);
  } while (TIFFReadDirectory(tif->get()));
  out.pages = page;
  return out;
}

Result<void> fax_tiff_to_pdf(const std::string& in_tiff, const std::string& out_pdf) {
  auto tif = open_tiff(in_tiff, "r");
  if (!tif) return std::unexpected(tif.error());
  PdfWriter pdf;
  int page = 0;
  do {
    ++page;
    auto info = read_page_info(tif->get(), page);
    if (!info) return std::unexpected(info.error());
    auto img = page_image(tif->get(), *info, page);
    if (!img) return std::unexpected(img.error());
    pdf.add_page(std::move(*img));
  } while (TIFFReadDirectory(tif->get()));
  return pdf.write(out_pdf);
}

Result<std::string> thumbnail_png(const std::string& tiff, int page_index, int max_width) {
  if (max_width < 1) return fail(Errc::invalid_argument, "thumbnail width must be positive");
  auto tif = open_tiff(tiff, "r");
  if (!tif) return std::unexpected(tif.error());
  if (page_index < 0 || !TIFFSetDirectory(tif->get(), tdir_t(page_index)))
    return fail(Errc::not_found, fmt::format("the fax has no page {}", page_index + 1));
  auto info = read_page_info(tif->get(), page_index + 1);
  if (!info) return std::unexpected(info.error());
  auto grey = read_grey(tif->get(), *info, page_index + 1);
  if (!grey) return std::unexpected(grey.error());
  // Height in the units of the width, so a 204x98 page keeps its real shape.
  double physical_height = info->height * info->x_dpi / info->y_dpi;
  int w = std::min(max_width, info->width);
  int h = std::max(1, int(std::lround(physical_height * w / info->width)));
  return encode_png(resize_box(*grey, w, h));
}

}  // namespace faxd::document
