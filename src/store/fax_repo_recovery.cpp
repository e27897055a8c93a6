#include "faxd/store/fax_repo.hpp"

#include <fmt/format.h>

#include "fax_rows.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/call_repo.hpp"

// FaxRepo's side of claims after a crash or a node's death: a node's receptions kept alive by
// its heartbeat, its own interrupted faxes ended at start-up, a dead node's taken over.
namespace faxd::store {

using detail::must_select;

Result<void> FaxRepo::renew_receiving(std::string_view node, SysTime until) {
  return db_.write([&](Conn& c) {
    // `status IN (...)` repeats the predicate of the partial index faxes_active, so that both
    // engines walk that small index rather than every fax.
    c.exec(
        "UPDATE faxes SET claim_until = ? WHERE status IN ('sending','receiving') "
        "AND status = 'receiving' AND claimed_by = ?",
        format_rfc3339(until), node);
  });
}

namespace {

// Ends the interruption of the listed faxes (sending or receiving ones whose call is gone):
// running attempts failed, sending faxes queued again (due now), receiving ones failed keeping
// the pages that were stored.
// `who` is what stopped: "faxd" (this node, restarted) or "node NAME" (another, dead).
struct Interrupted {
  std::string id;
  std::string who;
};
int end_interrupted(Conn& c, const Clock& clock, const std::vector<Interrupted>& faxes) {
  const auto now = format_rfc3339(clock.now());
  for (const auto& [id, who] : faxes) {
    c.exec(
        "UPDATE fax_attempts SET result = 'failed', failure_code = 'internal', "
        "failure_message = ?, ended_at = ?, updated_at = ? WHERE fax_id = ? AND result = 'running'",
        fmt::format("interrupted: {} stopped during the call", who), now, now, id);
    {  // its call records (billing) end too
      std::vector<std::string> calls;
      auto& st = c.prepare("SELECT id FROM calls WHERE fax_id = ? AND result = 'running'");
      st.bind_all(id);
      while (st.step()) calls.push_back(st.text(0));
      for (const auto& call : calls)
        CallRepo::end(c, call, {.result = "failed", .failure_code = "internal"}, clock.now());
    }
    Fax f = must_select(c, id);
    if (f.status == FaxStatus::sending) {
      c.exec(
          "UPDATE faxes SET status = 'queued', claimed_by = NULL, claim_until = NULL, "
          "next_attempt_at = ?, updated_at = ? WHERE id = ?",
          now, now, id);
      append_event(c, clock, "fax.queued", must_select(c, id));
    } else {
      const auto message = f.pages > 0
                               ? fmt::format(
                                     "partial: {} page{} received; interrupted: {} stopped while "
                                     "receiving",
                                     f.pages, f.pages == 1 ? "" : "s", who)
                               : fmt::format("interrupted: {} stopped while receiving", who);
      c.exec(
          "UPDATE faxes SET status = 'failed', failure_code = 'transfer_failed', "
          "failure_message = ?, claimed_by = NULL, claim_until = NULL, completed_at = ?, "
          "updated_at = ? WHERE id = ?",
          message, now, now, id);
      append_event(c, clock, "fax.failed", must_select(c, id));
    }
  }
  return static_cast<int>(faxes.size());
}

}  // namespace

Result<int> FaxRepo::recover_interrupted(std::string_view node) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) {
    auto& st = c.prepare(
        // Spelled so that the partial index faxes_active serves it: start-up must not scan
        // every fax ever stored. A receiving fax without a claim dates from before claims.
        "SELECT id FROM faxes WHERE status IN ('sending','receiving') "
        "AND (claimed_by = ? OR claim_until < ? OR (status = 'receiving' AND claimed_by IS NULL))");
    st.bind_all(node, now);
    std::vector<Interrupted> found;
    while (st.step()) found.push_back({st.text(0), "faxd"});
    return end_interrupted(c, clock_, found);
  });
}

Result<int> FaxRepo::take_over_expired(std::string_view node) {
  const auto now = format_rfc3339(clock_.now());
  return db_.write([&](Conn& c) {
    std::vector<Interrupted> found;
    {
      auto& st = c.prepare(std::string("SELECT id, claimed_by FROM faxes WHERE status IN "
                                       "('sending','receiving') AND claim_until < ? AND "
                                       "claimed_by <> ?") +
                           std::string(c.skip_locked()));
      st.bind_all(now, node);
      while (st.step()) found.push_back({st.text(0), "node " + st.text(1)});
    }
    return end_interrupted(c, clock_, found);
  });
}

}  // namespace faxd::store
