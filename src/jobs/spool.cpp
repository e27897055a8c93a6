#include "faxd/jobs/spool.hpp"

#include <fmt/format.h>

#include "faxd/common/id.hpp"
#include "faxd/document/document.hpp"

namespace faxd::jobs {

namespace fs = std::filesystem;

Result<void> Spool::prepare() const {
  for (const char* sub : {"outbound", "inbound", "tmp"}) {
    std::error_code ec;
    fs::create_directories(root_ / sub, ec);
    if (ec)
      return fail(Errc::io,
                  fmt::format("cannot create {}: {}", (root_ / sub).string(), ec.message()));
  }
  // Uploads half-written by a process that died are of no use to anyone.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ / "tmp", ec)) fs::remove(e.path(), ec);
  return {};
}

std::string Spool::new_document(std::string_view direction, SysTime now) const {
  return fmt::format("{}/{}.tiff", direction, new_id(now));
}

fs::path Spool::new_temp(SysTime now, std::string_view suffix) const {
  return root_ / "tmp" / fmt::format("{}{}", new_id(now), suffix);
}

Result<fs::path> Spool::ensure_pdf(const std::string& relative_tiff) const {
  const fs::path tiff = root_ / relative_tiff;
  fs::path pdf = tiff;
  pdf.replace_extension(".pdf");
  std::error_code ec;
  if (fs::exists(pdf, ec)) return pdf;
  const fs::path tmp = pdf.string() + "." + random_hex(4) + ".tmp";
  if (auto r = document::fax_tiff_to_pdf(tiff.string(), tmp.string()); !r) {
    fs::remove(tmp, ec);
    return std::unexpected(r.error());
  }
  fs::rename(tmp, pdf, ec);  // atomic: a concurrent reader sees the whole PDF or none
  if (ec) return fail(Errc::io, fmt::format("cannot write {}: {}", pdf.string(), ec.message()));
  return pdf;
}

void Spool::remove(const std::string& relative_tiff) const {
  std::error_code ec;
  fs::path tiff = root_ / relative_tiff;
  fs::remove(tiff, ec);
  fs::remove(tiff.replace_extension(".pdf"), ec);
}

}  // namespace faxd::jobs
