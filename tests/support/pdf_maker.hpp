#pragma once
// Small valid PDFs made in the test itself (no files): one page per size, each with a black bar
// near its top-left so orientation can be checked, optionally a "Page N" line of text.
#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

namespace faxd::test {

enum class PdfText { none, page_numbers };

// `sizes` in points (width, height); with no sizes the PDF has zero pages.
inline std::string make_pdf(const std::vector<std::pair<double, double>>& sizes,
                            PdfText text = PdfText::none) {
  std::string out = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  auto obj = [&](const std::string& body) {
    offsets.push_back(out.size());
    out += fmt::format("{} 0 obj\n{}\nendobj\n", offsets.size(), body);
  };
  const bool labelled = text == PdfText::page_numbers;
  const std::size_t first_page = labelled ? 4 : 3;  // after the catalog, pages (and font)
  obj("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (std::size_t i = 0; i < sizes.size(); ++i) kids += fmt::format(" {} 0 R", first_page + 2 * i);
  obj(fmt::format("<< /Type /Pages /Kids [{} ] /Count {} >>", kids, sizes.size()));
  if (labelled) obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const std::string resources = labelled ? " /Resources << /Font << /F1 3 0 R >> >>" : "";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    auto [w, h] = sizes[i];
    obj(fmt::format("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents {} 0 R{} >>", w,
                    h, first_page + 2 * i + 1, resources));
    std::string draw = fmt::format("0 g 36 {} 200 20 re f\n", h - 72);
    if (labelled) draw += fmt::format("BT /F1 24 Tf 72 {} Td (Page {}) Tj ET\n", h - 192, i + 1);
    obj(fmt::format("<< /Length {} >>\nstream\n{}endstream", draw.size(), draw));
  }
  std::size_t xref = out.size();
  out += fmt::format("xref\n0 {}\n0000000000 65535 f \n", offsets.size() + 1);
  for (auto o : offsets) out += fmt::format("{:010d} 00000 n \n", o);
  out += fmt::format("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
                     offsets.size() + 1, xref);
  return out;
}

}  // namespace faxd::test
