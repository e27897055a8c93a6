#include "input.hpp"

#include <fmt/format.h>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

#include "tiff_handle.hpp"
#include "tiff_pages.hpp"

namespace faxd::document {

namespace {

using namespace std::string_view_literals;

std::string megabytes(std::uint64_t bytes) {
  return fmt::format("{:.1f} MB", double(bytes) / (1024.0 * 1024.0));
}

bool starts(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

Result<void> check_page(int number, const PageSize& size, const ConvertOptions& options) {
  double longest = std::max(size.width_in, size.height_in);
  double shortest = std::min(size.width_in, size.height_in);
  if (!(longest <= options.max_page_inches))
    return fail(
        Errc::too_large,
        fmt::format("page {} is {:.0f} x {:.0f} inches; the largest page accepted is {:.0f} "
                    "inches on its longest side",
                    number, size.width_in, size.height_in, options.max_page_inches));
  if (!(shortest >= 0.5))
    return fail(Errc::invalid_argument,
                fmt::format("page {} is only {:.2f} x {:.2f} inches: too small to fax", number,
                            size.width_in, size.height_in));
  return {};
}

Result<void> check_count(int pages, int pages_before, const ConvertOptions& options) {
  if (pages == 0) return fail(Errc::invalid_argument, "the document has no pages");
  if (pages_before + pages > options.max_pages)
    return fail(Errc::too_large, fmt::format("the document has {} pages; the limit is {}",
                                             pages_before + pages, options.max_pages));
  return {};
}

Result<void> load_pdf(Input& in, const ConvertOptions& options, int pages_before) {
  std::ifstream f(in.path, std::ios::binary);
  auto bytes = std::make_shared<std::string>(std::istreambuf_iterator<char>(f),
                                             std::istreambuf_iterator<char>());
  if (!f && !f.eof()) return fail(Errc::io, "cannot read the document");
  // A PDF ends with %%EOF (readers look in the last kilobyte); without it the upload was cut.
  std::string_view tail(*bytes);
  if (tail.size() > 1024) tail = tail.substr(tail.size() - 1024);
  if (tail.find("%%EOF") == std::string_view::npos)
    return fail(Errc::invalid_argument, "the PDF is truncated (it has no end-of-file marker)");
  in.bytes = bytes;
  auto pdf = PdfSource::open(in.bytes);
  if (!pdf) return std::unexpected(pdf.error());
  int pages = pdf->page_count();
  if (auto ok = check_count(pages, pages_before, options); !ok) return ok;
  for (int i = 0; i < pages; ++i) {
    auto size = pdf->page_size(i);
    if (!size) return std::unexpected(size.error());
    if (auto ok = check_page(i + 1, *size, options); !ok) return ok;
    in.pages.push_back(*size);
  }
  return {};
}

Result<void> load_tiff(Input& in, const ConvertOptions& options, int pages_before) {
  auto tif = open_tiff(in.path, "r");
  if (!tif) return fail(Errc::invalid_argument, "the TIFF is damaged and cannot be read");
  int index = 0;
  do {
    ++index;
    if (pages_before + index > options.max_pages)
      return fail(Errc::too_large, fmt::format("the document has more than {} pages; the limit "
                                               "is {}",
                                               options.max_pages, options.max_pages));
    auto info = read_page_info(tif->get(), index);
    if (!info) return std::unexpected(info.error());
    PageSize size{info->width / info->x_dpi, info->height / info->y_dpi};
    if (auto ok = check_page(index, size, options); !ok) return ok;
    in.pages.push_back(size);
  } while (TIFFReadDirectory(tif->get()));
  return check_count(int(in.pages.size()), pages_before, options);
}

}  // namespace

Result<InputKind> sniff(const std::string& head) {
  std::string_view h(head);
  if (h.empty()) return fail(Errc::invalid_argument, "the file is empty");
  if (starts(h, "II*\0"sv) || starts(h, "MM\0*"sv) || starts(h, "II+\0"sv) || starts(h, "MM\0+"sv))
    return InputKind::tiff;
  if (h.find("%PDF-") != std::string_view::npos) return InputKind::pdf;
  std::string_view what;
  if (starts(h, "\x89PNG"))
    what = " (it is a PNG image)";
  else if (starts(h, "\xff\xd8\xff"))
    what = " (it is a JPEG image)";
  else if (starts(h, "GIF8"))
    what = " (it is a GIF image)";
  else if (starts(h, "PK\x03\x04"))
    what = " (it is a ZIP archive or an Office document)";
  else if (starts(h, "\xd0\xcf\x11\xe0"))
    what = " (it is an old Office document)";
  else if (starts(h, "{\\rtf"))
    what = " (it is an RTF document)";
  else if (starts(h, "%!PS"))
    what = " (it is PostScript)";
  return fail(Errc::invalid_argument, fmt::format("not a PDF or TIFF document{}", what));
}

Result<Input> load_input(const std::string& path, const ConvertOptions& options, int pages_before) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return fail(Errc::invalid_argument, "the document cannot be read (no such file)");
  if (size > options.max_bytes)
    return fail(Errc::too_large, fmt::format("the document is {}; the limit is {}", megabytes(size),
                                             megabytes(options.max_bytes)));
  std::string head(1024, '\0');
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) return fail(Errc::io, "cannot read the document");
    f.read(head.data(), std::streamsize(head.size()));
    head.resize(std::size_t(f.gcount()));
  }
  auto kind = sniff(head);
  if (!kind) return std::unexpected(kind.error());
  Input in;
  in.kind = *kind;
  in.path = path;
  auto ok = *kind == InputKind::pdf ? load_pdf(in, options, pages_before)
                                    : load_tiff(in, options, pages_before);
  if (!ok) return std::unexpected(ok.error());
  return in;
}

}  // namespace faxd::document
