#pragma once
// Helpers for the document tests: the shared corpus, small hand-made PDFs, file I/O.
#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace faxd::test {

inline std::string corpus(const std::string& rel) {
  return std::string(FAXD_SHARED_DIR) + "/corpus/" + rel;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A valid PDF with one page per size (points), each with a black bar near its top-left, so
// orientation can be checked; with no sizes it has zero pages.
inline std::string make_pdf(const std::vector<std::pair<double, double>>& sizes) {
  std::string out = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  auto obj = [&](const std::string& body) {
    offsets.push_back(out.size());
    out += fmt::format("{} 0 obj\n{}\nendobj\n", offsets.size(), body);
  };
  obj("<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (std::size_t i = 0; i < sizes.size(); ++i) kids += fmt::format(" {} 0 R", 3 + 2 * i);
  obj(fmt::format("<< /Type /Pages /Kids [{} ] /Count {} >>", kids, sizes.size()));
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    auto [w, h] = sizes[i];
    obj(fmt::format("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents {} 0 R >>", w, h,
                    4 + 2 * i));
    std::string draw = fmt::format("0 g 36 {} 200 20 re f\n", h - 72);
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
