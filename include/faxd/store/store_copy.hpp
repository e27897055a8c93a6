#pragma once
// `faxd store copy`: moves a single node's data into another store (an embedded SQLite install
// growing into a PostgreSQL cluster). Every table is copied row by row with its ids, in an order
// that satisfies its foreign keys (a cycle, such as ddis <-> virtual_faxes, is broken by copying
// one nullable column afterwards); the documents the faxes name are copied into the target's
// documents table; generated keys continue after the copied ones.
//
// Both stores must be open at the same schema version (Db::open migrates both); the target must
// be empty, and the source must be SQLite (its catalogue names tables and foreign keys).
// Blocking; a command, not part of the daemon.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct CopyReport {
  std::vector<std::pair<std::string, std::int64_t>> rows;  // table, rows copied, in copy order
  int documents = 0;
};

// Reads the bytes of a document by its spool-relative name; nullopt when there is none.
using DocumentReader = std::function<std::optional<std::string>(const std::string& relative)>;

Result<CopyReport> copy_store(Db& from, Db& to, const DocumentReader& read_document, SysTime now);

}  // namespace faxd::store
