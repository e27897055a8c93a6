#include "faxd/store/brand_look_repo.hpp"

#include <fmt/format.h>

#include "faxd/common/time.hpp"
#include "repo_util.hpp"

namespace faxd::store {

namespace {

constexpr std::string_view kSelect =
    "SELECT brand_id, product_name, logo, accent_color, header_color, hosts, updated_at "
    "FROM brand_looks";

std::vector<std::string> split_hosts(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    auto part = s.substr(0, comma);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string join_hosts(const std::vector<std::string>& hosts) {
  std::string out;
  for (const auto& h : hosts) (out.empty() ? out : out += ',') += h;
  return out;
}

BrandLook read_look(const Stmt& st) {
  return {st.text(0), st.text(1), st.text(2), st.text(3), st.text(4), split_hosts(st.text(5)),
          st.text(6)};
}

}  // namespace

Result<std::optional<BrandLook>> BrandLookRepo::find(std::string_view brand_id) {
  return db_.read([&](Conn& c) -> std::optional<BrandLook> {
    auto& st = c.prepare(fmt::format("{} WHERE brand_id = ?", kSelect));
    st.bind_all(brand_id);
    if (!st.step()) return std::nullopt;
    return read_look(st);
  });
}

Result<std::optional<BrandLook>> BrandLookRepo::find_by_host(std::string_view host) {
  if (host.empty()) return std::optional<BrandLook>{};
  const auto pattern = fmt::format("%,{},%", host);
  return db_.read([&](Conn& c) -> std::optional<BrandLook> {
    auto& st = c.prepare(
        fmt::format("{} WHERE (',' || hosts || ',') LIKE ? ORDER BY brand_id LIMIT 1", kSelect));
    st.bind_all(pattern);
    if (!st.step()) return std::nullopt;
    return read_look(st);
  });
}

Result<BrandLook> BrandLookRepo::put(const BrandLook& look) {
  BrandLook saved = look;
  saved.updated_at = format_rfc3339(clock_.now());
  const auto hosts = join_hosts(saved.hosts);
  return db_.write([&](Conn& c) {
    for (const auto& h : saved.hosts)
      if (detail::exists(c,
                         "SELECT 1 FROM brand_looks WHERE brand_id <> ? AND "
                         "(',' || hosts || ',') LIKE ?",
                         saved.brand_id, fmt::format("%,{},%", h)))
        detail::reject(Errc::conflict, "hosts",
                       fmt::format("hosts: {} already shows another brand", h));
    c.exec(
        "INSERT INTO brand_looks (brand_id, product_name, logo, accent_color, header_color, hosts, "
        "updated_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (brand_id) DO UPDATE SET "
        "product_name = excluded.product_name, logo = excluded.logo, "
        "accent_color = excluded.accent_color, header_color = excluded.header_color, "
        "hosts = excluded.hosts, updated_at = excluded.updated_at",
        saved.brand_id, saved.product_name, saved.logo, saved.accent_color, saved.header_color,
        hosts, saved.updated_at);
    return saved;
  });
}

}  // namespace faxd::store
