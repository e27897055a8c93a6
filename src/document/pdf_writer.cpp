#include "pdf_writer.hpp"

#include <fmt/format.h>
#include <cstdio>
#include <fstream>

namespace faxd::document {

std::string PdfWriter::render() const {
  // Objects: 1 catalog, 2 page tree, then per page i: 3+3i page, 4+3i contents, 5+3i image.
  std::string out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  std::vector<std::size_t> offsets;
  auto begin_obj = [&](std::size_t num) {
    if (offsets.size() < num) offsets.resize(num);
    offsets[num - 1] = out.size();
    out += fmt::format("{} 0 obj\n", num);
  };
  begin_obj(1);
  out += "<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
  begin_obj(2);
  out += "<< /Type /Pages /Kids [";
  for (std::size_t i = 0; i < pages_.size(); ++i) out += fmt::format(" {} 0 R", 3 + 3 * i);
  out += fmt::format(" ] /Count {} >>\nendobj\n", pages_.size());
  for (std::size_t i = 0; i < pages_.size(); ++i) {
    const CcittImage& p = pages_[i];
    double w = p.width * 72.0 / p.x_dpi, h = p.height * 72.0 / p.y_dpi;
    std::size_t page = 3 + 3 * i, contents = page + 1, image = page + 2;
    begin_obj(page);
    out += fmt::format(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {:.2f} {:.2f}] /Contents {} 0 R "
        "/Resources << /XObject << /Im0 {} 0 R >> >> >>\nendobj\n",
        w, h, contents, image);
    std::string draw = fmt::format("q {:.2f} 0 0 {:.2f} 0 0 cm /Im0 Do Q\n", w, h);
    begin_obj(contents);
    out += fmt::format("<< /Length {} >>\nstream\n{}endstream\nendobj\n", draw.size(), draw);
    begin_obj(image);
    out += fmt::format(
        "<< /Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceGray "
        "/BitsPerComponent 1{} /Filter /CCITTFaxDecode /DecodeParms << /K {} /Columns {} "
        "/Rows {} >> /Length {} >>\nstream\n",
        p.width, p.height, p.invert ? " /Decode [1 0]" : "", p.k, p.width, p.height, p.data.size());
    out += p.data;
    out += "\nendstream\nendobj\n";
  }
  std::size_t xref = out.size();
  out += fmt::format("xref\n0 {}\n0000000000 65535 f \n", offsets.size() + 1);
  for (std::size_t off : offsets) out += fmt::format("{:010d} 00000 n \n", off);
  out += fmt::format("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
                     offsets.size() + 1, xref);
  return out;
}

Result<void> PdfWriter::write(const std::string& path) const {
  std::string bytes = render();
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return fail(Errc::io, "cannot create " + path);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  f.close();
  if (!f) {
    std::remove(path.c_str());
    return fail(Errc::io, "cannot write " + path);
  }
  return {};
}

}  // namespace faxd::document
