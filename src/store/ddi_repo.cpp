#include "faxd/store/ddi_repo.hpp"

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

using detail::exists;
using detail::reject;

namespace {

constexpr std::string_view kDdiSelect =
    "SELECT id, brand_id, company_id, number, virtual_fax_id, created_at, updated_at FROM ddis";

Ddi read_ddi(const Stmt& st) {
  return {st.text(0),     st.text(1), st.opt_text(2), st.text(3),
          st.opt_text(4), st.text(5), st.text(6)};
}

std::optional<Ddi> load_ddi(Conn& c, std::string_view column, std::string_view value) {
  auto& st = c.prepare(fmt::format("{} WHERE {} = ?", kDdiSelect, column));
  st.bind_all(value);
  if (!st.step()) return std::nullopt;
  return read_ddi(st);
}

// The chain brand -> company -> virtual fax; references outside it read as missing.
void check_chain(Conn& c, const Ddi& d) {
  if (d.company_id && !exists(c, "SELECT 1 FROM companies WHERE id = ? AND brand_id = ?",
                              *d.company_id, d.brand_id))
    reject(Errc::invalid_argument, "company_id", "company_id: no such company in the brand");
  if (d.virtual_fax_id) {
    if (!d.company_id)
      reject(Errc::invalid_argument, "virtual_fax_id",
             "virtual_fax_id: the DDI must be given to a company first");
    if (!exists(c, "SELECT 1 FROM virtual_faxes WHERE id = ? AND company_id = ?", *d.virtual_fax_id,
                *d.company_id))
      reject(Errc::invalid_argument, "virtual_fax_id",
             "virtual_fax_id: no such virtual fax in the company");
  }
}

}  // namespace

Result<Ddi> DdiRepo::create_ddi(const Ddi& in) {
  const auto now = clock_.now();
  Ddi d = in;
  d.id = new_id(now);
  d.created_at = d.updated_at = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    if (!exists(c, "SELECT 1 FROM brands WHERE id = ?", d.brand_id))
      reject(Errc::invalid_argument, "brand_id", "brand_id: no such brand");
    check_chain(c, d);
    // A number of another brand is none of this brand's business: answered 404, the way a
    // lookup outside one's scope is, instead of confirming that someone has it.
    if (exists(c, "SELECT 1 FROM ddis WHERE number = ? AND brand_id = ?", d.number, d.brand_id))
      reject(Errc::conflict, "number", "number: this DDI exists already");
    if (exists(c, "SELECT 1 FROM ddis WHERE number = ?", d.number))
      reject(Errc::not_found, "number", "number: not available");
    c.exec(
        "INSERT INTO ddis (id, brand_id, company_id, number, virtual_fax_id, created_at, "
        "updated_at) VALUES (?,?,?,?,?,?,?)",
        d.id, d.brand_id, d.company_id, d.number, d.virtual_fax_id, d.created_at, d.updated_at);
    return d;
  });
}

Result<std::optional<Ddi>> DdiRepo::find_ddi(std::string_view id) {
  return db_.read([&](Conn& c) { return load_ddi(c, "id", id); });
}

Result<std::optional<Ddi>> DdiRepo::find_ddi_by_number(std::string_view number) {
  return db_.read([&](Conn& c) { return load_ddi(c, "number", number); });
}

Result<Slice<Ddi>> DdiRepo::list_ddis(const TenantFilter& f, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("brand_id = ?", *f.brand_id);
    if (f.company_id) w.add("company_id = ?", *f.company_id);
    return detail::page_query<Ddi>(c, kDdiSelect, w, "id", page, read_ddi);
  });
}

Result<Ddi> DdiRepo::update_ddi(std::string_view id, const DdiPatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<Ddi> {
    auto d = load_ddi(c, "id", id);
    if (!d) return fail(Errc::not_found, "no such DDI");
    if (p.company_id && *p.company_id != d->company_id) {
      if (exists(c, "SELECT 1 FROM virtual_faxes WHERE outgoing_ddi_id = ?", d->id))
        reject(Errc::conflict, "company_id",
               "company_id: the DDI is a virtual fax's outgoing DDI; change that first");
      if (exists(c, "SELECT 1 FROM companies WHERE default_outgoing_ddi_id = ?", d->id))
        reject(Errc::conflict, "company_id",
               "company_id: the DDI is its company's default outgoing DDI; change that first");
      d->company_id = *p.company_id;
      d->virtual_fax_id.reset();  // routed inside the old company: no longer meaningful
    }
    if (p.virtual_fax_id) d->virtual_fax_id = *p.virtual_fax_id;
    check_chain(c, *d);
    d->updated_at = now;
    c.exec("UPDATE ddis SET company_id = ?, virtual_fax_id = ?, updated_at = ? WHERE id = ?",
           d->company_id, d->virtual_fax_id, now, d->id);
    return *d;
  });
}

Result<void> DdiRepo::delete_ddi(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (!load_ddi(c, "id", id)) return fail(Errc::not_found, "no such DDI");
    if (exists(c, "SELECT 1 FROM virtual_faxes WHERE outgoing_ddi_id = ?", id))
      return fail(Errc::conflict, "the DDI is a virtual fax's outgoing DDI; change that first");
    if (exists(c, "SELECT 1 FROM companies WHERE default_outgoing_ddi_id = ?", id))
      return fail(Errc::conflict,
                  "the DDI is its company's default outgoing DDI; change that first");
    c.exec("DELETE FROM ddis WHERE id = ?", id);
    return {};
  });
}

Result<std::vector<Ddi>> DdiRepo::ddis_of_virtual_fax(std::string_view virtual_fax_id) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(fmt::format("{} WHERE virtual_fax_id = ? ORDER BY id", kDdiSelect));
    st.bind_all(virtual_fax_id);
    std::vector<Ddi> out;
    while (st.step()) out.push_back(read_ddi(st));
    return out;
  });
}

}  // namespace faxd::store
