#include "tiff_pages.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "page_layout.hpp"

namespace faxd::document {

namespace {

std::string page_name(int page) {
  return "page " + std::to_string(page) + " of the TIFF";
}

struct FreeRaster {
  void operator()(std::uint32_t* p) const noexcept { _TIFFfree(p); }
};

GreyImage rotate_clockwise(const GreyImage& src) {
  GreyImage out(src.height, src.width);
  for (int y = 0; y < src.height; ++y) {
    const std::uint8_t* r = src.row(y);
    for (int x = 0; x < src.width; ++x) out.row(x)[src.height - 1 - y] = r[x];
  }
  return out;
}

// Source index range [first, last) covered by each of `out` cells over `in` cells.
void spans(int in, int out, std::vector<int>& first, std::vector<int>& last) {
  first.resize(std::size_t(out));
  last.resize(std::size_t(out));
  double step = double(in) / double(out);
  for (int i = 0; i < out; ++i) {
    int a, b;
    if (step <= 1.0) {  // enlarging: nearest source cell
      a = std::min(in - 1, int((i + 0.5) * step));
      b = a + 1;
    } else {
      a = int(i * step);
      b = std::max(a + 1, std::min(in, int((i + 1) * step)));
    }
    first[std::size_t(i)] = a;
    last[std::size_t(i)] = b;
  }
}

}  // namespace

Result<TiffPageInfo> read_page_info(TIFF* tif, int page) {
  TiffPageInfo info;
  std::uint32_t w = 0, h = 0;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) ||
      w == 0 || h == 0)
    return fail(Errc::invalid_argument, page_name(page) + " has no image size");
  if (w > 1'000'000 || h > 1'000'000 || std::uint64_t(w) * h > kMaxTiffPixels)
    return fail(Errc::too_large, page_name(page) + " is " + std::to_string(w) + " x " +
                                     std::to_string(h) + " pixels: too large");
  info.width = int(w);
  info.height = int(h);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &info.bits_per_sample);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &info.samples_per_pixel);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &info.compression);
  TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &info.fill_order);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &info.photometric))
    info.photometric = info.bilevel() ? PHOTOMETRIC_MINISWHITE : PHOTOMETRIC_MINISBLACK;
  info.tiled = TIFFIsTiled(tif);
  info.strips = info.tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);

  float xr = 0, yr = 0;
  std::uint16_t unit = RESUNIT_INCH;
  bool has_res =
      TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xr) && TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yr);
  TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
  double f = unit == RESUNIT_CENTIMETER ? 2.54 : 1.0;
  double x_dpi = xr * f, y_dpi = yr * f;
  if (!has_res || unit == RESUNIT_NONE || !(x_dpi >= 10 && x_dpi <= 10000) ||
      !(y_dpi >= 10 && y_dpi <= 10000)) {
    bool fax_width = info.width == kFaxWidth || info.width == 2048 || info.width == 2432;
    x_dpi = fax_width ? kFaxXDpi : 200.0;
    y_dpi = fax_width ? 196.0 : 200.0;
  }
  info.x_dpi = x_dpi;
  info.y_dpi = y_dpi;
  return info;
}

Result<Bitmap> read_bitmap(TIFF* tif, const TiffPageInfo& info, int page) {
  if (!info.bilevel() || info.tiled) return fail(Errc::internal, "not a bilevel strip TIFF");
  Bitmap bm(info.width, info.height);
  tmsize_t line = TIFFScanlineSize(tif);
  if (line < bm.stride) return fail(Errc::invalid_argument, page_name(page) + " is damaged");
  std::vector<std::uint8_t> buf(static_cast<std::size_t>(line));
  bool invert = info.photometric == PHOTOMETRIC_MINISBLACK;
  std::uint8_t last_mask = std::uint8_t(0xff << ((8 - info.width % 8) % 8));
  for (int y = 0; y < info.height; ++y) {
    if (TIFFReadScanline(tif, buf.data(), std::uint32_t(y), 0) < 0)
      return fail(Errc::invalid_argument,
                  page_name(page) + " is damaged (line " + std::to_string(y + 1) + ")");
    std::uint8_t* r = bm.row(y);
    for (int i = 0; i < bm.stride; ++i)
      r[i] = invert ? std::uint8_t(~buf[std::size_t(i)]) : buf[std::size_t(i)];
    r[bm.stride - 1] &= last_mask;
  }
  return bm;
}

Result<GreyImage> read_grey(TIFF* tif, const TiffPageInfo& info, int page) {
  if (info.bilevel() && !info.tiled) {
    auto bm = read_bitmap(tif, info, page);
    if (!bm) return std::unexpected(bm.error());
    GreyImage g(info.width, info.height);
    for (int y = 0; y < info.height; ++y) {
      const std::uint8_t* r = bm->row(y);
      std::uint8_t* o = g.row(y);
      for (int x = 0; x < info.width; ++x) o[x] = (r[x >> 3] >> (7 - (x & 7))) & 1 ? 0 : 255;
    }
    return g;
  }
  // Anything else goes through libtiff's RGBA reader (grey, RGB, palette, YCbCr, tiles...).
  constexpr std::uint64_t kMaxRgbaPixels = 50'000'000;
  if (std::uint64_t(info.width) * std::uint64_t(info.height) > kMaxRgbaPixels)
    return fail(Errc::too_large, page_name(page) + " is too large a colour image");
  char emsg[1024] = {};
  if (!TIFFRGBAImageOK(tif, emsg))
    return fail(Errc::unsupported, page_name(page) + " uses an image format faxd cannot read");
  std::unique_ptr<std::uint32_t, FreeRaster> raster(static_cast<std::uint32_t*>(
      _TIFFmalloc(tmsize_t(std::size_t(info.width) * std::size_t(info.height) * 4))));
  if (!raster) return fail(Errc::too_large, page_name(page) + " needs too much memory");
  if (!TIFFReadRGBAImageOriented(tif, std::uint32_t(info.width), std::uint32_t(info.height),
                                 raster.get(), ORIENTATION_TOPLEFT, 0))
    return fail(Errc::invalid_argument, page_name(page) + " is damaged");
  GreyImage g(info.width, info.height);
  const std::uint32_t* p = raster.get();
  for (std::size_t i = 0; i < g.pixels.size(); ++i) {
    std::uint32_t c = p[i];
    int r = int(TIFFGetR(c)), gr = int(TIFFGetG(c)), b = int(TIFFGetB(c)), a = int(TIFFGetA(c));
    int luma = (r * 77 + gr * 150 + b * 29) >> 8;  // colours arrive premultiplied by alpha
    g.pixels[i] = std::uint8_t(std::min(255, luma + (255 - a)));
  }
  return g;
}

GreyImage resize_box(const GreyImage& src, int tw, int th) {
  std::vector<int> x0, x1, y0, y1;
  spans(src.width, tw, x0, x1);
  spans(src.height, th, y0, y1);
  GreyImage out(tw, th);
  std::vector<std::uint32_t> acc(std::size_t(src.width));
  for (int oy = 0; oy < th; ++oy) {
    std::fill(acc.begin(), acc.end(), 0u);
    int ya = y0[std::size_t(oy)], yb = y1[std::size_t(oy)];
    for (int y = ya; y < yb; ++y) {
      const std::uint8_t* r = src.row(y);
      for (int x = 0; x < src.width; ++x) acc[std::size_t(x)] += r[x];
    }
    std::uint8_t* o = out.row(oy);
    for (int ox = 0; ox < tw; ++ox) {
      int xa = x0[std::size_t(ox)], xb = x1[std::size_t(ox)];
      std::uint64_t sum = 0;
      for (int x = xa; x < xb; ++x) sum += acc[std::size_t(x)];
      o[ox] = std::uint8_t(sum / std::uint64_t((xb - xa) * (yb - ya)));
    }
  }
  return out;
}

GreyImage fit_to_fax(const GreyImage& in, double x_dpi, double y_dpi, double line_dpi) {
  PageLayout layout = layout_page(in.width / x_dpi, in.height / y_dpi, line_dpi);
  GreyImage rotated;
  const GreyImage* src = &in;
  if (layout.rotate) {
    rotated = rotate_clockwise(in);
    src = &rotated;
    std::swap(x_dpi, y_dpi);
  }
  int tw = std::max(1, int(std::lround(src->width / x_dpi * layout.x_dpi)));
  GreyImage scaled = resize_box(*src, tw, layout.height);
  if (tw == layout.width) return scaled;
  GreyImage canvas(layout.width, layout.height, 255);
  int dst_x = (layout.width - tw) / 2, skip = 0;
  if (dst_x < 0) skip = -dst_x, dst_x = 0;
  int n = std::min(tw - skip, layout.width - dst_x);
  for (int y = 0; y < layout.height; ++y)
    std::copy_n(scaled.row(y) + skip, n, canvas.row(y) + dst_x);
  return canvas;
}

}  // namespace faxd::document
