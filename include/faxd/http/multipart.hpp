#pragma once
// multipart/form-data (RFC 7578) parsing for uploads. Pure: a body and its Content-Type in,
// parts out (views into the body, no copies). Malformed input is an error, never a crash; it has
// a libFuzzer target (tests/fuzz).
#include <string>
#include <string_view>
#include <vector>

#include "faxd/common/error.hpp"

namespace faxd::http {

struct Part {
  std::string name;          // form field name
  std::string filename;      // "" when not a file
  std::string content_type;  // "" when absent
  std::string_view data;     // points into the body given to parse_multipart
};

// The boundary from a Content-Type header ("multipart/form-data; boundary=..."), or an error.
Result<std::string> multipart_boundary(std::string_view content_type);
// Splits the body; limits the number of parts.
Result<std::vector<Part>> parse_multipart(std::string_view body, std::string_view boundary,
                                          std::size_t max_parts = 64);

}  // namespace faxd::http
