#include "faxd/jobs/fax_cover.hpp"

#include <cmath>
#include <filesystem>

#include <sodium.h>

#include "faxd/common/local_time.hpp"

namespace faxd::jobs {

namespace {

std::optional<std::string> from_base64(std::string_view in) {
  std::string out(in.size() * 3 / 4 + 3, '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), " \r\n", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace

Result<CoverContext> cover_context(store::TenantRepo& tenants, store::CoverTemplateRepo& templates,
                                   const store::VirtualFax& vf, const std::string& from_number,
                                   const CoverFields& fields, SysTime when,
                                   const std::string& doc_tiff, document::Quality quality) {
  CoverContext out;
  out.quality = quality;
  auto company = tenants.find_company(vf.company_id);
  if (!company) return std::unexpected(company.error());
  auto tmpl = templates.find(vf.company_id);
  if (!tmpl) return std::unexpected(tmpl.error());
  const std::string tz = *company ? (*company)->timezone : "UTC";
  const std::string lang = *company ? (*company)->language : "en";
  auto& p = out.page;
  p.language = lang;
  p.company_name = *company ? (*company)->name : "";
  if (*tmpl) {
    const auto& t = **tmpl;
    p.title = t.title;
    if (!t.company_name.empty()) p.company_name = t.company_name;
    p.company_details = t.company_details;
    p.footer = t.footer;
    if (t.logo_base64)
      if (auto png = from_base64(*t.logo_base64)) p.logo_png = std::move(*png);
  }
  p.from_name = vf.name;
  p.from_number = from_number;
  p.to_name = fields.to_name;
  p.subject = fields.subject;
  p.note = fields.note;
  p.date = format_local_short(when, tz, lang);
  // Letter when the document is (11 in tall), so the cover matches the pages after it.
  if (auto first = document::read_fax_tiff_info(doc_tiff); first && !first->page_info.empty()) {
    const auto& pg = first->page_info.front();
    if (pg.y_dpi > 0 && std::abs(pg.height / pg.y_dpi - 11.0) < 0.1)
      out.paper = document::Paper::letter;
  }
  return out;
}

Result<document::FaxDocumentInfo> write_with_cover(const Spool& spool, SysTime now,
                                                   CoverContext& cover,
                                                   const std::string& to_number, int doc_pages,
                                                   const std::string& doc_tiff,
                                                   const std::string& out_tiff) {
  cover.page.to_number = to_number;
  cover.page.pages = doc_pages + 1;
  auto page = document::render_cover_page(cover.page, cover.quality, cover.paper);
  if (!page) return std::unexpected(page.error());
  const auto cover_tiff = spool.new_temp(now, ".cover.tiff");
  auto written = document::write_fax_tiff({*page}, cover_tiff.string());
  if (!written) return std::unexpected(written.error());
  auto joined = document::join_fax_tiffs({cover_tiff.string(), doc_tiff}, out_tiff);
  std::error_code ec;
  std::filesystem::remove(cover_tiff, ec);
  return joined;
}

}  // namespace faxd::jobs
