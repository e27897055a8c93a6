#include "faxd/jobs/spool.hpp"

#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "faxd/common/id.hpp"
#include "faxd/document/document.hpp"
#include "faxd/store/document_repo.hpp"

namespace faxd::jobs {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

// Writes beside the target and renames: a concurrent reader sees the whole file or none.
Result<void> write_atomically(const fs::path& target, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  const fs::path tmp = target.string() + "." + random_hex(4) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      fs::remove(tmp, ec);
      return fail(Errc::io, fmt::format("cannot write {}", target.string()));
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) return fail(Errc::io, fmt::format("cannot write {}: {}", target.string(), ec.message()));
  return {};
}

fs::path pdf_of(std::string relative_tiff) {
  return fs::path(relative_tiff).replace_extension(".pdf");
}

}  // namespace

Result<void> Spool::prepare() const {
  for (const char* sub : {"outbound", "inbound", "tmp", "cache"}) {
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

Result<void> Spool::publish(const std::string& relative) const {
  if (!shared_) return {};
  auto bytes = read_all(path(relative));
  if (!bytes) return fail(Errc::io, fmt::format("cannot read {}", path(relative).string()));
  return shared_->put(relative, *bytes, now());
}

Result<fs::path> Spool::local(const std::string& relative) const {
  std::error_code ec;
  const fs::path own = path(relative);
  if (fs::exists(own, ec)) return own;
  if (!shared_) return fail(Errc::not_found, "the document is missing");
  // A copy in the cache is good while its size matches the stored one.
  const fs::path cached = root_ / "cache" / relative;
  auto size = shared_->size(relative);
  if (!size) return std::unexpected(size.error());
  if (!*size) return fail(Errc::not_found, "the document is missing");
  if (fs::exists(cached, ec) && static_cast<std::int64_t>(fs::file_size(cached, ec)) == **size)
    return cached;
  auto bytes = shared_->get(relative);
  if (!bytes) return std::unexpected(bytes.error());
  if (!*bytes) return fail(Errc::not_found, "the document is missing");
  if (auto w = write_atomically(cached, **bytes); !w) return std::unexpected(w.error());
  return cached;
}

Result<fs::path> Spool::ensure_pdf(const std::string& relative_tiff) const {
  const std::string relative_pdf = pdf_of(relative_tiff).string();
  std::error_code ec;
  const fs::path own_tiff = path(relative_tiff);
  const fs::path own_pdf = path(relative_pdf);
  const bool own = fs::exists(own_tiff, ec);
  // Made already from the TIFF as it is now (a PDF made mid-reception is older than the TIFF).
  if (own && fs::exists(own_pdf, ec) &&
      fs::last_write_time(own_pdf, ec) >= fs::last_write_time(own_tiff, ec))
    return own_pdf;
  // In a cluster, the node that received the fax made it.
  if (!own && shared_) {
    if (auto theirs = local(relative_pdf); theirs || theirs.error().code != Errc::not_found)
      return theirs;
  }
  auto tiff = local(relative_tiff);
  if (!tiff) return std::unexpected(tiff.error());
  const fs::path pdf = own ? own_pdf : root_ / "cache" / relative_pdf;
  const fs::path tmp = pdf.string() + "." + random_hex(4) + ".tmp";
  if (auto r = document::fax_tiff_to_pdf(tiff->string(), tmp.string()); !r) {
    fs::remove(tmp, ec);
    return std::unexpected(r.error());
  }
  fs::rename(tmp, pdf, ec);  // atomic: a concurrent reader sees the whole PDF or none
  if (ec) return fail(Errc::io, fmt::format("cannot write {}: {}", pdf.string(), ec.message()));
  if (shared_) {
    auto bytes = read_all(pdf);
    if (!bytes) return fail(Errc::io, fmt::format("cannot read {}", pdf.string()));
    if (auto put = shared_->put(relative_pdf, *bytes, now()); !put)
      return std::unexpected(put.error());
  }
  return pdf;
}

void Spool::remove(const std::string& relative_tiff) const {
  std::error_code ec;
  const std::string relative_pdf = pdf_of(relative_tiff).string();
  for (const auto& rel : {relative_tiff, relative_pdf}) {
    fs::remove(path(rel), ec);
    fs::remove(root_ / "cache" / rel, ec);
    if (shared_) (void)shared_->remove(rel);
  }
}

int Spool::trim_cache(std::chrono::hours age) const {
  if (!shared_) return 0;
  int removed = 0;
  std::error_code ec;
  const auto cutoff = fs::file_time_type::clock::now() - age;
  for (const char* sub : {"outbound", "inbound", "cache/outbound", "cache/inbound"}) {
    const fs::path dir = root_ / sub;
    const bool cache = std::string_view(sub).starts_with("cache/");
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (!e.is_regular_file(ec) || fs::last_write_time(e.path(), ec) > cutoff) continue;
      const std::string relative =
          (fs::path(cache ? std::string_view(sub).substr(6) : std::string_view(sub)) /
           e.path().filename())
              .string();
      // Only a copy of what the store holds whole; a working file not (yet) published stays.
      auto stored = shared_->size(relative);
      if (!stored || !*stored || **stored != static_cast<std::int64_t>(e.file_size(ec))) continue;
      if (fs::remove(e.path(), ec)) ++removed;
    }
  }
  return removed;
}

}  // namespace faxd::jobs
