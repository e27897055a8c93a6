#include "faxd/store/notification_template_repo.hpp"

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

using detail::exists;
using detail::reject;

namespace {

constexpr std::string_view kSelect =
    "SELECT id, brand_id, company_id, kind, language, from_name, from_address, subject, "
    "body_text, body_html, created_at, updated_at FROM notification_templates";

NotificationTemplate read_template(const Stmt& st) {
  NotificationTemplate t;
  t.id = st.text(0);
  t.brand_id = st.text(1);
  t.company_id = st.opt_text(2);
  t.kind = st.text(3);
  t.language = st.text(4);
  t.from_name = st.text(5);
  t.from_address = st.text(6);
  t.subject = st.text(7);
  t.body_text = st.text(8);
  t.body_html = st.opt_text(9);
  t.created_at = st.text(10);
  t.updated_at = st.text(11);
  return t;
}

std::optional<NotificationTemplate> load(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("{} WHERE id = ?", kSelect));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_template(st);
}

// One template per owner, kind and language.
void check_unique(Conn& c, const NotificationTemplate& t) {
  const bool taken =
      t.company_id
          ? exists(c,
                   "SELECT 1 FROM notification_templates WHERE company_id = ? AND kind = ? AND "
                   "language = ? AND id <> ?",
                   *t.company_id, t.kind, t.language, t.id)
          : exists(c,
                   "SELECT 1 FROM notification_templates WHERE brand_id = ? AND company_id IS NULL "
                   "AND kind = ? AND language = ? AND id <> ?",
                   t.brand_id, t.kind, t.language, t.id);
  if (taken)
    reject(Errc::conflict, "language",
           fmt::format("language: there is already a {} template in {} here", t.kind, t.language));
}

}  // namespace

Result<NotificationTemplate> NotificationTemplateRepo::create(const NotificationTemplate& in) {
  const auto now = clock_.now();
  NotificationTemplate t = in;
  t.id = new_id(now);
  t.created_at = t.updated_at = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    if (!exists(c, "SELECT 1 FROM brands WHERE id = ?", t.brand_id))
      reject(Errc::invalid_argument, "brand_id", "brand_id: no such brand");
    if (t.company_id && !exists(c, "SELECT 1 FROM companies WHERE id = ? AND brand_id = ?",
                                *t.company_id, t.brand_id))
      reject(Errc::invalid_argument, "company_id", "company_id: no such company");
    check_unique(c, t);
    c.exec(
        "INSERT INTO notification_templates (id, brand_id, company_id, kind, language, from_name, "
        "from_address, subject, body_text, body_html, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        t.id, t.brand_id, t.company_id, t.kind, t.language, t.from_name, t.from_address, t.subject,
        t.body_text, t.body_html, t.created_at, t.updated_at);
    return t;
  });
}

Result<std::optional<NotificationTemplate>> NotificationTemplateRepo::find(std::string_view id) {
  return db_.read([&](Conn& c) { return load(c, id); });
}

Result<Slice<NotificationTemplate>> NotificationTemplateRepo::list(const TenantFilter& f,
                                                                   const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("brand_id = ?", *f.brand_id);
    if (f.company_id) w.add("company_id = ?", *f.company_id);
    return detail::page_query<NotificationTemplate>(c, kSelect, w, "id", page, read_template);
  });
}

Result<NotificationTemplate> NotificationTemplateRepo::update(std::string_view id,
                                                              const NotificationTemplatePatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<NotificationTemplate> {
    auto t = load(c, id);
    if (!t) return fail(Errc::not_found, "no such notification template");
    if (p.kind) t->kind = *p.kind;
    if (p.language) t->language = *p.language;
    if (p.from_name) t->from_name = *p.from_name;
    if (p.from_address) t->from_address = *p.from_address;
    if (p.subject) t->subject = *p.subject;
    if (p.body_text) t->body_text = *p.body_text;
    if (p.body_html) t->body_html = *p.body_html;
    t->updated_at = now;
    check_unique(c, *t);
    c.exec(
        "UPDATE notification_templates SET kind = ?, language = ?, from_name = ?, "
        "from_address = ?, subject = ?, body_text = ?, body_html = ?, updated_at = ? WHERE id = ?",
        t->kind, t->language, t->from_name, t->from_address, t->subject, t->body_text, t->body_html,
        t->updated_at, t->id);
    return *t;
  });
}

Result<void> NotificationTemplateRepo::remove(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (c.exec("DELETE FROM notification_templates WHERE id = ?", id) == 0)
      return fail(Errc::not_found, "no such notification template");
    return {};
  });
}

Result<std::vector<NotificationTemplate>> NotificationTemplateRepo::for_mail(
    std::string_view brand_id, std::string_view company_id, std::string_view kind) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(fmt::format(
        "{} WHERE brand_id = ? AND kind = ? AND (company_id IS NULL OR company_id = ?) ORDER BY id",
        kSelect));
    st.bind_all(brand_id, kind, company_id);
    std::vector<NotificationTemplate> out;
    while (st.step()) out.push_back(read_template(st));
    return out;
  });
}

}  // namespace faxd::store
