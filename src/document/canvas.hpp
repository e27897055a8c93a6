#pragma once
// A page being drawn with cairo and pango (internal): an RGB canvas at fax resolution whose
// user space is in points (1/72 inch), so layouts are written in physical units whatever the
// line resolution; then thresholded to a bilevel page.
// One thread at a time per Canvas.
#include <memory>
#include <string>
#include <string_view>

#include <cairo.h>
#include <pango/pangocairo.h>

#include "faxd/common/error.hpp"
#include "faxd/document/render.hpp"

namespace faxd::document {

struct CairoSurfaceFree {
  void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
struct CairoFree {
  void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};
struct GObjectFree {
  void operator()(void* o) const noexcept;
};
struct FontDescriptionFree {
  void operator()(PangoFontDescription* d) const noexcept { pango_font_description_free(d); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceFree>;
using CairoPtr = std::unique_ptr<cairo_t, CairoFree>;
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectFree>;
using FontPtr = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;

// Valid UTF-8: invalid sequences become U+FFFD, NUL bytes are dropped.
std::string sanitize_utf8(std::string_view text);

// "DejaVu Sans Bold 11" style description.
FontPtr make_font(const std::string& family, double points, bool bold = false);

class Canvas {
 public:
  // A white page `width` px wide and `height` lines tall.
  Canvas(int width, int height, double x_dpi, double y_dpi);
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  bool ok() const;
  cairo_t* cr() const { return cr_.get(); }
  double width_pt() const { return width_ * 72.0 / x_dpi_; }
  double height_pt() const { return height_ * 72.0 / y_dpi_; }

  // A layout for `text` in `font`, wrapped at `width_pt` (<= 0: not wrapped).
  LayoutPtr layout(std::string_view text, const PangoFontDescription* font, double width_pt,
                   PangoAlignment align = PANGO_ALIGN_LEFT) const;
  // Draws a layout with its top left at (x, y) points; returns its height in points.
  double draw(PangoLayout* layout, double x_pt, double y_pt) const;
  // Text in one call; returns the height drawn.
  double text(std::string_view text, const PangoFontDescription* font, double x_pt, double y_pt,
              double width_pt, PangoAlignment align = PANGO_ALIGN_LEFT) const;
  void rule(double x_pt, double y_pt, double width_pt, double thickness_pt) const;

  // Paints a PNG fitted into the box (aspect kept, top left). False when it is not a PNG.
  bool image(const std::string& png, double x_pt, double y_pt, double max_w_pt, double max_h_pt);

  // Thresholds the page: text and rules at 50 % grey, the image box dithered (ordered 4x4).
  BilevelPage to_bilevel() const;

 private:
  int width_;
  int height_;
  double x_dpi_;
  double y_dpi_;
  SurfacePtr surface_;
  CairoPtr cr_;
  // The image box in pixels (dithered); empty when none.
  int img_x0_ = 0, img_y0_ = 0, img_x1_ = 0, img_y1_ = 0;
};

// Page geometry in lines for a paper at a line resolution.
int page_lines(Paper paper, double y_dpi) noexcept;
double line_dpi(Quality quality) noexcept;

}  // namespace faxd::document
