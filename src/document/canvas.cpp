#include "canvas.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include <glib.h>

namespace faxd::document {

void GObjectFree::operator()(void* o) const noexcept {
  if (o) g_object_unref(o);
}

std::string sanitize_utf8(std::string_view text) {
  std::string in;
  in.reserve(text.size());
  for (char c : text)
    if (c != '\0') in += c;
  gchar* valid = g_utf8_make_valid(in.data(), gssize(in.size()));
  std::string out = valid ? valid : "";
  g_free(valid);
  return out;
}

FontPtr make_font(const std::string& family, double points, bool bold) {
  FontPtr font(pango_font_description_new());
  pango_font_description_set_family(font.get(), family.c_str());
  pango_font_description_set_size(font.get(), int(std::lround(points * PANGO_SCALE)));
  pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return font;
}

double line_dpi(Quality quality) noexcept {
  return quality == Quality::fine ? 196.0 : 98.0;
}

int page_lines(Paper paper, double y_dpi) noexcept {
  const double inches = paper == Paper::letter ? 11.0 : 297.0 / 25.4;
  return int(std::lround(inches * y_dpi));
}

Paper paper_for_country(std::string_view country) noexcept {
  static constexpr std::array<std::string_view, 12> kLetter{"US", "CA", "MX", "PH", "CL", "CO",
                                                            "VE", "CR", "GT", "PR", "DO", "PA"};
  std::string upper(country);
  for (auto& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  return std::find(kLetter.begin(), kLetter.end(), upper) != kLetter.end() ? Paper::letter
                                                                           : Paper::a4;
}

Canvas::Canvas(int width, int height, double x_dpi, double y_dpi)
    : width_(width),
      height_(height),
      x_dpi_(x_dpi),
      y_dpi_(y_dpi),
      surface_(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height)),
      cr_(cairo_create(surface_.get())) {
  cairo_t* c = cr_.get();
  cairo_set_source_rgb(c, 1, 1, 1);
  cairo_paint(c);
  // User space in points: the same layout at 98 and 196 lines an inch.
  cairo_scale(c, x_dpi / 72.0, y_dpi / 72.0);
  cairo_set_source_rgb(c, 0, 0, 0);
  // Unhinted outlines: hinting snaps to a pixel grid that is not square here.
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  cairo_set_font_options(c, fo);
  cairo_font_options_destroy(fo);
}

bool Canvas::ok() const {
  return cairo_surface_status(surface_.get()) == CAIRO_STATUS_SUCCESS &&
         cairo_status(cr_.get()) == CAIRO_STATUS_SUCCESS;
}

LayoutPtr Canvas::layout(std::string_view text, const PangoFontDescription* font, double width_pt,
                         PangoAlignment align) const {
  LayoutPtr l(pango_cairo_create_layout(cr_.get()));
  pango_layout_set_font_description(l.get(), font);
  if (width_pt > 0) {
    pango_layout_set_width(l.get(), int(std::lround(width_pt * PANGO_SCALE)));
    pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(l.get(), align);
  const auto clean = sanitize_utf8(text);
  pango_layout_set_text(l.get(), clean.data(), int(clean.size()));
  return l;
}

double Canvas::draw(PangoLayout* layout, double x_pt, double y_pt) const {
  cairo_t* c = cr_.get();
  cairo_move_to(c, x_pt, y_pt);
  pango_cairo_show_layout(c, layout);
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  return double(h) / PANGO_SCALE;
}

double Canvas::text(std::string_view text, const PangoFontDescription* font, double x_pt,
                    double y_pt, double width_pt, PangoAlignment align) const {
  auto l = layout(text, font, width_pt, align);
  return draw(l.get(), x_pt, y_pt);
}

void Canvas::rule(double x_pt, double y_pt, double width_pt, double thickness_pt) const {
  cairo_t* c = cr_.get();
  cairo_rectangle(c, x_pt, y_pt, width_pt, thickness_pt);
  cairo_fill(c);
}

namespace {

struct PngReader {
  const std::string* data;
  std::size_t pos = 0;
};

cairo_status_t read_png(void* closure, unsigned char* out, unsigned int length) {
  auto* r = static_cast<PngReader*>(closure);
  if (r->pos + length > r->data->size()) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(out, r->data->data() + r->pos, length);
  r->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

bool Canvas::image(const std::string& png, double x_pt, double y_pt, double max_w_pt,
                   double max_h_pt) {
  PngReader reader{&png};
  SurfacePtr img(cairo_image_surface_create_from_png_stream(read_png, &reader));
  if (cairo_surface_status(img.get()) != CAIRO_STATUS_SUCCESS) return false;
  const int iw = cairo_image_surface_get_width(img.get());
  const int ih = cairo_image_surface_get_height(img.get());
  if (iw <= 0 || ih <= 0) return false;
  // A logo's own pixels are taken as 150 dpi (a typical print logo), never enlarged past it.
  const double natural = 72.0 / 150.0;
  const double scale = std::min({max_w_pt / iw, max_h_pt / ih, natural});
  cairo_t* c = cr_.get();
  cairo_save(c);
  cairo_translate(c, x_pt, y_pt);
  cairo_scale(c, scale, scale);
  cairo_set_source_surface(c, img.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(c), CAIRO_FILTER_GOOD);
  cairo_paint(c);
  cairo_restore(c);
  img_x0_ = int(x_pt * x_dpi_ / 72.0);
  img_y0_ = int(y_pt * y_dpi_ / 72.0);
  img_x1_ = std::min(width_, int(std::ceil((x_pt + iw * scale) * x_dpi_ / 72.0)));
  img_y1_ = std::min(height_, int(std::ceil((y_pt + ih * scale) * y_dpi_ / 72.0)));
  cairo_set_source_rgb(c, 0, 0, 0);
  return true;
}

BilevelPage Canvas::to_bilevel() const {
  static constexpr std::array<std::array<int, 4>, 4> kBayer{
      {{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}};
  cairo_surface_flush(surface_.get());
  const unsigned char* data = cairo_image_surface_get_data(surface_.get());
  const int src_stride = cairo_image_surface_get_stride(surface_.get());
  BilevelPage page;
  page.width = width_;
  page.height = height_;
  page.stride = (width_ + 7) / 8;
  page.x_dpi = x_dpi_;
  page.y_dpi = y_dpi_;
  page.bits.assign(std::size_t(page.stride) * std::size_t(height_), 0);
  for (int y = 0; y < height_; ++y) {
    const auto* px = reinterpret_cast<const std::uint32_t*>(data + std::size_t(y) * src_stride);
    std::uint8_t* out = page.bits.data() + std::size_t(y) * std::size_t(page.stride);
    const bool img_row = y >= img_y0_ && y < img_y1_;
    for (int x = 0; x < width_; ++x) {
      const std::uint32_t p = px[x];
      // Luma, 0..255 (Rec. 601 weights in integers).
      const int grey =
          int((((p >> 16) & 0xff) * 299 + ((p >> 8) & 0xff) * 587 + (p & 0xff) * 114) / 1000);
      int threshold = 128;
      if (img_row && x >= img_x0_ && x < img_x1_) threshold = kBayer[y & 3][x & 3] * 16 + 8;
      if (grey < threshold) out[x >> 3] |= std::uint8_t(0x80 >> (x & 7));
    }
  }
  return page;
}

}  // namespace faxd::document
