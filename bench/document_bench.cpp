// document_bench: converts PDFs to TIFF-F in-process and prints, per input, the wall time
// (median of --runs) and the coded size per page. Used by bench/run.sh next to `faxd convert`.
//   document_bench [--runs N] [--quality fine|standard] [--threads N] OUT_DIR IN.pdf...
#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "faxd/document/document.hpp"

int main(int argc, char** argv) {
  using namespace faxd::document;
  int runs = 5;
  int dump_page = -1;  // --dump N: also write page N (1-based) of each output as PNG
  Quality quality = Quality::fine;
  ConvertOptions options;
  options.isolate = false;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc)
      runs = std::stoi(argv[++i]);
    else if (a == "--threads" && i + 1 < argc)
      options.threads = std::stoi(argv[++i]);
    else if (a == "--dump" && i + 1 < argc)
      dump_page = std::stoi(argv[++i]) - 1;
    else if (a == "--isolate")
      options.isolate = true;
    else if (a == "--quality" && i + 1 < argc)
      quality = *parse_quality(argv[++i]);
    else
      args.push_back(a);
  }
  if (args.size() < 2) {
    fmt::print(stderr,
               "usage: document_bench [--runs N] [--quality q] [--threads N] OUT_DIR IN...\n");
    return 2;
  }
  std::string out_dir = args[0];
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string out = out_dir + "/" + std::filesystem::path(args[i]).stem().string() + "-faxd.tiff";
    std::vector<double> ms;
    FaxDocumentInfo info;
    for (int r = 0; r < runs; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto res = convert_to_fax_tiff({args[i]}, out, quality, options);
      auto t1 = std::chrono::steady_clock::now();
      if (!res) {
        fmt::print(stderr, "{}: {}\n", args[i], res.error().message);
        return 1;
      }
      info = *res;
      ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    double kb = double(info.coded_bytes) / 1024.0 / info.pages;
    fmt::print("{} pages={} median_ms={:.1f} kb_per_page={:.1f} line_s_per_page={:.1f}\n", args[i],
               info.pages, ms[ms.size() / 2], kb, line_seconds(info.coded_bytes) / info.pages);
    if (dump_page >= 0) {
      auto png = thumbnail_png(out, dump_page, 1728);
      if (png) {
        std::FILE* f = std::fopen((out + ".png").c_str(), "wb");
        std::fwrite(png->data(), 1, png->size(), f);
        std::fclose(f);
      }
    }
    for (const auto& p : info.page_info)
      fmt::print("  {}x{} {:.1f} KB\n", p.width, p.height, p.coded_bytes / 1024.0);
  }
  return 0;
}
