// A text laid out over fax pages with pango: wrapped at words, paginated by whole lines.
#include <cmath>

#include <fmt/format.h>

#include "canvas.hpp"
#include "faxd/document/render.hpp"
#include "page_layout.hpp"

namespace faxd::document {

namespace {

constexpr double kMarginPt = 20.0 / 25.4 * 72.0;  // 20 mm

struct PlacedLine {
  int index;           // line of the layout
  double x_pt;         // its left, from the layout's left
  double baseline_pt;  // from the top of its page's text area
};

}  // namespace

Result<std::vector<BilevelPage>> render_text_pages(std::string_view text,
                                                   const TextPageOptions& options) {
  const double ydpi = line_dpi(options.quality);
  const int lines = page_lines(options.paper, ydpi);
  const auto font = make_font(options.font, options.font_size);
  const auto title_font = make_font(options.font, options.font_size * 1.35, true);

  // Lay the whole text out once on a scratch canvas, then cut it into pages by whole lines.
  Canvas scratch(kFaxWidth, 8, kFaxXDpi, ydpi);
  if (!scratch.ok()) return fail(Errc::internal, "cannot draw a page");
  const double text_width = scratch.width_pt() - 2 * kMarginPt;
  const double text_height = lines * 72.0 / ydpi - 2 * kMarginPt;
  auto body = scratch.layout(text, font.get(), text_width);
  double title_height = 0;
  if (!options.title.empty()) {
    auto t = scratch.layout(options.title, title_font.get(), text_width);
    int w = 0, h = 0;
    pango_layout_get_size(t.get(), &w, &h);
    title_height = double(h) / PANGO_SCALE + options.font_size;  // a line's gap below it
  }

  std::vector<std::vector<PlacedLine>> pages(1);
  double page_top = 0;  // layout y where the current page starts
  double room = text_height - title_height;
  PangoLayoutIter* it = pango_layout_get_iter(body.get());
  int index = 0;
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(it, nullptr, &logical);
    const double top = double(logical.y) / PANGO_SCALE;
    const double bottom = top + double(logical.height) / PANGO_SCALE;
    const double baseline = double(pango_layout_iter_get_baseline(it)) / PANGO_SCALE;
    if (bottom - page_top > room && !pages.back().empty()) {
      if (int(pages.size()) >= options.max_pages) {
        pango_layout_iter_free(it);
        return fail(Errc::too_large,
                    fmt::format("the text needs more than {} pages", options.max_pages));
      }
      pages.emplace_back();
      page_top = top;
      room = text_height;
    }
    const double offset = pages.size() == 1 ? title_height : 0;
    pages.back().push_back({index, double(logical.x) / PANGO_SCALE, offset + baseline - page_top});
    ++index;
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);

  std::vector<BilevelPage> out;
  out.reserve(pages.size());
  for (std::size_t p = 0; p < pages.size(); ++p) {
    Canvas canvas(kFaxWidth, lines, kFaxXDpi, ydpi);
    if (!canvas.ok()) return fail(Errc::internal, "cannot draw a page");
    if (p == 0 && !options.title.empty())
      canvas.text(options.title, title_font.get(), kMarginPt, kMarginPt, text_width);
    auto page_layout = canvas.layout(text, font.get(), text_width);
    for (const auto& placed : pages[p]) {
      PangoLayoutLine* line = pango_layout_get_line_readonly(page_layout.get(), placed.index);
      if (!line) continue;
      cairo_move_to(canvas.cr(), kMarginPt + placed.x_pt, kMarginPt + placed.baseline_pt);
      pango_cairo_show_layout_line(canvas.cr(), line);
    }
    out.push_back(canvas.to_bilevel());
  }
  return out;
}

}  // namespace faxd::document
