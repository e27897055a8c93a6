#pragma once
// The spool: where fax documents live under the data directory, and the derived files made
// from them on demand. The store keeps paths relative to the spool, so a data directory can move.
//
//   outbound/<id>.tiff   TIFF-F converted from an upload, sent as is
//   inbound/<id>.tiff    pages as received (spandsp writes them)
//   <same>.pdf           the PDF for people, made once from the TIFF, written atomically
//   tmp/                 uploads being converted
//
// Threads: any (blocking file I/O).
#include <filesystem>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"

namespace faxd::jobs {

class Spool {
 public:
  explicit Spool(std::filesystem::path root) : root_(std::move(root)) {}

  // Creates the folders; fails with a message naming the path.
  Result<void> prepare() const;
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path path(const std::string& relative) const { return root_ / relative; }

  // A new relative path for a document ("outbound/<id>.tiff" or "inbound/<id>.tiff").
  std::string new_document(std::string_view direction, SysTime now) const;
  std::filesystem::path new_temp(SysTime now, std::string_view suffix) const;

  // The PDF of a document, made from its TIFF the first time it is asked for.
  Result<std::filesystem::path> ensure_pdf(const std::string& relative_tiff) const;
  // Removes a document and what was made from it.
  void remove(const std::string& relative_tiff) const;

 private:
  std::filesystem::path root_;
};

}  // namespace faxd::jobs
