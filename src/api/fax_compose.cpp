#include "fax_compose.hpp"

#include <algorithm>
#include <cmath>

#include <sodium.h>

#include "faxd/common/local_time.hpp"
#include "faxd/store/cover_template_repo.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::api {

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

bool may_use_virtual_fax(const store::VirtualFax& v, const store::FaxScope& scope) {
  if (scope.brand_id && *scope.brand_id != v.brand_id) return false;
  if (scope.company_id && *scope.company_id != v.company_id) return false;
  if (scope.virtual_fax_ids &&
      std::find(scope.virtual_fax_ids->begin(), scope.virtual_fax_ids->end(), v.id) ==
          scope.virtual_fax_ids->end())
    return false;
  return true;
}

Result<CoverContext> cover_context(FaxApiDeps& d, const store::VirtualFax& vf,
                                   const std::string& from_number, const Submission& s,
                                   const std::string& doc_tiff, document::Quality quality) {
  CoverContext out;
  out.quality = quality;
  auto company = store::TenantRepo(d.db, d.clock).find_company(vf.company_id);
  if (!company) return std::unexpected(company.error());
  auto tmpl = store::CoverTemplateRepo(d.db, d.clock).find(vf.company_id);
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
  p.to_name = s.cover_to;
  p.subject = s.cover_subject;
  p.note = s.cover_note;
  p.date = format_local_short(s.send_at.value_or(d.clock.now()), tz, lang);
  // Letter when the document is (11 in tall), so the cover matches the pages after it.
  if (auto first = document::read_fax_tiff_info(doc_tiff); first && !first->page_info.empty()) {
    const auto& pg = first->page_info.front();
    if (pg.y_dpi > 0 && std::abs(pg.height / pg.y_dpi - 11.0) < 0.1)
      out.paper = document::Paper::letter;
  }
  return out;
}

Result<document::FaxDocumentInfo> write_with_cover(const FaxApiDeps& d, CoverContext& cover,
                                                   const std::string& to_number, int doc_pages,
                                                   const std::string& doc_tiff,
                                                   const std::string& out_tiff) {
  cover.page.to_number = to_number;
  cover.page.pages = doc_pages + 1;
  auto page = document::render_cover_page(cover.page, cover.quality, cover.paper);
  if (!page) return std::unexpected(page.error());
  const auto cover_tiff = d.spool.new_temp(d.clock.now(), ".cover.tiff");
  auto written = document::write_fax_tiff({*page}, cover_tiff.string());
  if (!written) return std::unexpected(written.error());
  auto joined = document::join_fax_tiffs({cover_tiff.string(), doc_tiff}, out_tiff);
  std::error_code ec;
  std::filesystem::remove(cover_tiff, ec);
  return joined;
}

jobs::HeaderContext header_context(FaxApiDeps& d, const store::VirtualFax& vf,
                                   const std::string& from_number, const Submission& s) {
  jobs::HeaderContext h{.header = s.header.value_or(vf.header),
                        .from_number = from_number,
                        .when = s.send_at.value_or(d.clock.now())};
  if (auto c = store::TenantRepo(d.db, d.clock).find_company(vf.company_id); c && *c) {
    h.timezone = (*c)->timezone;
    h.language = (*c)->language;
  }
  return h;
}

}  // namespace faxd::api
