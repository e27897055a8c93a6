// The page header line (TTI): drawn with pango over the top band of each page as it is sent,
// because spandsp's built-in header font knows only ASCII.
#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "canvas.hpp"
#include "fax_tiff_writer.hpp"
#include "faxd/document/render.hpp"
#include "g4_codec.hpp"
#include "raster.hpp"
#include "tiff_handle.hpp"
#include "tiff_pages.hpp"

namespace faxd::document {

namespace {

constexpr double kHeaderFontPt = 10.0;
constexpr double kSideMarginPt = 0.25 * 72.0;

Bitmap to_bitmap(BilevelPage&& page) {
  Bitmap bm;
  bm.width = page.width;
  bm.height = page.height;
  bm.stride = page.stride;
  bm.bits = std::move(page.bits);
  return bm;
}

BilevelPage from_bitmap(Bitmap&& bm, double x_dpi, double y_dpi) {
  BilevelPage page;
  page.width = bm.width;
  page.height = bm.height;
  page.stride = bm.stride;
  page.x_dpi = x_dpi;
  page.y_dpi = y_dpi;
  page.bits = std::move(bm.bits);
  return page;
}

}  // namespace

int header_band_lines(double y_dpi) noexcept {
  return std::max(8, int(std::lround(0.25 * y_dpi)));
}

Result<void> stamp_page_header(BilevelPage& page, const HeaderLine& header) {
  if (page.width <= 0 || page.height <= 0 || page.y_dpi <= 0 || page.x_dpi <= 0)
    return fail(Errc::invalid_argument, "not a page");
  const int band = std::min(page.height, header_band_lines(page.y_dpi));
  Canvas canvas(page.width, band, page.x_dpi, page.y_dpi);
  if (!canvas.ok()) return fail(Errc::internal, "cannot draw the page header");
  const auto font = make_font("DejaVu Sans", kHeaderFontPt, true);
  const double top = 0.035 * 72.0;
  const double width = canvas.width_pt() - 2 * kSideMarginPt;
  double right_width = 0;
  if (!header.right.empty()) {
    auto r = canvas.layout(header.right, font.get(), -1);
    int w = 0, h = 0;
    pango_layout_get_size(r.get(), &w, &h);
    right_width = double(w) / PANGO_SCALE;
    canvas.draw(r.get(), kSideMarginPt + width - right_width, top);
  }
  if (!header.left.empty()) {
    auto l = canvas.layout(header.left, font.get(), std::max(10.0, width - right_width - 12));
    pango_layout_set_ellipsize(l.get(), PANGO_ELLIPSIZE_END);  // one line, whatever its length
    canvas.draw(l.get(), kSideMarginPt, top);
  }
  const auto drawn = canvas.to_bilevel();
  std::memcpy(page.bits.data(), drawn.bits.data(), std::size_t(page.stride) * std::size_t(band));
  return {};
}

Result<BilevelPage> read_fax_page(const std::string& tiff, int page_index) {
  auto tif = open_tiff(tiff, "r");
  if (!tif) return std::unexpected(tif.error());
  if (page_index < 0 || !TIFFSetDirectory(tif->get(), tdir_t(page_index)))
    return fail(Errc::not_found, fmt::format("the fax has no page {}", page_index + 1));
  auto info = read_page_info(tif->get(), page_index + 1);
  if (!info) return std::unexpected(info.error());
  if (!info->bilevel())
    return fail(Errc::unsupported, fmt::format("page {} is not black and white", page_index + 1));
  auto bm = read_bitmap(tif->get(), *info, page_index + 1);
  if (!bm) return std::unexpected(bm.error());
  return from_bitmap(std::move(*bm), info->x_dpi, info->y_dpi);
}

Result<FaxDocumentInfo> stamp_page_headers(const std::string& in_tiff, const std::string& out_tiff,
                                           const HeaderFor& header) {
  auto tif = open_tiff(in_tiff, "r");
  if (!tif) return std::unexpected(tif.error());
  const int pages = int(TIFFNumberOfDirectories(tif->get()));
  auto writer = FaxTiffWriter::create(out_tiff);
  if (!writer) return std::unexpected(writer.error());
  FaxDocumentInfo out;
  for (int page = 1; page <= pages; ++page) {
    if (!TIFFSetDirectory(tif->get(), tdir_t(page - 1)))
      return fail(Errc::invalid_argument, fmt::format("cannot read page {}", page));
    auto info = read_page_info(tif->get(), page);
    if (!info) return std::unexpected(info.error());
    if (!info->bilevel())
      return fail(Errc::unsupported, fmt::format("page {} is not black and white", page));
    auto bm = read_bitmap(tif->get(), *info, page);
    if (!bm) return std::unexpected(bm.error());
    auto bilevel = from_bitmap(std::move(*bm), info->x_dpi, info->y_dpi);
    if (auto r = stamp_page_header(bilevel, header(page, pages)); !r)
      return std::unexpected(r.error());
    auto g4 = encode_g4(to_bitmap(std::move(bilevel)));
    if (!g4) return std::unexpected(g4.error());
    EncodedPage encoded{info->width, info->height, info->x_dpi, info->y_dpi, std::move(*g4)};
    out.coded_bytes += encoded.g4.size();
    out.page_info.push_back(
        {encoded.width, encoded.height, encoded.x_dpi, encoded.y_dpi, encoded.g4.size()});
    if (auto r = writer->add_page(encoded, page - 1, pages); !r) return std::unexpected(r.error());
  }
  if (auto r = writer->finish(); !r) return std::unexpected(r.error());
  out.pages = pages;
  return out;
}

Result<FaxDocumentInfo> write_fax_tiff(const std::vector<BilevelPage>& pages,
                                       const std::string& path) {
  if (pages.empty()) return fail(Errc::invalid_argument, "no pages to write");
  auto writer = FaxTiffWriter::create(path);
  if (!writer) return std::unexpected(writer.error());
  FaxDocumentInfo out;
  const int total = int(pages.size());
  for (int i = 0; i < total; ++i) {
    const auto& p = pages[std::size_t(i)];
    Bitmap bm;
    bm.width = p.width;
    bm.height = p.height;
    bm.stride = p.stride;
    bm.bits = p.bits;
    auto g4 = encode_g4(bm);
    if (!g4) return std::unexpected(g4.error());
    EncodedPage encoded{p.width, p.height, p.x_dpi, p.y_dpi, std::move(*g4)};
    out.coded_bytes += encoded.g4.size();
    out.page_info.push_back({p.width, p.height, p.x_dpi, p.y_dpi, encoded.g4.size()});
    if (auto r = writer->add_page(encoded, i, total); !r) return std::unexpected(r.error());
  }
  if (auto r = writer->finish(); !r) return std::unexpected(r.error());
  out.pages = total;
  return out;
}

Result<FaxDocumentInfo> join_fax_tiffs(const std::vector<std::string>& inputs,
                                       const std::string& out_tiff) {
  int total = 0;
  for (const auto& in : inputs) {
    auto n = tiff_page_count(in);
    if (!n) return std::unexpected(n.error());
    total += *n;
  }
  if (total == 0) return fail(Errc::invalid_argument, "no pages to join");
  auto writer = FaxTiffWriter::create(out_tiff);
  if (!writer) return std::unexpected(writer.error());
  FaxDocumentInfo out;
  int index = 0;
  for (const auto& in : inputs) {
    auto tif = open_tiff(in, "r");
    if (!tif) return std::unexpected(tif.error());
    int page = 0;
    do {
      ++page;
      auto info = read_page_info(tif->get(), page);
      if (!info) return std::unexpected(info.error());
      EncodedPage encoded{info->width, info->height, info->x_dpi, info->y_dpi, {}};
      // Our own TIFF-F: one G4 strip, MSB first, copied as is; anything else coded again.
      if (info->compression == COMPRESSION_CCITTFAX4 && info->strips == 1 && !info->tiled &&
          info->fill_order == FILLORDER_MSB2LSB && info->photometric == PHOTOMETRIC_MINISWHITE) {
        const tmsize_t size = TIFFRawStripSize(tif->get(), 0);
        if (size <= 0 || size > tmsize_t(256) << 20)
          return fail(Errc::invalid_argument, fmt::format("page {} of {} is damaged", page, in));
        encoded.g4.resize(std::size_t(size));
        if (TIFFReadRawStrip(tif->get(), 0, encoded.g4.data(), size) != size)
          return fail(Errc::invalid_argument, fmt::format("page {} of {} is damaged", page, in));
      } else {
        if (!info->bilevel())
          return fail(Errc::unsupported, fmt::format("page {} is not black and white", page));
        auto bm = read_bitmap(tif->get(), *info, page);
        if (!bm) return std::unexpected(bm.error());
        auto g4 = encode_g4(*bm);
        if (!g4) return std::unexpected(g4.error());
        encoded.g4 = std::move(*g4);
      }
      out.coded_bytes += encoded.g4.size();
      out.page_info.push_back(
          {encoded.width, encoded.height, encoded.x_dpi, encoded.y_dpi, encoded.g4.size()});
      if (auto r = writer->add_page(encoded, index++, total); !r) return std::unexpected(r.error());
    } while (TIFFReadDirectory(tif->get()));
  }
  if (auto r = writer->finish(); !r) return std::unexpected(r.error());
  out.pages = total;
  return out;
}

}  // namespace faxd::document
