#include "faxd/store/carrier_repo.hpp"

#include <spdlog/spdlog.h>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

using detail::exists;
using detail::reject;

namespace {

constexpr std::string_view kCarrierSelect =
    "SELECT id, brand_id, name, host, port, transport, username, password, t38, max_calls, "
    "number_format, dial_prefix, country, created_at, updated_at FROM carriers";
constexpr std::string_view kRouteSelect =
    "SELECT id, brand_id, type, prefix, carrier_id, priority, weight, company_id, created_at, "
    "updated_at FROM routes";

Carrier read_carrier(const Stmt& st) {
  Carrier c;
  c.id = st.text(0);
  c.brand_id = st.text(1);
  c.name = st.text(2);
  c.host = st.text(3);
  c.port = st.int32(4);
  c.transport = st.text(5);
  c.username = st.text(6);
  c.password = st.text(7);
  c.t38 = st.boolean(8);
  c.max_calls = st.int32(9);
  c.number_format = st.text(10);
  c.dial_prefix = st.text(11);
  c.country = st.text(12);
  c.created_at = st.text(13);
  c.updated_at = st.text(14);
  return c;
}

Route read_route(const Stmt& st) {
  Route r;
  r.id = st.text(0);
  r.brand_id = st.text(1);
  r.type = st.text(2);
  r.prefix = st.text(3);
  r.carrier_id = st.text(4);
  r.priority = st.int32(5);
  r.weight = st.int32(6);
  r.company_id = st.opt_text(7);
  r.created_at = st.text(8);
  r.updated_at = st.text(9);
  return r;
}

std::optional<Carrier> load_carrier(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("{} WHERE id = ?", kCarrierSelect));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_carrier(st);
}

std::optional<Route> load_route(Conn& c, std::string_view id) {
  auto& st = c.prepare(fmt::format("{} WHERE id = ?", kRouteSelect));
  st.bind_all(id);
  if (!st.step()) return std::nullopt;
  return read_route(st);
}

void check_name_free(Conn& c, const Carrier& k) {
  if (exists(c, "SELECT 1 FROM carriers WHERE brand_id = ? AND name = ? AND id <> ?", k.brand_id,
             k.name, k.id))
    reject(Errc::conflict, "name", "name: a carrier with this name exists in the brand");
}

void check_carrier_of_brand(Conn& c, const Route& r) {
  // A carrier of another brand is reported exactly like a missing one.
  if (!exists(c, "SELECT 1 FROM carriers WHERE id = ? AND brand_id = ?", r.carrier_id, r.brand_id))
    reject(Errc::invalid_argument, "carrier_id", "carrier_id: no such carrier in the brand");
  if (r.company_id && !exists(c, "SELECT 1 FROM companies WHERE id = ? AND brand_id = ?",
                              *r.company_id, r.brand_id))
    reject(Errc::invalid_argument, "company_id", "company_id: no such company in the brand");
}

void write_carrier(Conn& c, const Carrier& k, const std::string& stored_password) {
  c.exec(
      "UPDATE carriers SET name = ?, host = ?, port = ?, transport = ?, username = ?, "
      "password = ?, t38 = ?, max_calls = ?, number_format = ?, dial_prefix = ?, country = ?, "
      "updated_at = ? WHERE id = ?",
      k.name, k.host, k.port, k.transport, k.username, stored_password, k.t38, k.max_calls,
      k.number_format, k.dial_prefix, k.country, k.updated_at, k.id);
}

template <class T, class Read>
std::vector<T> all_rows(Conn& c, const std::string& sql, std::string_view arg, Read read) {
  auto& st = c.prepare(sql);
  if (!arg.empty()) st.bind_all(arg);
  std::vector<T> out;
  while (st.step()) out.push_back(read(st));
  return out;
}

}  // namespace

std::string CarrierRepo::seal(std::string_view password) const {
  return secrets_ ? secrets_->seal(password) : std::string(password);
}

std::string CarrierRepo::reveal(std::string_view stored) const {
  if (!secrets_) return std::string(stored);
  auto open = secrets_->open(stored);
  if (!open) spdlog::error("store.secret_unreadable table=carriers error={}", open.error().message);
  return open.value_or("");
}

Carrier CarrierRepo::revealed(Carrier c) const {
  c.password = reveal(c.password);
  return c;
}

Result<int> CarrierRepo::seal_plaintext_secrets() {
  if (!secrets_) return 0;
  return db_.write([&](Conn& c) {
    auto& st = c.prepare("SELECT id, password FROM carriers WHERE password <> ''");
    std::vector<std::pair<std::string, std::string>> plain;
    while (st.step())
      if (!SecretBox::is_sealed(st.text(1))) plain.emplace_back(st.text(0), st.text(1));
    for (const auto& [id, pw] : plain)
      c.exec("UPDATE carriers SET password = ? WHERE id = ?", secrets_->seal(pw), id);
    return static_cast<int>(plain.size());
  });
}

Result<Carrier> CarrierRepo::create_carrier(const Carrier& in) {
  const auto now = clock_.now();
  Carrier k = in;
  k.id = new_id(now);
  k.created_at = k.updated_at = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    if (!exists(c, "SELECT 1 FROM brands WHERE id = ?", k.brand_id))
      reject(Errc::invalid_argument, "brand_id", "brand_id: no such brand");
    check_name_free(c, k);
    c.exec(
        "INSERT INTO carriers (id, brand_id, name, host, port, transport, username, password, "
        "t38, max_calls, number_format, dial_prefix, country, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        k.id, k.brand_id, k.name, k.host, k.port, k.transport, k.username, seal(k.password), k.t38,
        k.max_calls, k.number_format, k.dial_prefix, k.country, k.created_at, k.updated_at);
    return k;
  });
}

Result<std::optional<Carrier>> CarrierRepo::find_carrier(std::string_view id) {
  auto k = db_.read([&](Conn& c) { return load_carrier(c, id); });
  if (k && *k) **k = revealed(std::move(**k));
  return k;
}

Result<Slice<Carrier>> CarrierRepo::list_carriers(const TenantFilter& f, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("brand_id = ?", *f.brand_id);
    return detail::page_query<Carrier>(c, kCarrierSelect, w, "id", page, [this](const Stmt& st) {
      return revealed(read_carrier(st));
    });
  });
}

Result<Carrier> CarrierRepo::update_carrier(std::string_view id, const CarrierPatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<Carrier> {
    auto k = load_carrier(c, id);
    if (!k) return fail(Errc::not_found, "no such carrier");
    k->password = reveal(k->password);
    if (p.name) k->name = *p.name;
    if (p.host) k->host = *p.host;
    if (p.port) k->port = *p.port;
    if (p.transport) k->transport = *p.transport;
    if (p.username) k->username = *p.username;
    if (p.password) k->password = *p.password;
    if (p.t38) k->t38 = *p.t38;
    if (p.max_calls) k->max_calls = *p.max_calls;
    if (p.number_format) k->number_format = *p.number_format;
    if (p.dial_prefix) k->dial_prefix = *p.dial_prefix;
    if (p.country) k->country = *p.country;
    check_name_free(c, *k);
    k->updated_at = now;
    write_carrier(c, *k, seal(k->password));
    return *k;
  });
}

Result<void> CarrierRepo::delete_carrier(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (!load_carrier(c, id)) return fail(Errc::not_found, "no such carrier");
    if (exists(c, "SELECT 1 FROM routes WHERE carrier_id = ?", id))
      return fail(Errc::conflict, "the carrier is used by routes; delete or change them first");
    c.exec("DELETE FROM carriers WHERE id = ?", id);
    return {};
  });
}

Result<std::vector<Carrier>> CarrierRepo::all_carriers() {
  return db_.read([&](Conn& c) {
    return all_rows<Carrier>(c, fmt::format("{} ORDER BY id", kCarrierSelect), "",
                             [this](const Stmt& st) { return revealed(read_carrier(st)); });
  });
}

Result<std::vector<Carrier>> CarrierRepo::carriers_for_brand(std::string_view brand_id) {
  return db_.read([&](Conn& c) {
    return all_rows<Carrier>(c, fmt::format("{} WHERE brand_id = ? ORDER BY id", kCarrierSelect),
                             brand_id,
                             [this](const Stmt& st) { return revealed(read_carrier(st)); });
  });
}

Result<Route> CarrierRepo::create_route(const Route& in) {
  const auto now = clock_.now();
  Route r = in;
  r.id = new_id(now);
  r.created_at = r.updated_at = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    if (!exists(c, "SELECT 1 FROM brands WHERE id = ?", r.brand_id))
      reject(Errc::invalid_argument, "brand_id", "brand_id: no such brand");
    check_carrier_of_brand(c, r);
    c.exec(
        "INSERT INTO routes (id, brand_id, company_id, type, prefix, carrier_id, priority, weight, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        r.id, r.brand_id, r.company_id, r.type, r.prefix, r.carrier_id, r.priority, r.weight,
        r.created_at, r.updated_at);
    return r;
  });
}

Result<std::optional<Route>> CarrierRepo::find_route(std::string_view id) {
  return db_.read([&](Conn& c) { return load_route(c, id); });
}

Result<Slice<Route>> CarrierRepo::list_routes(const TenantFilter& f, const Page& page) {
  return db_.read([&](Conn& c) {
    detail::Where w;
    if (f.brand_id) w.add("brand_id = ?", *f.brand_id);
    if (f.company_id) w.add("company_id = ?", *f.company_id);
    return detail::page_query<Route>(c, kRouteSelect, w, "id", page, read_route);
  });
}

Result<Route> CarrierRepo::update_route(std::string_view id, const RoutePatch& p) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) -> Result<Route> {
    auto r = load_route(c, id);
    if (!r) return fail(Errc::not_found, "no such route");
    if (p.type) r->type = *p.type;
    if (p.prefix) r->prefix = *p.prefix;
    if (p.carrier_id) r->carrier_id = *p.carrier_id;
    if (p.company_id) r->company_id = *p.company_id;
    if (p.carrier_id || p.company_id) check_carrier_of_brand(c, *r);
    if (p.priority) r->priority = *p.priority;
    if (p.weight) r->weight = *p.weight;
    r->updated_at = now;
    c.exec(
        "UPDATE routes SET type = ?, prefix = ?, carrier_id = ?, priority = ?, weight = ?, "
        "company_id = ?, updated_at = ? WHERE id = ?",
        r->type, r->prefix, r->carrier_id, r->priority, r->weight, r->company_id, now, r->id);
    return *r;
  });
}

Result<void> CarrierRepo::delete_route(std::string_view id) {
  return db_.write([&](Conn& c) -> Result<void> {
    if (c.exec("DELETE FROM routes WHERE id = ?", id) == 0)
      return fail(Errc::not_found, "no such route");
    return {};
  });
}

Result<std::vector<Route>> CarrierRepo::routes_for_brand(std::string_view brand_id) {
  return db_.read([&](Conn& c) {
    return all_rows<Route>(c, fmt::format("{} WHERE brand_id = ? ORDER BY id", kRouteSelect),
                           brand_id, read_route);
  });
}

}  // namespace faxd::store
