#pragma once
// The retention purge: removes the documents of faxes older than their company's
// `retention_days` (0: as soon as the fax is final and its mail went out), keeping the fax row
// with `document_purged_at` set (the API then answers 410 Gone for the document and its pages).
// Files go through the Spool, so the purge follows wherever documents are stored.
//
// The row is marked first, then the file removed: a crash between the two leaves a file no row
// refers to (removed by hand or by a later sweep), never a row whose document is missing.
//
// Threads: run_once blocks (store, files) and runs on the worker pool; the App's PeriodicTask
// keeps one run at a time. References outlive the object.
#include "faxd/common/clock.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/store/retention_repo.hpp"

namespace faxd::jobs {

class RetentionPurge {
 public:
  RetentionPurge(store::RetentionRepo& repo, const Spool& spool, const Clock& clock,
                 int batch = 200)
      : repo_(repo), spool_(spool), clock_(clock), batch_(batch) {}

  // Purges every due document (in batches); returns how many faxes lost their document.
  int run_once();

 private:
  store::RetentionRepo& repo_;
  const Spool& spool_;
  const Clock& clock_;
  int batch_;
};

}  // namespace faxd::jobs
