#pragma once
// An upload, identified by content and checked against the limits before any rendering
// (internal). Messages are for the uploader: they name the problem, never a server path.
#include <memory>
#include <string>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/document/document.hpp"
#include "pdf_source.hpp"

namespace faxd::document {

struct Input {
  InputKind kind = InputKind::pdf;
  std::string path;
  std::shared_ptr<const std::string> bytes;  // PDF only: poppler parses from memory
  std::vector<PageSize> pages;               // as displayed, in inches
};

// What the first bytes say the file is, or an error naming what it looks like instead.
Result<InputKind> sniff(const std::string& head);

// Reads and checks one input. `pages_before` counts pages of earlier inputs against
// options.max_pages.
Result<Input> load_input(const std::string& path, const ConvertOptions& options,
                         int pages_before = 0);

}  // namespace faxd::document
