#include "faxd/jobs/page_header.hpp"

#include <fmt/format.h>

#include "faxd/common/local_time.hpp"

namespace faxd::jobs {

document::HeaderLine page_header_line(const HeaderContext& c, int page, int pages) {
  std::string left = format_local_short(c.when, c.timezone, c.language);
  if (!c.header.empty()) left += "   " + c.header;
  if (!c.from_number.empty()) left += "   " + c.from_number;
  const char* word = c.language.starts_with("es") ? "pág." : "page";
  return {std::move(left), fmt::format("{} {}/{}", word, page, pages)};
}

}  // namespace faxd::jobs
