#pragma once
// The SELECT behind FaxRepo::list, built apart so tests can EXPLAIN it. Every scope and filter
// is served by an index that also yields `ORDER BY id DESC` (or ASC, oldest first: the same
// index walked the other way), so a page costs about `limit` rows
// however many faxes the store holds (see migrations 0001 and 0005):
//   - brand / company scope: faxes_brand, faxes_company; with a status filter the
//     (scope, status, id) indexes;
//   - a user's virtual faxes: one indexed arm per virtual fax (faxes_vfax or faxes_vfax_status),
//     each limited, merged by UNION ALL, instead of `IN (...)`, which sorts every matching row.
// Pure: no I/O. Values are bound, never spliced into the text.
#include <string>
#include <vector>

#include "faxd/store/fax_repo.hpp"

namespace faxd::store {

struct FaxListSql {
  std::string sql;                // selects the fax columns of FaxRepo (kFaxColumns order)
  std::vector<std::string> args;  // text values for ?1, ?2, ... in order
  int limit = 50;                 // the page size; the SQL asks for one row more
};

// The column list read by FaxRepo (shared so both agree on the order).
extern const std::string_view kFaxColumns;

FaxListSql fax_list_sql(const FaxQuery& query);
// How many faxes the query matches, its cursor and page size aside, counting at most cap + 1
// (the cost stays bounded on millions of faxes): selects one integer.
FaxListSql fax_count_sql(const FaxQuery& query, int cap);

}  // namespace faxd::store
