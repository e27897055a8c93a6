#include "faxd/jobs/retention_purge.hpp"

#include <spdlog/spdlog.h>

namespace faxd::jobs {

int RetentionPurge::run_once() {
  auto rules = repo_.rules();
  if (!rules) {
    spdlog::warn("retention.rules_failed error={}", rules.error().message);
    return 0;
  }
  int purged = 0;
  for (const auto& rule : *rules) {
    const auto now = clock_.now();
    const auto cutoff = now - std::chrono::hours(24) * rule.retention_days;
    for (;;) {
      auto due = repo_.due(rule.company_id, cutoff, batch_);
      if (!due) {
        spdlog::warn("retention.due_failed company={} error={}", rule.company_id,
                     due.error().message);
        break;
      }
      int done = 0;
      for (const auto& doc : *due) {
        auto marked = repo_.mark_purged(doc, clock_.now());
        if (!marked) {
          spdlog::warn("retention.mark_failed fax={} error={}", doc.fax_id, marked.error().message);
          continue;
        }
        if (!marked->marked) continue;  // changed meanwhile (a mail queued, the fax deleted)
        ++done;
        if (marked->remove_file) spool_.remove(doc.document);
        spdlog::info("retention.purged fax={} company={} days={}", doc.fax_id, rule.company_id,
                     rule.retention_days);
      }
      purged += done;
      // A short batch is the last; a batch of which nothing could be marked would repeat.
      if (static_cast<int>(due->size()) < batch_ || done == 0) break;
    }
  }
  return purged;
}

}  // namespace faxd::jobs
