// libFuzzer target: arbitrary bytes as an uploaded document (built twice, as fuzz_document_pdf
// and fuzz_document_tiff, with a PDF or a TIFF seed corpus). It runs what the isolated
// conversion child runs, in-process: sniff, check limits, parse, render every page and code it
// G4 (convert_to_fax_tiff with isolate = false; the fork only adds the time and memory bounds
// that libFuzzer's -timeout and -rss_limit_mb stand in for here). A TIFF also goes through the
// readers faxd uses on received fax TIFFs: page info, thumbnail and TIFF-to-PDF.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "faxd/document/document.hpp"

namespace {

// One scratch directory per process (parallel fuzzing jobs must not share files).
const std::filesystem::path& scratch() {
  static const std::filesystem::path* dir = [] {
    auto* p = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                        ("faxd-fuzz-document-" + std::to_string(getpid())));
    std::filesystem::create_directories(*p);
    return p;
  }();
  return *dir;
}

}  // namespace

int fuzz_document(const std::uint8_t* data, std::size_t size) {
  using namespace faxd::document;
  const auto in = (scratch() / "in").string();
  const auto out = (scratch() / "out.tif").string();
  const auto pdf = (scratch() / "out.pdf").string();
  {
    std::ofstream f(in, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), std::streamsize(size));
  }
  ConvertOptions options;
  options.isolate = false;  // the fork is the production bound; libFuzzer bounds us here
  options.threads = 1;
  options.max_pages = 4;  // enough to cover multi-page paths, few enough to stay fast
  if (auto info = convert_to_fax_tiff({in}, out, Quality::standard, options)) {
    if (info->pages < 1 || info->pages > options.max_pages) __builtin_trap();
    for (const auto& p : info->page_info)
      if (p.width != 1728) __builtin_trap();  // TIFF-F is 1728 px wide, whatever came in
  }
  const std::string_view head(reinterpret_cast<const char*>(data), size < 4 ? size : 4);
  if (head == std::string_view("II*\0", 4) || head == std::string_view("MM\0*", 4)) {
    (void)read_fax_tiff_info(in);
    (void)tiff_page_count(in);
    (void)thumbnail_png(in, 0, 200);
    (void)fax_tiff_to_pdf(in, pdf);
  }
  std::remove(out.c_str());
  std::remove(pdf.c_str());
  return 0;
}

#ifndef FAXD_FUZZ_SMOKE
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz_document(data, size);
}
#endif
