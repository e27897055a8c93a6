// Uploads to TIFF-F: load and check every input, render its pages on a small pool, code each
// page G4 on the thread that rendered it, then write the pages in order.
#include <fmt/format.h>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "binarizer.hpp"
#include "converter.hpp"
#include "fax_tiff_writer.hpp"
#include "faxd/document/document.hpp"
#include "g4_codec.hpp"
#include "input.hpp"
#include "isolation.hpp"
#include "tiff_handle.hpp"
#include "tiff_pages.hpp"

namespace faxd::document {

namespace {

// Whether no other task is runnable right now, so a second render thread gets a core of its
// own: "procs_running" in /proc/stat counts runnable tasks, this one included. (The 1-minute
// load average answered the same question a minute late: back-to-back conversions flipped
// between one and two threads as it crossed the core count.)
bool other_cores_idle(unsigned cores) {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return true;
  char line[256];
  unsigned running = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "procs_running %u", &running) == 1) break;
  std::fclose(f);
  return running == 0 || running < cores;
}

struct PageJob {
  std::size_t input = 0;
  int page = 0;  // 0-based within its input
};

// One rendering thread's view of the inputs: poppler documents are per thread.
class PageRenderer {
 public:
  PageRenderer(const std::vector<Input>& inputs, double line_dpi)
      : inputs_(inputs), pdfs_(inputs.size()), line_dpi_(line_dpi) {}

  Result<EncodedPage> encode(const PageJob& job) {
    if (auto ok = render(job); !ok) return std::unexpected(ok.error());
    Bitmap bm = binarize(canvas_, line_dpi_);
    auto g4 = encode_g4(bm);
    if (!g4) return std::unexpected(g4.error());
    return EncodedPage{bm.width, bm.height, 204.0, line_dpi_, std::move(*g4)};
  }

 private:
  Result<void> render(const PageJob& job) {
    const Input& in = inputs_[job.input];
    if (in.kind == InputKind::pdf) {
      auto& pdf = pdfs_[job.input];
      if (!pdf) {
        auto opened = PdfSource::open(in.bytes);
        if (!opened) return std::unexpected(opened.error());
        pdf.emplace(std::move(*opened));
      }
      return pdf->render(job.page, line_dpi_, canvas_);
    }
    auto tif = open_tiff(in.path, "r");
    if (!tif) return std::unexpected(tif.error());
    if (!TIFFSetDirectory(tif->get(), tdir_t(job.page)))
      return fail(Errc::invalid_argument, "the TIFF is damaged");
    auto info = read_page_info(tif->get(), job.page + 1);
    if (!info) return std::unexpected(info.error());
    auto grey = read_grey(tif->get(), *info, job.page + 1);
    if (!grey) return std::unexpected(grey.error());
    canvas_ = fit_to_fax(*grey, info->x_dpi, info->y_dpi, line_dpi_);
    return {};
  }

  const std::vector<Input>& inputs_;
  std::vector<std::optional<PdfSource>> pdfs_;
  double line_dpi_;
  GreyImage canvas_;  // reused for every page this thread renders
};

Error with_document(Error e, std::size_t index, std::size_t count) {
  if (count > 1) e.message = fmt::format("document {}: {}", index + 1, e.message);
  return e;
}

Result<std::vector<Input>> load_inputs(const std::vector<std::string>& paths,
                                       const ConvertOptions& options) {
  if (paths.empty()) return fail(Errc::invalid_argument, "no document given");
  std::vector<Input> inputs;
  int pages = 0;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    auto in = load_input(paths[i], options, pages);
    if (!in) return std::unexpected(with_document(in.error(), i, paths.size()));
    pages += int(in->pages.size());
    inputs.push_back(std::move(*in));
  }
  return inputs;
}

IsolationLimits limits(const ConvertOptions& o) {
  return {.timeout = o.timeout,
          .progress_timeout = o.page_timeout,
          .max_memory = o.max_memory,
          .cancelled = o.cancelled};
}

}  // namespace

Result<FaxDocumentInfo> convert_here(const std::vector<std::string>& paths,
                                     const std::string& out_tiff, Quality quality,
                                     const ConvertOptions& options) {
  silence_libtiff();
  auto inputs = load_inputs(paths, options);
  if (!inputs) return std::unexpected(inputs.error());
  std::vector<PageJob> jobs;
  for (std::size_t i = 0; i < inputs->size(); ++i)
    for (int p = 0; p < int((*inputs)[i].pages.size()); ++p) jobs.push_back({i, p});

  double line_dpi = quality == Quality::fine ? 196.0 : 98.0;
  std::vector<std::optional<Result<EncodedPage>>> done(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    PageRenderer renderer(*inputs, line_dpi);
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= jobs.size() || failed.load()) return;
      try {
        done[i] = renderer.encode(jobs[i]);
        if (options.on_page) options.on_page();
      } catch (const std::bad_alloc&) {
        done[i] = fail(Errc::too_large, "the document needs too much memory to render");
      }
      if (!*done[i]) failed = true;
    }
  };
  int threads = std::clamp(options.threads, 1, 16);
  threads = std::min<int>(threads, int(jobs.size()));
  // A second thread costs its own fonts and page buffers (~0.06 s of CPU on a text document)
  // and only pays off when a core is free: on a busy machine render on this thread alone.
  if (threads > 1 && !other_cores_idle(std::max(1u, std::thread::hardware_concurrency())))
    threads = 1;
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (done[i] && !*done[i])
      return std::unexpected(with_document(done[i]->error(), jobs[i].input, inputs->size()));

  auto writer = FaxTiffWriter::create(out_tiff);
  if (!writer) return std::unexpected(writer.error());
  FaxDocumentInfo info;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const EncodedPage& page = **done[i];
    if (auto ok = writer->add_page(page, int(i), int(jobs.size())); !ok)
      return std::unexpected(ok.error());
    info.page_info.push_back({page.width, page.height, page.x_dpi, page.y_dpi, page.g4.size()});
    info.coded_bytes += page.g4.size();
  }
  if (auto ok = writer->finish(); !ok) return std::unexpected(ok.error());
  info.pages = int(jobs.size());
  return info;
}

Result<Quality> parse_quality(std::string_view text) {
  if (text == "fine") return Quality::fine;
  if (text == "standard") return Quality::standard;
  return fail(Errc::invalid_argument, "quality must be standard or fine", "quality");
}

std::string_view to_string(Quality quality) noexcept {
  return quality == Quality::fine ? "fine" : "standard";
}

double line_seconds(std::uint64_t coded_bytes) noexcept {
  return double(coded_bytes) * 8.0 / 14400.0;
}

Result<int> inspect_input(const std::string& path, const ConvertOptions& options) {
  if (!options.isolate) {
    silence_libtiff();
    auto in = load_input(path, options);
    if (!in) return std::unexpected(in.error());
    return int(in->pages.size());
  }
  auto program = converter_path();
  if (!program) return std::unexpected(program.error());
  auto out = run_isolated(inspect_command(*program, path, options), limits(options));
  if (!out) return std::unexpected(out.error());
  return std::stoi(*out);
}

Result<FaxDocumentInfo> convert_to_fax_tiff(const std::vector<std::string>& inputs,
                                            const std::string& out_tiff, Quality quality,
                                            const ConvertOptions& options) {
  if (!options.isolate) return convert_here(inputs, out_tiff, quality, options);
  auto program = converter_path();
  if (!program) return std::unexpected(program.error());
  auto out =
      run_isolated(convert_command(*program, inputs, out_tiff, quality, options), limits(options));
  if (!out) {
    std::remove(out_tiff.c_str());  // a killed child leaves its partial file
    return std::unexpected(out.error());
  }
  return deserialize(*out);
}

}  // namespace faxd::document
