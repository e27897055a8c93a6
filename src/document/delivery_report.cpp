// The delivery confirmation report: a PDF page drawn with cairo's PDF surface (text stays text,
// fonts embedded), with the first fax page reduced beside the fields.
#include <algorithm>

#include <cairo-pdf.h>

#include "canvas.hpp"
#include "faxd/document/render.hpp"
#include "tiff_handle.hpp"
#include "tiff_pages.hpp"

namespace faxd::document {

namespace {

constexpr double kWidthPt = 595.28;  // A4
constexpr double kHeightPt = 841.89;
constexpr double kMarginPt = 56.7;  // 20 mm
constexpr const char* kFont = "DejaVu Sans";

struct Labels {
  const char* title;
  const char* company;
  const char* fax_id;
  const char* from;
  const char* to;
  const char* submitted;
  const char* date;
  const char* pages;
  const char* result;
  const char* duration;
  const char* remote;
  const char* connection;
  const char* first_page;
};

Labels labels_for(std::string_view language) {
  if (language.starts_with("es"))
    return {"Confirmación de envío de fax",
            "Empresa",
            "Fax",
            "De",
            "Para",
            "Enviado",
            "Fecha",
            "Páginas",
            "Resultado",
            "Duración",
            "Estación remota",
            "Conexión",
            "Primera página"};
  return {"Fax delivery confirmation",
          "Company",
          "Fax",
          "From",
          "To",
          "Submitted",
          "Date",
          "Pages",
          "Result",
          "Duration",
          "Remote station",
          "Connection",
          "First page"};
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

double show(cairo_t* cr, const std::string& text, const PangoFontDescription* font, double x,
            double y, double width) {
  LayoutPtr l(pango_cairo_create_layout(cr));
  pango_layout_set_font_description(l.get(), font);
  pango_layout_set_width(l.get(), int(width * PANGO_SCALE));
  pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
  const auto clean = sanitize_utf8(text);
  pango_layout_set_text(l.get(), clean.data(), int(clean.size()));
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, l.get());
  int w = 0, h = 0;
  pango_layout_get_size(l.get(), &w, &h);
  return double(h) / PANGO_SCALE;
}

// The page reduced to `width` pixels, as an RGB image surface with its physical aspect.
SurfacePtr page_image(const std::string& tiff, int width) {
  auto tif = open_tiff(tiff, "r");
  if (!tif) return nullptr;
  auto info = read_page_info(tif->get(), 1);
  if (!info) return nullptr;
  auto grey = read_grey(tif->get(), *info, 1);
  if (!grey) return nullptr;
  const double physical = info->height * info->x_dpi / info->y_dpi;
  const int height = std::max(1, int(physical * width / info->width));
  const auto small = resize_box(*grey, width, height);
  SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS) return nullptr;
  cairo_surface_flush(s.get());
  unsigned char* data = cairo_image_surface_get_data(s.get());
  const int stride = cairo_image_surface_get_stride(s.get());
  for (int y = 0; y < height; ++y) {
    auto* row = reinterpret_cast<std::uint32_t*>(data + std::size_t(y) * std::size_t(stride));
    const std::uint8_t* g = small.row(y);
    for (int x = 0; x < width; ++x) row[x] = 0xff000000u | (g[x] << 16) | (g[x] << 8) | g[x];
  }
  cairo_surface_mark_dirty(s.get());
  return s;
}

}  // namespace

Result<std::string> render_delivery_report(const DeliveryReport& r) {
  std::string pdf;
  SurfacePtr surface(cairo_pdf_surface_create_for_stream(append, &pdf, kWidthPt, kHeightPt));
  CairoPtr cr(cairo_create(surface.get()));
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS)
    return fail(Errc::internal, "cannot draw the report");
  cairo_t* c = cr.get();
  const auto l = labels_for(r.language);
  const auto title = make_font(kFont, 18, true);
  const auto label = make_font(kFont, 10.5, true);
  const auto value = make_font(kFont, 10.5);
  const auto big = make_font(kFont, 14, true);
  const double width = kWidthPt - 2 * kMarginPt;

  cairo_set_source_rgb(c, 0, 0, 0);
  double y = kMarginPt;
  y += show(c, l.title, title.get(), kMarginPt, y, width) + 6;
  cairo_rectangle(c, kMarginPt, y, width, 1.5);
  cairo_fill(c);
  y += 16;

  // The result first and large: it is what the report is kept for.
  if (r.ok)
    cairo_set_source_rgb(c, 0.0, 0.4, 0.1);
  else
    cairo_set_source_rgb(c, 0.65, 0.0, 0.0);
  y += show(c, r.result, big.get(), kMarginPt, y, width) + 14;
  cairo_set_source_rgb(c, 0, 0, 0);

  const double label_w = 120;
  const double table_w = width * 0.58;
  auto row = [&](const char* name, const std::string& text) {
    if (text.empty()) return;
    show(c, name, label.get(), kMarginPt, y, label_w);
    y += std::max(14.0, show(c, text, value.get(), kMarginPt + label_w, y, table_w - label_w)) + 6;
  };
  const double table_top = y;
  row(l.company, r.company_name);
  row(l.from, r.from_name.empty() ? r.from_number : r.from_name + "\n" + r.from_number);
  row(l.to, r.to_number);
  row(l.submitted, r.submitted);
  row(l.date, r.date);
  row(l.pages, r.pages);
  row(l.duration, r.duration);
  row(l.remote, r.remote_station_id);
  row(l.connection, r.connection);
  row(l.fax_id, r.fax_id);

  if (!r.first_page_tiff.empty()) {
    if (auto img = page_image(r.first_page_tiff, 420)) {
      const double box_x = kMarginPt + table_w + 16;
      const double box_w = width - table_w - 16;
      const double scale = box_w / cairo_image_surface_get_width(img.get());
      const double box_h = cairo_image_surface_get_height(img.get()) * scale;
      show(c, l.first_page, label.get(), box_x, table_top, box_w);
      const double top = table_top + 18;
      cairo_save(c);
      cairo_translate(c, box_x, top);
      cairo_scale(c, scale, scale);
      cairo_set_source_surface(c, img.get(), 0, 0);
      cairo_paint(c);
      cairo_restore(c);
      cairo_set_line_width(c, 0.6);
      cairo_rectangle(c, box_x, top, box_w, box_h);
      cairo_stroke(c);
    }
  }
  cairo_show_page(c);
  cr.reset();
  cairo_surface_finish(surface.get());
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
    return fail(Errc::internal, "cannot write the report");
  surface.reset();
  return pdf;
}

}  // namespace faxd::document
