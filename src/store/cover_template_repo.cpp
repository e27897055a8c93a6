#include "faxd/store/cover_template_repo.hpp"

#include "faxd/common/time.hpp"

namespace faxd::store {

namespace {

std::optional<CoverTemplate> select(Conn& c, std::string_view company_id) {
  auto& st = c.prepare(
      "SELECT company_id, title, company_name, company_details, footer, logo_png, created_at, "
      "updated_at FROM cover_templates WHERE company_id = ?");
  st.bind_all(company_id);
  if (!st.step()) return std::nullopt;
  return CoverTemplate{st.text(0), st.text(1),     st.text(2), st.text(3),
                       st.text(4), st.opt_text(5), st.text(6), st.text(7)};
}

}  // namespace

Result<std::optional<CoverTemplate>> CoverTemplateRepo::find(std::string_view company_id) {
  return db_.read([&](Conn& c) { return select(c, company_id); });
}

Result<CoverTemplate> CoverTemplateRepo::put(const CoverTemplate& t) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) {
    c.exec(
        "INSERT INTO cover_templates (company_id, title, company_name, company_details, footer, "
        "logo_png, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?) "
        "ON CONFLICT (company_id) DO UPDATE SET title = excluded.title, "
        "company_name = excluded.company_name, company_details = excluded.company_details, "
        "footer = excluded.footer, logo_png = excluded.logo_png, updated_at = excluded.updated_at",
        t.company_id, t.title, t.company_name, t.company_details, t.footer, t.logo_base64, now,
        now);
    auto row = select(c, t.company_id);
    if (!row) abort_tx(Errc::internal, "cover template not stored");
    return *row;
  });
}

}  // namespace faxd::store
