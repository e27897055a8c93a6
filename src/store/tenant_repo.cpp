#include "faxd/store/tenant_repo.hpp"

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

std::string TenantState::disabled_message() const {
  if (!brand_enabled)
    return fmt::format("{} is switched off by its provider: faxes are not sent or received",
                       brand_name);
  if (!company_enabled)
    return fmt::format("{} is switched off by its provider: faxes are not sent or received",
                       company_name);
  return {};
}

std::optional<SendingContext::Refusal> SendingContext::refusal() const {
  if (!tenant.enabled())
    return Refusal{.tenant_disabled = true, .message = tenant.disabled_message()};
  if (caller_id.empty())
    return Refusal{.field = "virtual_fax_id",
                   .message =
                       "no outgoing DDI (give the virtual fax or its company one: it is "
                       "the caller id)"};
  return std::nullopt;
}

using detail::exists;
using detail::reject;

namespace {

constexpr std::string_view kBrandSelect =
    "SELECT id, name, enabled, created_at, updated_at, language FROM brands";
constexpr std::string_view kCompanySelect =
    "SELECT id, brand_id, name, timezone, language, country, default_outgoing_ddi_id, enabled, "
    "created_at, updated_at, retention_days FROM companies";

Brand read_brand(const Stmt& st) {
  return {.id = st.text(0),
          .name = st.text(1),
          .enabled = st.boolean(2),
          .created_at = st.text(3),
          .updated_at = st.text(4),
          .language = st.text(5)};
}

Company read_company(const Stmt& st) {
  Company co{.id = st.text(0),
             .brand_id = st.text(1),
             .name = st.text(2),
             .timezone = st.text(3),
             .language = st.text(4),
             .country = st.text(5),
             .default_outgoing_ddi_id = st.opt_text(6),
             .enabled = st.boolean(7),
             .created_at = st.text(8),
             .updated_at = st.text(9)};
  if (auto v = st.opt_int64(10)) co.retention_days = static_cast<int>(*v);
  return co;
}

// The default outgoing DDI must be one of the company's own DDIs.
void check_default_ddi(Conn& c, const Company& co) {
  if (co.default_outgoing_ddi_id && !exists(c, "SELECT 1 FROM ddis WHERE id = ? AND company_id = ?",
                                            *co.default_outgoing_ddi_id, co.id))
    reject(Errc::invalid_argument, "default_outgoing_ddi_id",
           "default_outgoing_ddi_id: no such DDI in the company");
}

std::optional<Brand> load_brand(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("{} WHERE id = ?", kBrandSelect));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_brand(st);
}

std::optional<Company> load_company(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("{} WHERE id = ?", kCompanySelect));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_company(st);
}

}  // namespace

Result<Brand> TenantRepo::create_brand(std::string_view name, std::string_view language) {
  const auto now = clock_.now();
  Brand b{.id = new_id(now),
          .name = std::string(name),
          .created_at = format_rfc3339(now),
          .updated_at = format_rfc3339(now),
          .language = std::string(language)};
  return db_.write([&](Conn& c) {
    if (exists(c, "SELECT 1 FROM brands WHERE name = ?", b.name))
      reject(Errc::conflict, "name", "name: a brand with this name exists");
    c.exec("INSERT INTO brands (id, name, created_at, updated_at, language) VALUES (?,?,?,?,?)",
           b.id, b.name, b.created_at, b.updated_at, b.language);
    return b;
  });
}

Result<std::optional<Brand>> TenantRepo::find_brand(std::string_view id) {
  return db_.read([&](Conn& c) { return load_brand(c, id); });
}

Result<Slice<Brand>> TenantRepo::list_brands(const TenantFilter& f, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("id = ?", *f.brand_id);
    return detail::page_query<Brand>(c, kBrandSelect, w, "id", page, read_brand);
  });
}

Result<Brand> TenantRepo::update_brand(std::string_view id, const BrandPatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<Brand> {
    auto b = load_brand(c, id);
    if (!b) return fail(Errc::not_found, "no such brand");
    if (p.name) {
      if (exists(c, "SELECT 1 FROM brands WHERE name = ? AND id <> ?", *p.name, id))
        reject(Errc::conflict, "name", "name: a brand with this name exists");
      b->name = *p.name;
    }
    if (p.enabled) b->enabled = *p.enabled;
    b->updated_at = now;
    c.exec("UPDATE brands SET name = ?, enabled = ?, updated_at = ? WHERE id = ?", b->name,
           b->enabled, now, b->id);
    return *b;
  });
}

Result<Brand> TenantRepo::set_brand_language(std::string_view id, std::string_view language) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<Brand> {
    auto b = load_brand(c, id);
    if (!b) return fail(Errc::not_found, "no such brand");
    b->language = std::string(language);
    b->updated_at = now;
    c.exec("UPDATE brands SET language = ?, updated_at = ? WHERE id = ?", b->language, now, b->id);
    return *b;
  });
}

Result<Brand> TenantRepo::rename_brand(std::string_view id, std::string_view name) {
  return update_brand(id, {.name = std::string(name)});
}

Result<TenantState> TenantRepo::tenant_state(std::string_view company_id) {
  return db_.read([&](Conn& c) -> Result<TenantState> {
    auto& st = c.prepare(
        "SELECT b.enabled, co.enabled, b.name, co.name, co.country FROM companies co "
        "JOIN brands b ON b.id = co.brand_id WHERE co.id = ?");
    st.bind_all(company_id);
    if (!st.step()) return fail(Errc::not_found, "no such company");
    return TenantState{.brand_enabled = st.boolean(0),
                       .company_enabled = st.boolean(1),
                       .brand_name = st.text(2),
                       .company_name = st.text(3),
                       .country = st.text(4)};
  });
}

Result<std::optional<SendingContext>> TenantRepo::sending_context(std::string_view vfax_id) {
  return db_.read([&](Conn& c) -> std::optional<SendingContext> {
    auto& st = c.prepare(
        "SELECT b.enabled, co.enabled, b.name, co.name, co.country, co.id, vd.number, cd.number "
        "FROM virtual_faxes v JOIN companies co ON co.id = v.company_id "
        "JOIN brands b ON b.id = co.brand_id "
        "LEFT JOIN ddis vd ON vd.id = v.outgoing_ddi_id "
        "LEFT JOIN ddis cd ON cd.id = co.default_outgoing_ddi_id WHERE v.id = ?");
    st.bind_all(vfax_id);
    if (!st.step()) return std::nullopt;
    SendingContext ctx{.tenant = {.brand_enabled = st.boolean(0),
                                  .company_enabled = st.boolean(1),
                                  .brand_name = st.text(2),
                                  .company_name = st.text(3),
                                  .country = st.text(4)},
                       .company_id = st.text(5)};
    ctx.caller_id = st.opt_text(6).value_or(st.opt_text(7).value_or(""));
    return ctx;
  });
}

Result<void> TenantRepo::delete_brand(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (!load_brand(c, id)) return fail(Errc::not_found, "no such brand");
    if (exists(c, "SELECT 1 FROM companies WHERE brand_id = ?", id))
      return fail(Errc::conflict, "the brand still has companies; delete them first");
    if (exists(c, "SELECT 1 FROM carriers WHERE brand_id = ?", id))
      return fail(Errc::conflict, "the brand still has carriers; delete them first");
    if (exists(c, "SELECT 1 FROM ddis WHERE brand_id = ?", id))
      return fail(Errc::conflict, "the brand still has DDIs; delete them first");
    if (exists(c, "SELECT 1 FROM users WHERE brand_id = ?", id))
      return fail(Errc::conflict, "the brand still has users; delete them first");
    c.exec("DELETE FROM brands WHERE id = ?", id);
    return {};
  });
}

Result<Company> TenantRepo::create_company(const Company& in) {
  const auto now = clock_.now();
  Company co = in;
  co.id = new_id(now);
  co.created_at = co.updated_at = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    if (!exists(c, "SELECT 1 FROM brands WHERE id = ?", co.brand_id))
      reject(Errc::invalid_argument, "brand_id", "brand_id: no such brand");
    if (exists(c, "SELECT 1 FROM companies WHERE brand_id = ? AND name = ?", co.brand_id, co.name))
      reject(Errc::conflict, "name", "name: a company with this name exists in the brand");
    // A new company has no DDIs yet, so it cannot name a default one.
    if (co.default_outgoing_ddi_id) check_default_ddi(c, co);
    c.exec(
        "INSERT INTO companies (id, brand_id, name, timezone, language, country, enabled, "
        "retention_days, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        co.id, co.brand_id, co.name, co.timezone, co.language, co.country, co.enabled,
        co.retention_days, co.created_at, co.updated_at);
    return co;
  });
}

Result<std::optional<Company>> TenantRepo::find_company(std::string_view id) {
  return db_.read([&](Conn& c) { return load_company(c, id); });
}

Result<Slice<Company>> TenantRepo::list_companies(const TenantFilter& f, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("brand_id = ?", *f.brand_id);
    if (f.company_id) w.add("id = ?", *f.company_id);
    return detail::page_query<Company>(c, kCompanySelect, w, "id", page, read_company);
  });
}

Result<Company> TenantRepo::update_company(std::string_view id, const CompanyPatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<Company> {
    auto co = load_company(c, id);
    if (!co) return fail(Errc::not_found, "no such company");
    if (p.name) {
      if (exists(c, "SELECT 1 FROM companies WHERE brand_id = ? AND name = ? AND id <> ?",
                 co->brand_id, *p.name, id))
        reject(Errc::conflict, "name", "name: a company with this name exists in the brand");
      co->name = *p.name;
    }
    if (p.timezone) co->timezone = *p.timezone;
    if (p.language) co->language = *p.language;
    if (p.retention_days) co->retention_days = *p.retention_days;
    if (p.country) co->country = *p.country;
    if (p.enabled) co->enabled = *p.enabled;
    if (p.default_outgoing_ddi_id) {
      co->default_outgoing_ddi_id = *p.default_outgoing_ddi_id;
      check_default_ddi(c, *co);
    }
    co->updated_at = now;
    c.exec(
        "UPDATE companies SET name = ?, timezone = ?, language = ?, country = ?, "
        "default_outgoing_ddi_id = ?, enabled = ?, retention_days = ?, updated_at = ? WHERE id = ?",
        co->name, co->timezone, co->language, co->country, co->default_outgoing_ddi_id, co->enabled,
        co->retention_days, now, co->id);
    return *co;
  });
}

Result<void> TenantRepo::delete_company(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (!load_company(c, id)) return fail(Errc::not_found, "no such company");
    if (exists(c, "SELECT 1 FROM virtual_faxes WHERE company_id = ?", id))
      return fail(Errc::conflict, "the company still has virtual faxes; delete them first");
    if (exists(c, "SELECT 1 FROM users WHERE company_id = ?", id))
      return fail(Errc::conflict, "the company still has users; delete them first");
    if (exists(c, "SELECT 1 FROM ddis WHERE company_id = ?", id))
      return fail(Errc::conflict, "the company still has DDIs; take them back first");
    if (exists(c, "SELECT 1 FROM routes WHERE company_id = ?", id))
      return fail(Errc::conflict, "the company still has its own routes; delete them first");
    if (exists(c, "SELECT 1 FROM faxes WHERE company_id = ?", id))
      return fail(Errc::conflict, "the company still has faxes; delete them first");
    c.exec("DELETE FROM companies WHERE id = ?", id);
    return {};
  });
}

}  // namespace faxd::store
