#include "faxd/store/retention_repo.hpp"

#include "faxd/common/time.hpp"

namespace faxd::store {

namespace {
constexpr std::string_view kFinal = "('delivered','failed','canceled','received')";
}  // namespace

Result<std::vector<RetentionRule>> RetentionRepo::rules() {
  return db_.read([](Conn& c) {
    auto& st = c.prepare(
        "SELECT id, retention_days FROM companies WHERE retention_days IS NOT NULL ORDER BY id");
    std::vector<RetentionRule> out;
    while (st.step()) out.push_back({st.text(0), st.int32(1)});
    return out;
  });
}

Result<std::vector<DueDocument>> RetentionRepo::due(const std::string& company_id, SysTime cutoff,
                                                    int limit) {
  const auto sql = std::string(
                       "SELECT f.id, f.document FROM faxes f WHERE f.company_id = ? AND "
                       "f.completed_at <= ? AND f.document IS NOT NULL AND f.status IN ") +
                   std::string(kFinal) +
                   " AND NOT EXISTS (SELECT 1 FROM mail_outbox m "
                   "WHERE m.fax_id = f.id AND m.status = 'pending') ORDER BY f.id LIMIT ?";
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(sql);
    st.bind_all(company_id, format_rfc3339(cutoff), limit);
    std::vector<DueDocument> out;
    while (st.step()) out.push_back({st.text(0), st.text(1)});
    return out;
  });
}

Result<RetentionRepo::Marked> RetentionRepo::mark_purged(const DueDocument& doc, SysTime now) {
  const auto ts = format_rfc3339(now);
  const auto sql = std::string(
                       "UPDATE faxes SET document = NULL, document_purged_at = ?, updated_at = ? "
                       "WHERE id = ? AND document = ? AND status IN ") +
                   std::string(kFinal) +
                   " AND NOT EXISTS (SELECT 1 FROM mail_outbox m WHERE m.fax_id = faxes.id "
                   "AND m.status = 'pending')";
  return db_.write([&](Conn& c) -> Marked {
    if (c.exec(sql, ts, ts, doc.fax_id, doc.document) == 0) return {};
    auto& st = c.prepare("SELECT 1 FROM faxes WHERE document = ? AND document IS NOT NULL");
    st.bind_all(doc.document);
    return {.marked = true, .remove_file = !st.step()};
  });
}

}  // namespace faxd::store
