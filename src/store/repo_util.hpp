#pragma once
// Helpers shared by the repositories (private to the store): keyset paging, existence checks
// and failures that name the offending field.
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "faxd/store/db.hpp"
#include "faxd/store/tenancy.hpp"

namespace faxd::store::detail {

// Throws inside a transaction: rolled back, reported as Error{code, message, field}.
[[noreturn]] inline void reject(Errc code, std::string field, std::string message) {
  throw Failure{code, std::move(message), std::move(field)};
}

// "SELECT 1 FROM <table> WHERE <cond>" with string arguments: true when a row matches.
template <class... Args>
bool exists(Conn& c, std::string_view sql, const Args&... args) {
  Stmt& st = c.prepare(sql);
  st.bind_all(args...);
  return st.step();
}

// AND-ed conditions with one string argument each.
struct Where {
  std::vector<std::string> conds;
  std::vector<std::string> args;
  void add(std::string cond, std::string arg) {
    conds.push_back(std::move(cond));
    args.push_back(std::move(arg));
  }
};

// Runs "<select> WHERE <conds> AND <id_col> > ? ORDER BY <id_col> LIMIT n+1" and reads up to
// page.limit rows; next_cursor is set when a further row exists.
template <class T, class Read>
Slice<T> page_query(Conn& c, std::string_view select, const Where& w, std::string_view id_col,
                    const Page& page, Read read) {
  std::string sql(select);
  sql += " WHERE 1=1";
  for (const auto& cond : w.conds) sql += " AND " + cond;
  sql += fmt::format(" AND {} > ? ORDER BY {} LIMIT ?", id_col, id_col);
  Stmt& st = c.prepare(sql);
  int i = 1;
  for (const auto& a : w.args) st.bind(i++, a);
  st.bind(i++, page.after);
  st.bind(i, page.limit + 1);
  Slice<T> out;
  while (st.step()) {
    if (static_cast<int>(out.items.size()) == page.limit) {
      out.next_cursor = out.items.back().id;
      break;
    }
    out.items.push_back(read(st));
  }
  return out;
}

}  // namespace faxd::store::detail
