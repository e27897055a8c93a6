#include "faxd/store/fax_list_query.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace faxd::store {

const std::string_view kFaxColumns =
    "id, direction, brand_id, company_id, virtual_fax_id, created_by, from_number, to_number, "
    "status, pages, pages_total, quality, header, attempts, dials, bit_rate, ecm, transport, "
    "remote_station_id, failure_code, failure_message, idempotency_key, document, claimed_by, "
    "created_at, updated_at, started_at, completed_at, next_attempt_at, calls, document_purged_at, "
    "batch_id, send_at";

namespace {

// More virtual faxes than this in a user's scope: one `IN (...)` query (sorts its matches)
// rather than a UNION ALL of that many arms.
constexpr std::size_t kMaxArms = 64;

struct Where {
  std::string sql;
  std::vector<std::string> args;
  void add(std::string_view expr, const std::string& value) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += expr;
    args.push_back(value);
  }
};

// " WHERE virtual_fax_id IN (?,...)" with one argument per virtual fax.
void where_virtual_fax_in(const std::vector<std::string>& vfaxes, Where& w) {
  w.sql = " WHERE virtual_fax_id IN (";
  for (std::size_t i = 0; i < vfaxes.size(); ++i) {
    w.sql += i ? ",?" : "?";
    w.args.push_back(vfaxes[i]);
  }
  w.sql += ")";
}

// The filters (not the virtual fax scope) in a fixed order.
void add_filters(const FaxQuery& q, Where& w) {
  if (q.scope.brand_id) w.add("brand_id = ?", *q.scope.brand_id);
  if (q.scope.company_id) w.add("company_id = ?", *q.scope.company_id);
  if (q.direction) w.add("direction = ?", *q.direction);
  if (q.status) w.add("status = ?", *q.status);
  if (q.from_number) w.add("from_number = ?", *q.from_number);
  if (q.to_number) w.add("to_number = ?", *q.to_number);
  if (q.batch_id) w.add("batch_id = ?", *q.batch_id);
  if (q.since) w.add("created_at >= ?", *q.since);
  if (q.until) w.add("created_at < ?", *q.until);
  if (q.cursor) w.add(q.oldest_first ? "id > ?" : "id < ?", *q.cursor);
}

const char* order(const FaxQuery& q) {
  return q.oldest_first ? "ASC" : "DESC";
}

std::string select(const FaxQuery& q, const Where& w) {
  return fmt::format("SELECT {} FROM faxes{} ORDER BY id {} LIMIT ?", kFaxColumns, w.sql, order(q));
}

}  // namespace

FaxListSql fax_list_sql(const FaxQuery& q) {
  FaxListSql out;
  out.limit = std::clamp(q.limit, 1, 500);
  const std::string fetch = std::to_string(out.limit + 1);

  std::vector<std::string> vfaxes;  // the virtual faxes to look in; none = no such restriction
  if (q.scope.virtual_fax_ids) {
    vfaxes = *q.scope.virtual_fax_ids;
    if (q.virtual_fax_id) {
      const bool in_scope =
          std::find(vfaxes.begin(), vfaxes.end(), *q.virtual_fax_id) != vfaxes.end();
      vfaxes = in_scope ? std::vector<std::string>{*q.virtual_fax_id} : std::vector<std::string>{};
    }
    if (vfaxes.empty()) {  // a user linked to nothing (or filtering outside its scope) sees nothing
      out.sql = fmt::format("SELECT {} FROM faxes WHERE 1 = 0 LIMIT ?", kFaxColumns);
      out.args = {fetch};
      return out;
    }
  } else if (q.virtual_fax_id) {
    vfaxes = {*q.virtual_fax_id};
  }

  if (vfaxes.size() <= 1) {
    Where w;
    if (!vfaxes.empty()) w.add("virtual_fax_id = ?", vfaxes[0]);
    add_filters(q, w);
    out.sql = select(q, w);
    out.args = std::move(w.args);
    out.args.push_back(fetch);
    return out;
  }

  if (vfaxes.size() > kMaxArms) {
    Where w;
    where_virtual_fax_in(vfaxes, w);
    add_filters(q, w);
    out.sql = select(q, w);
    out.args = std::move(w.args);
    out.args.push_back(fetch);
    return out;
  }

  // Each arm walks its own (virtual_fax_id, ..., id) index in the asked order and stops after a
  // page; the outer ORDER BY merges at most arms x page rows.
  for (std::size_t i = 0; i < vfaxes.size(); ++i) {
    Where w;
    w.add("virtual_fax_id = ?", vfaxes[i]);
    add_filters(q, w);
    out.sql += i ? " UNION ALL " : "";
    out.sql += fmt::format("SELECT * FROM ({}) AS arm{}", select(q, w), i);
    out.args.insert(out.args.end(), w.args.begin(), w.args.end());
    out.args.push_back(fetch);
  }
  out.sql += fmt::format(" ORDER BY id {} LIMIT ?", order(q));
  out.args.push_back(fetch);
  return out;
}

FaxListSql fax_count_sql(const FaxQuery& query, int cap) {
  FaxQuery q = query;
  q.cursor.reset();
  std::vector<std::string> vfaxes;
  bool restricted = false;
  if (q.scope.virtual_fax_ids) {
    restricted = true;
    vfaxes = *q.scope.virtual_fax_ids;
    if (q.virtual_fax_id)
      vfaxes = std::find(vfaxes.begin(), vfaxes.end(), *q.virtual_fax_id) != vfaxes.end()
                   ? std::vector<std::string>{*q.virtual_fax_id}
                   : std::vector<std::string>{};
  } else if (q.virtual_fax_id) {
    restricted = true;
    vfaxes = {*q.virtual_fax_id};
  }
  FaxListSql out;
  if (restricted && vfaxes.empty()) {
    out.sql = "SELECT 0";
    return out;
  }
  Where w;
  if (restricted) {
    where_virtual_fax_in(vfaxes, w);
  }
  add_filters(q, w);
  out.sql = fmt::format(
      "SELECT CAST(count(*) AS BIGINT) FROM (SELECT 1 FROM faxes{} LIMIT ?) AS matched", w.sql);
  out.args = std::move(w.args);
  out.args.push_back(std::to_string(cap + 1));
  return out;
}

}  // namespace faxd::store
