#pragma once
// Call detail records as CSV (RFC 4180, CRLF line ends): the header line and one line per call,
// columns in the order of the API's call object. The API streams it, the scheduled mail attaches
// it. Pure.
#include <string>
#include <string_view>

#include "faxd/store/call_repo.hpp"

namespace faxd::store {

// "id,fax_id,direction,...\r\n"
std::string_view call_csv_header() noexcept;
// Appends one row. Fields with a comma, quote or line break are quoted; a text field a
// spreadsheet would take for a formula (=, @, or + / - not followed by a number) gets a leading
// apostrophe, so a caller id cannot run code in the provider's spreadsheet.
void append_call_csv(std::string& out, const Call& call);

}  // namespace faxd::store
