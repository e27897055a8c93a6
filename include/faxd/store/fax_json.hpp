#pragma once
// The api.md fax object written straight into a string: the same bytes as
// `to_json(fax).dump()` with the error handler `replace` (keys in name order, no spaces), without
// building a nlohmann::json tree first. A page of 50 faxes is the API's hottest reply, and the
// tree (a std::map and a string per field) cost more than the SQL that read the rows.
// Pure; any thread.
#include <string>

#include "faxd/store/fax_repo.hpp"

namespace faxd::store {

void append_json(std::string& out, const Fax& fax);
// A JSON string literal, quotes included (nlohmann's escaping for anything but plain ASCII).
void append_json_string(std::string& out, std::string_view text);

}  // namespace faxd::store
