#pragma once
// One migration history for both backends. A migration is plain portable DDL; where SQLite and
// PostgreSQL cannot share a statement, the file marks lines for one backend only:
//
//   -- faxd:sqlite-only begin          -- faxd:postgresql-only begin
//   ...                                ...
//   -- faxd:sqlite-only end            -- faxd:postgresql-only end
//
// and PostgreSQL reads `INTEGER PRIMARY KEY AUTOINCREMENT` as BIGSERIAL and `BLOB` as BYTEA.
#include <string>
#include <string_view>

namespace faxd::store::detail {

std::string sqlite_dialect(std::string_view sql);
std::string postgresql_dialect(std::string_view sql);

}  // namespace faxd::store::detail
