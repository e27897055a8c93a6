#pragma once
// What the retention purge reads and writes (see jobs/retention_purge.hpp): the companies with a
// retention period, their faxes whose documents are due, and the mark that a document is gone.
//
// A document is due when its fax is final, completed at or before the company's cutoff, and has
// no mail still waiting in the outbox (the mail attaches it). The fax row stays; its `document`
// becomes NULL and `document_purged_at` says when.
//
// Threads: any (blocking; call from the worker pool).
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct RetentionRule {
  std::string company_id;
  int retention_days = 0;
};

struct DueDocument {
  std::string fax_id;
  std::string document;  // spool path
};

class RetentionRepo {
 public:
  explicit RetentionRepo(Db& db) : db_(db) {}

  Result<std::vector<RetentionRule>> rules();
  // Up to `limit` documents of the company's final faxes completed at or before `cutoff`.
  Result<std::vector<DueDocument>> due(const std::string& company_id, SysTime cutoff, int limit);
  struct Marked {
    bool marked = false;       // the fax's document is now purged
    bool remove_file = false;  // and no other fax refers to the file (a broadcast shares one)
  };
  // Marks the fax's document purged, if it still is the same document, the fax is still final
  // and no mail waits for it.
  Result<Marked> mark_purged(const DueDocument& doc, SysTime now);

 private:
  Db& db_;
};

}  // namespace faxd::store
