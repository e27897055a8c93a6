#pragma once
// The page header line (TTI) of a sent fax, as faxd draws it on every page when the page is sent
// (document::stamp_page_headers) and shows it in the preview: the date in the company's time
// zone and language, the header text, our number, and "page n/m" (Spanish "pág. n/m").
// Pure; any thread.
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/document/render.hpp"

namespace faxd::jobs {

struct HeaderContext {
  std::string header;       // the fax's header text, else its virtual fax's; "" = no header line
  std::string from_number;  // our number, shown after the text
  SysTime when{};           // the send time
  std::string timezone = "UTC";
  std::string language = "en";
};

document::HeaderLine page_header_line(const HeaderContext& context, int page, int pages);

}  // namespace faxd::jobs
