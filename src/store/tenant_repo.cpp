#include "faxd/store/tenant_repo.hpp"

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

using detail::exists;
using detail::reject;

namespace {

constexpr std::string_view kBrandSelect =
    "SELECT id, name, created_at, updated_at, language FROM brands";
constexpr std::string_view kCompanySelect =
    "SELECT id, brand_id, name, timezone, language, created_at, updated_at, retention_days FROM "
    "companies";

Brand read_brand(const Stmt& st) {
  return {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4)};
}

Company read_company(const Stmt& st) {
  Company co{.id = st.text(0),
             .brand_id = st.text(1),
             .name = st.text(2),
             .timezone = st.text(3),
             .language = st.text(4),
             .created_at = st.text(5),
             .updated_at = st.text(6)};
  if (auto v = st.opt_int64(7)) co.retention_days = static_cast<int>(*v);
  return co;
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
  Brand b{new_id(now), std::string(name), format_rfc3339(now), format_rfc3339(now),
          std::string(language)};
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

Result<Brand> TenantRepo::rename_brand(std::string_view id, std::string_view name) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<Brand> {
    auto b = load_brand(c, id);
    if (!b) return fail(Errc::not_found, "no such brand");
    if (exists(c, "SELECT 1 FROM brands WHERE name = ? AND id <> ?", name, id))
      reject(Errc::conflict, "name", "name: a brand with this name exists");
    b->name = std::string(name);
    b->updated_at = now;
    c.exec("UPDATE brands SET name = ?, updated_at = ? WHERE id = ?", b->name, now, b->id);
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
    c.exec(
        "INSERT INTO companies (id, brand_id, name, timezone, language, retention_days, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
        co.id, co.brand_id, co.name, co.timezone, co.language, co.retention_days, co.created_at,
        co.updated_at);
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
    co->updated_at = now;
    c.exec(
        "UPDATE companies SET name = ?, timezone = ?, language = ?, retention_days = ?, "
        "updated_at = ? WHERE id = ?",
        co->name, co->timezone, co->language, co->retention_days, now, co->id);
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
    if (exists(c, "SELECT 1 FROM faxes WHERE company_id = ?", id))
      return fail(Errc::conflict, "the company still has faxes; delete them first");
    c.exec("DELETE FROM companies WHERE id = ?", id);
    return {};
  });
}

}  // namespace faxd::store
