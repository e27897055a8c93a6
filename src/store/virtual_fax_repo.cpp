#include "faxd/store/virtual_fax_repo.hpp"

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

using detail::exists;
using detail::reject;

namespace {

constexpr std::string_view kVfaxSelect =
    "SELECT v.id, v.company_id, c.brand_id, v.name, v.email, v.send_by_email, v.notify_sender, "
    "v.outgoing_ddi_id, v.station_id, v.header, v.created_at, v.updated_at, v.mail_cover "
    "FROM virtual_faxes v JOIN companies c ON c.id = v.company_id";

VirtualFax read_vfax(const Stmt& st) {
  VirtualFax v;
  v.id = st.text(0);
  v.company_id = st.text(1);
  v.brand_id = st.text(2);
  v.name = st.text(3);
  v.email = st.text(4);
  v.send_by_email = st.boolean(5);
  v.notify_sender = st.boolean(6);
  v.outgoing_ddi_id = st.opt_text(7);
  v.station_id = st.text(8);
  v.header = st.text(9);
  v.created_at = st.text(10);
  v.updated_at = st.text(11);
  v.mail_cover = st.boolean(12);
  return v;
}

// Fills in mail_senders for the given virtual faxes (one query).
void load_senders(Conn& c, std::vector<VirtualFax*> faxes) {
  if (faxes.empty()) return;
  // Placeholders in steps of 50 (padded with the first id), so a connection caches a few
  // statements, not one per page size.
  const std::size_t slots = (faxes.size() + 49) / 50 * 50;
  std::string sql =
      "SELECT virtual_fax_id, sender FROM virtual_fax_mail_senders WHERE virtual_fax_id IN (";
  for (std::size_t i = 0; i < slots; ++i) sql += i ? ",?" : "?";
  sql += ") ORDER BY virtual_fax_id, sender";
  auto& st = c.prepare(sql);
  for (std::size_t i = 0; i < slots; ++i)
    st.bind(static_cast<int>(i + 1), faxes[i < faxes.size() ? i : 0]->id);
  while (st.step()) {
    const auto id = st.text(0);
    for (auto* v : faxes)
      if (v->id == id) v->mail_senders.push_back(st.text(1));
  }
}

std::optional<VirtualFax> load_vfax(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("{} WHERE v.id = ?", kVfaxSelect));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  auto v = read_vfax(st);
  st.reset();
  load_senders(c, {&v});
  return v;
}

void save_senders(Conn& c, const VirtualFax& v) {
  c.exec("DELETE FROM virtual_fax_mail_senders WHERE virtual_fax_id = ?", v.id);
  for (const auto& s : v.mail_senders)
    c.exec(
        "INSERT INTO virtual_fax_mail_senders (virtual_fax_id, sender) VALUES (?, ?) "
        "ON CONFLICT (virtual_fax_id, sender) DO NOTHING",
        v.id, s);
}

void check(Conn& c, const VirtualFax& v) {
  if (exists(c, "SELECT 1 FROM virtual_faxes WHERE company_id = ? AND name = ? AND id <> ?",
             v.company_id, v.name, v.id))
    reject(Errc::conflict, "name", "name: a virtual fax with this name exists in the company");
  if (v.outgoing_ddi_id && !exists(c, "SELECT 1 FROM ddis WHERE id = ? AND company_id = ?",
                                   *v.outgoing_ddi_id, v.company_id))
    reject(Errc::invalid_argument, "outgoing_ddi_id",
           "outgoing_ddi_id: no such DDI in the company");
}

}  // namespace

Result<VirtualFax> VirtualFaxRepo::create_virtual_fax(const VirtualFax& in) {
  const auto now = clock_.now();
  VirtualFax v = in;
  v.id = new_id(now);
  v.created_at = v.updated_at = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    auto& st = c.prepare("SELECT brand_id FROM companies WHERE id = ?");
    st.bind_all(v.company_id);
    if (!st.step()) reject(Errc::invalid_argument, "company_id", "company_id: no such company");
    v.brand_id = st.text(0);
    check(c, v);
    c.exec(
        "INSERT INTO virtual_faxes (id, company_id, name, email, send_by_email, notify_sender, "
        "outgoing_ddi_id, station_id, header, created_at, updated_at, mail_cover) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        v.id, v.company_id, v.name, v.email, v.send_by_email, v.notify_sender, v.outgoing_ddi_id,
        v.station_id, v.header, v.created_at, v.updated_at, v.mail_cover);
    save_senders(c, v);
    return v;
  });
}

Result<std::optional<VirtualFax>> VirtualFaxRepo::find_virtual_fax(std::string_view id) {
  return db_.read([&](Conn& c) { return load_vfax(c, id); });
}

Result<Slice<VirtualFax>> VirtualFaxRepo::list_virtual_faxes(const TenantFilter& f,
                                                             const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("c.brand_id = ?", *f.brand_id);
    if (f.company_id) w.add("v.company_id = ?", *f.company_id);
    if (f.linked_user_id)
      w.add("v.id IN (SELECT virtual_fax_id FROM user_virtual_faxes WHERE user_id = ?)",
            *f.linked_user_id);
    auto slice = detail::page_query<VirtualFax>(c, kVfaxSelect, w, "v.id", page, read_vfax);
    std::vector<VirtualFax*> items;
    for (auto& v : slice.items) items.push_back(&v);
    load_senders(c, items);
    return slice;
  });
}

Result<VirtualFax> VirtualFaxRepo::update_virtual_fax(std::string_view id,
                                                      const VirtualFaxPatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<VirtualFax> {
    auto v = load_vfax(c, id);
    if (!v) return fail(Errc::not_found, "no such virtual fax");
    if (p.name) v->name = *p.name;
    if (p.email) v->email = *p.email;
    if (p.send_by_email) v->send_by_email = *p.send_by_email;
    if (p.notify_sender) v->notify_sender = *p.notify_sender;
    if (p.outgoing_ddi_id) v->outgoing_ddi_id = *p.outgoing_ddi_id;
    if (p.station_id) v->station_id = *p.station_id;
    if (p.header) v->header = *p.header;
    if (p.mail_cover) v->mail_cover = *p.mail_cover;
    check(c, *v);
    v->updated_at = now;
    c.exec(
        "UPDATE virtual_faxes SET name = ?, email = ?, send_by_email = ?, notify_sender = ?, "
        "outgoing_ddi_id = ?, station_id = ?, header = ?, mail_cover = ?, updated_at = ? "
        "WHERE id = ?",
        v->name, v->email, v->send_by_email, v->notify_sender, v->outgoing_ddi_id, v->station_id,
        v->header, v->mail_cover, now, v->id);
    if (p.mail_senders) {
      v->mail_senders = *p.mail_senders;
      save_senders(c, *v);
    }
    return *v;
  });
}

Result<void> VirtualFaxRepo::delete_virtual_fax(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (c.exec("DELETE FROM virtual_faxes WHERE id = ?", id) == 0)
      return fail(Errc::not_found, "no such virtual fax");
    return {};
  });
}

Result<std::vector<VirtualFax>> VirtualFaxRepo::find_by_mail_sender(std::string_view address) {
  std::string exact(address);
  for (auto& ch : exact)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  const auto at = exact.rfind('@');
  if (at == std::string::npos) return std::vector<VirtualFax>{};
  const std::string domain = exact.substr(at);
  return db_.read([&](Conn& c) {
    std::vector<VirtualFax> out;
    for (const auto& key : {exact, domain}) {
      std::vector<std::string> ids;
      auto& st = c.prepare(
          "SELECT virtual_fax_id FROM virtual_fax_mail_senders WHERE sender = ? "
          "ORDER BY virtual_fax_id");
      st.bind_all(key);
      while (st.step()) ids.push_back(st.text(0));
      st.reset();
      for (const auto& id : ids)
        if (auto v = load_vfax(c, id)) out.push_back(std::move(*v));
      if (!out.empty()) break;  // the address itself wins over its domain
    }
    return out;
  });
}

Result<std::vector<std::string>> VirtualFaxRepo::linked_user_ids(std::string_view virtual_fax_id) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(
        "SELECT user_id FROM user_virtual_faxes WHERE virtual_fax_id = ? ORDER BY user_id");
    st.bind_all(virtual_fax_id);
    std::vector<std::string> out;
    while (st.step()) out.push_back(st.text(0));
    return out;
  });
}

}  // namespace faxd::store
