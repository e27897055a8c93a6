#pragma once
// The spool: where fax documents live under the data directory, and the derived files made
// from them on demand. The store keeps paths relative to the spool, so a data directory can move.
//
//   outbound/<id>.tiff   TIFF-F converted from an upload, sent as is
//   inbound/<id>.tiff    pages as received (spandsp writes them)
//   <same>.pdf           the PDF for people, made once from the TIFF, written atomically
//   tmp/                 uploads being converted
//   cache/<same>         a cluster node's copies of documents another node wrote
//
// Embedded (SQLite), the files are the documents. In a cluster (`shared` given: the documents
// table of PostgreSQL) the database holds every document and a node's files are only its
// working copies and a cache: what a node writes it publishes (publish), what it reads it asks
// for with local(), which fetches a document written elsewhere into cache/ and refetches a copy
// whose size no longer matches (a reception still growing on another node).
//
// Threads: any (blocking file and database I/O).
#include <filesystem>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"

namespace faxd::store {
class DocumentRepo;
}

namespace faxd::jobs {

class Spool {
 public:
  explicit Spool(std::filesystem::path root) : root_(std::move(root)) {}
  // In a cluster: documents shared through the store.
  Spool(std::filesystem::path root, store::DocumentRepo& shared, const Clock& clock)
      : root_(std::move(root)), shared_(&shared), clock_(&clock) {}

  // Creates the folders; fails with a message naming the path.
  Result<void> prepare() const;
  const std::filesystem::path& root() const { return root_; }
  bool shared() const { return shared_ != nullptr; }
  // Where this node writes the document `relative`.
  std::filesystem::path path(const std::string& relative) const { return root_ / relative; }

  // A new relative path for a document ("outbound/<id>.tiff" or "inbound/<id>.tiff").
  std::string new_document(std::string_view direction, SysTime now) const;
  std::filesystem::path new_temp(SysTime now, std::string_view suffix) const;

  // Makes the file written at path(relative) readable by every node (a no-op embedded).
  Result<void> publish(const std::string& relative) const;
  // A local file holding the document: the one this node wrote, or (in a cluster) a copy fetched
  // from the store. not_found when it exists nowhere.
  Result<std::filesystem::path> local(const std::string& relative) const;

  // The PDF of a document, made from its TIFF the first time it is asked for (and published).
  Result<std::filesystem::path> ensure_pdf(const std::string& relative_tiff) const;
  // Removes a document and what was made from it, here and in the store.
  void remove(const std::string& relative_tiff) const;

  // In a cluster: removes local copies older than `age` whose document the store holds (the
  // cache would otherwise grow for ever). Returns how many files went.
  int trim_cache(std::chrono::hours age) const;

 private:
  SysTime now() const { return clock_->now(); }

  std::filesystem::path root_;
  store::DocumentRepo* shared_ = nullptr;
  const Clock* clock_ = nullptr;
};

}  // namespace faxd::jobs
