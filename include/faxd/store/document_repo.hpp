#pragma once
// Fax documents stored in the database (table documents), by their spool-relative name. Used
// when the store is shared by a cluster (jobs::Spool publishes what it writes and fetches what it
// lacks); an embedded install keeps its documents as files only.
//
// Threads: any thread; blocking.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

class DocumentRepo {
 public:
  explicit DocumentRepo(Db& db) : db_(db) {}

  // Stores (or replaces) the bytes of `path`.
  Result<void> put(std::string_view path, std::string_view bytes, SysTime now);
  // The bytes, or nullopt when no such document is stored.
  Result<std::optional<std::string>> get(std::string_view path);
  // The stored size, or nullopt: cheap, to check a cached copy.
  Result<std::optional<std::int64_t>> size(std::string_view path);
  Result<void> remove(std::string_view path);

 private:
  Db& db_;
};

}  // namespace faxd::store
