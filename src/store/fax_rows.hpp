#pragma once
// FaxRepo's row access shared by its source files (private to the store).
#include <string_view>

#include "faxd/store/db.hpp"
#include "faxd/store/fax_repo.hpp"

namespace faxd::store::detail {

// The fax `id` read inside a transaction; a missing one aborts it with not_found.
Fax must_select(Conn& c, std::string_view id);
// One row of kFaxColumns (fax_list_query.hpp), in that order.
Fax read_fax(const Stmt& st);

}  // namespace faxd::store::detail
