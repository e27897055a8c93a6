#include "fax_compose.hpp"

#include <algorithm>

#include "faxd/store/cover_template_repo.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::api {

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
  store::TenantRepo tenants(d.db, d.clock);
  store::CoverTemplateRepo templates(d.db, d.clock);
  return jobs::cover_context(
      tenants, templates, vf, from_number,
      {.to_name = s.cover_to, .subject = s.cover_subject, .note = s.cover_note},
      s.send_at.value_or(d.clock.now()), doc_tiff, quality);
}

Result<document::FaxDocumentInfo> write_with_cover(const FaxApiDeps& d, CoverContext& cover,
                                                   const std::string& to_number, int doc_pages,
                                                   const std::string& doc_tiff,
                                                   const std::string& out_tiff) {
  return jobs::write_with_cover(d.spool, d.clock.now(), cover, to_number, doc_pages, doc_tiff,
                                out_tiff);
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
