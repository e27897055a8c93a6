// The cover page: the company's template (logo, name, details, footer) around this fax's
// addressee, sender, date, page count, subject and note.
#include <cmath>

#include <fmt/format.h>

#include "canvas.hpp"
#include "faxd/document/render.hpp"
#include "page_layout.hpp"

namespace faxd::document {

namespace {

constexpr double kMarginPt = 20.0 / 25.4 * 72.0;  // 20 mm
constexpr const char* kFont = "DejaVu Sans";

struct Labels {
  const char* to;
  const char* from;
  const char* fax;
  const char* date;
  const char* pages;
  const char* subject;
  const char* including_cover;
};

Labels labels_for(std::string_view language) {
  if (language.starts_with("es"))
    return {"Para", "De", "Fax", "Fecha", "Páginas", "Asunto", "incluida esta portada"};
  return {"To", "From", "Fax", "Date", "Pages", "Subject", "including this cover"};
}

}  // namespace

Result<BilevelPage> render_cover_page(const CoverPage& cover, Quality quality, Paper paper) {
  const double ydpi = line_dpi(quality);
  Canvas canvas(kFaxWidth, page_lines(paper, ydpi), kFaxXDpi, ydpi);
  if (!canvas.ok()) return fail(Errc::internal, "cannot draw the cover page");
  const auto l = labels_for(cover.language);
  const double width = canvas.width_pt() - 2 * kMarginPt;
  const double bottom = canvas.height_pt() - kMarginPt;
  const auto small = make_font(kFont, 9);
  const auto body = make_font(kFont, 12);
  const auto body_bold = make_font(kFont, 12, true);
  const auto company = make_font(kFont, 15, true);
  const auto title = make_font(kFont, 40, true);

  // Head: logo on the left, the company on the right.
  double head = 0;
  if (!cover.logo_png.empty()) {
    if (!canvas.image(cover.logo_png, kMarginPt, kMarginPt, width * 0.45, 72.0))
      return fail(Errc::invalid_argument, "the cover logo is not a PNG image");
    head = 72.0;
  }
  double right = 0;
  if (!cover.company_name.empty())
    right += canvas.text(cover.company_name, company.get(), kMarginPt, kMarginPt + right, width,
                         PANGO_ALIGN_RIGHT);
  if (!cover.company_details.empty())
    right += canvas.text(cover.company_details, small.get(), kMarginPt, kMarginPt + right + 2,
                         width, PANGO_ALIGN_RIGHT) +
             2;
  double y = kMarginPt + std::max(head, right) + 24;

  y += canvas.text(cover.title.empty() ? "FAX" : cover.title, title.get(), kMarginPt, y, width);
  y += 6;
  canvas.rule(kMarginPt, y, width, 2.0);
  y += 18;

  // The fields, labels in a column of their own.
  const double label_w = 110;
  auto field = [&](const char* label, const std::string& value) {
    if (value.empty()) return;
    canvas.text(label, body_bold.get(), kMarginPt, y, label_w);
    y +=
        std::max(16.0, canvas.text(value, body.get(), kMarginPt + label_w, y, width - label_w)) + 8;
  };
  field(l.to, cover.to_name);
  field(l.fax, cover.to_number);
  y += 6;
  field(l.from, cover.from_name);
  field(l.fax, cover.from_number);
  y += 6;
  field(l.date, cover.date);
  if (cover.pages > 0) field(l.pages, fmt::format("{} ({})", cover.pages, l.including_cover));
  field(l.subject, cover.subject);
  y += 4;
  canvas.rule(kMarginPt, y, width, 0.8);
  y += 18;

  // Footer from the bottom up, then the note in the room left between.
  double footer_top = bottom;
  if (!cover.footer.empty()) {
    auto f = canvas.layout(cover.footer, small.get(), width, PANGO_ALIGN_CENTER);
    int fw = 0, fh = 0;
    pango_layout_get_size(f.get(), &fw, &fh);
    footer_top = bottom - double(fh) / PANGO_SCALE;
    canvas.draw(f.get(), kMarginPt, footer_top);
    canvas.rule(kMarginPt, footer_top - 8, width, 0.5);
    footer_top -= 16;
  }
  if (!cover.note.empty() && footer_top - y > 20) {
    auto n = canvas.layout(cover.note, body.get(), width);
    pango_layout_set_height(n.get(), int((footer_top - y) * PANGO_SCALE));
    pango_layout_set_ellipsize(n.get(), PANGO_ELLIPSIZE_END);
    canvas.draw(n.get(), kMarginPt, y);
  }
  return canvas.to_bilevel();
}

}  // namespace faxd::document
