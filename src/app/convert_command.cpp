// faxd convert: the daemon's document pipeline from the command line.
//   faxd convert IN... OUT.tiff [--quality standard|fine]   PDF/TIFF uploads to one TIFF-F
//   faxd convert IN.tiff OUT.pdf                           a fax TIFF to PDF
// Exit 0 on success (a summary on stdout), 1 on a bad document (the message on stderr),
// 2 on bad usage.
#include <fmt/format.h>
#include <iostream>
#include <string>
#include <vector>

#include "faxd/app/commands.hpp"
#include "faxd/document/document.hpp"

namespace faxd::app {

namespace {

constexpr std::string_view kUsage =
    "usage: faxd convert IN... OUT.tiff [--quality standard|fine]\n"
    "       faxd convert IN.tiff OUT.pdf\n";

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    char c = s[s.size() - suffix.size() + i];
    if (std::tolower(static_cast<unsigned char>(c)) != suffix[i]) return false;
  }
  return true;
}

bool is_tiff_name(std::string_view s) {
  return ends_with_ci(s, ".tif") || ends_with_ci(s, ".tiff");
}

int report_error(const Error& e) {
  std::cerr << "faxd convert: " << e.message << "\n";
  return 1;
}

}  // namespace

int run_convert(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  document::Quality quality = document::Quality::fine;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    std::string value;
    if (a == "--quality" && i + 1 < args.size()) {
      value = args[++i];
    } else if (a.starts_with("--quality=")) {
      value = std::string(a.substr(10));
    } else if (a.starts_with("--")) {
      std::cerr << "faxd convert: unknown option '" << a << "'\n" << kUsage;
      return 2;
    } else {
      files.push_back(args[i]);
      continue;
    }
    auto q = document::parse_quality(value);
    if (!q) {
      std::cerr << "faxd convert: --quality must be standard or fine\n";
      return 2;
    }
    quality = *q;
  }
  if (files.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  std::string out = files.back();
  files.pop_back();

  if (ends_with_ci(out, ".pdf")) {
    if (files.size() != 1 || !is_tiff_name(files[0])) {
      std::cerr << "faxd convert: a PDF is made from one fax TIFF\n" << kUsage;
      return 2;
    }
    auto pages = document::tiff_page_count(files[0]);
    if (!pages) return report_error(pages.error());
    if (auto ok = document::fax_tiff_to_pdf(files[0], out); !ok) return report_error(ok.error());
    std::cout << fmt::format("{}: {} page{}\n", out, *pages, *pages == 1 ? "" : "s");
    return 0;
  }
  if (!is_tiff_name(out)) {
    std::cerr << "faxd convert: OUT must end in .tif, .tiff or .pdf\n" << kUsage;
    return 2;
  }
  auto info = document::convert_to_fax_tiff(files, out, quality, {});
  if (!info) return report_error(info.error());
  std::cout << fmt::format(
      "{}: {} page{}, {} (204x{}), {:.1f} KB coded, {:.0f} s of line time at 14400 bit/s\n", out,
      info->pages, info->pages == 1 ? "" : "s", document::to_string(quality),
      quality == document::Quality::fine ? 196 : 98, double(info->coded_bytes) / 1024.0,
      document::line_seconds(info->coded_bytes));
  return 0;
}

}  // namespace faxd::app
