#include "faxd/store/mail_outbox_repo.hpp"

#include <algorithm>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"

namespace faxd::store {

namespace {

constexpr std::string_view kColumns =
    "id, fax_id, kind, to_address, status, attempts, next_attempt_at, last_error, created_at, "
    "updated_at, sent_at";

OutboxMail read_mail(const Stmt& st) {
  OutboxMail m;
  m.id = st.text(0);
  m.fax_id = st.opt_text(1);
  m.kind = st.text(2);
  m.to_address = st.text(3);
  m.status = st.text(4);
  m.attempts = st.int32(5);
  m.next_attempt_at = st.text(6);
  m.last_error = st.opt_text(7);
  m.created_at = st.text(8);
  m.updated_at = st.text(9);
  m.sent_at = st.opt_text(10);
  return m;
}

// Error texts come from remote servers: keep the stored copy bounded.
std::string clip(std::string_view s) {
  return std::string(s.substr(0, 1000));
}

}  // namespace

std::vector<std::string> split_email_list(std::string_view list) {
  std::vector<std::string> out;
  auto lower = [](std::string_view s) {
    std::string l(s);
    for (auto& c : l)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return l;
  };
  std::vector<std::string> seen;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    auto end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    auto item = list.substr(pos, end - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) {
      auto key = lower(item);
      if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
        seen.push_back(std::move(key));
        out.emplace_back(item);
      }
    }
    pos = end + 1;
  }
  return out;
}

std::string MailOutboxRepo::enqueue(Conn& c, const NewMail& mail, SysTime now) {
  const auto id = new_id(now);
  const auto ts = format_rfc3339(now);
  c.exec(
      "INSERT INTO mail_outbox (id, fax_id, kind, to_address, status, attempts, next_attempt_at, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
      id, mail.fax_id, mail.kind, mail.to_address, ts, ts, ts);
  return id;
}

std::optional<std::string> MailOutboxRepo::enqueue_for_fax(Conn& c, std::string_view fax_id,
                                                           std::string_view kind, SysTime now) {
  auto& st = c.prepare(
      "SELECT v.email, v.send_by_email, v.notify_sender, f.mail_from FROM faxes f "
      "JOIN virtual_faxes v ON v.id = f.virtual_fax_id WHERE f.id = ?");
  st.bind_all(fax_id);
  if (!st.step()) return std::nullopt;
  auto email = st.text(0);
  bool wanted = kind == "fax_received" ? st.boolean(1) : st.boolean(2);
  const auto mail_from = st.opt_text(3);
  st.reset();
  // A fax that came by mail reports to its sender, whatever notify_sender says.
  if (kind != "fax_received" && mail_from && !mail_from->empty()) {
    email = *mail_from;
    wanted = true;
  }
  if (!wanted || email.empty()) return std::nullopt;
  auto& dup = c.prepare("SELECT 1 FROM mail_outbox WHERE fax_id = ? AND kind = ?");
  dup.bind_all(fax_id, kind);
  const bool exists = dup.step();
  dup.reset();
  if (exists) return std::nullopt;
  std::optional<std::string> first;
  for (const auto& address : split_email_list(email)) {
    auto id = enqueue(c, NewMail{std::string(fax_id), std::string(kind), address}, now);
    if (!first) first = std::move(id);
  }
  return first;
}

Result<std::string> MailOutboxRepo::enqueue(const NewMail& mail, SysTime now) {
  return db_.write([&](Conn& c) { return enqueue(c, mail, now); });
}

Result<std::optional<std::string>> MailOutboxRepo::enqueue_for_fax(std::string_view fax_id,
                                                                   std::string_view kind,
                                                                   SysTime now) {
  return db_.write([&](Conn& c) { return enqueue_for_fax(c, fax_id, kind, now); });
}

Result<std::vector<OutboxMail>> MailOutboxRepo::claim_due(SysTime now, std::chrono::seconds lease,
                                                          int limit) {
  const auto ts = format_rfc3339(now);
  const auto until = format_rfc3339(now + lease);
  return db_.write([&](Conn& c) {
    auto& st = c.prepare(
        std::string(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = ?, updated_at = ? "
            "WHERE id IN (SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at "
            "<= ? "
            "ORDER BY next_attempt_at, id LIMIT ?) RETURNING ") +
        std::string(kColumns));
    st.bind_all(until, ts, ts, limit);
    std::vector<OutboxMail> out;
    while (st.step()) out.push_back(read_mail(st));
    // UPDATE ... RETURNING has no order on PostgreSQL: sent in the order they were queued.
    std::sort(out.begin(), out.end(),
              [](const OutboxMail& a, const OutboxMail& b) { return a.id < b.id; });
    return out;
  });
}

Result<void> MailOutboxRepo::mark_sent(std::string_view id, SysTime now) {
  const auto ts = format_rfc3339(now);
  return db_.write([&](Conn& c) {
    c.exec(
        "UPDATE mail_outbox SET status = 'sent', sent_at = ?, last_error = NULL, updated_at = ? "
        "WHERE id = ? AND status = 'pending'",
        ts, ts, id);
  });
}

Result<void> MailOutboxRepo::reschedule(std::string_view id, SysTime next_attempt,
                                        std::string_view error, SysTime now) {
  return db_.write([&](Conn& c) {
    c.exec(
        "UPDATE mail_outbox SET next_attempt_at = ?, last_error = ?, updated_at = ? "
        "WHERE id = ? AND status = 'pending'",
        format_rfc3339(next_attempt), clip(error), format_rfc3339(now), id);
  });
}

Result<void> MailOutboxRepo::mark_failed(std::string_view id, std::string_view error, SysTime now) {
  return db_.write([&](Conn& c) {
    c.exec(
        "UPDATE mail_outbox SET status = 'failed', last_error = ?, updated_at = ? "
        "WHERE id = ? AND status = 'pending'",
        clip(error), format_rfc3339(now), id);
  });
}

Result<std::optional<OutboxMail>> MailOutboxRepo::find(std::string_view id) {
  return db_.read([&](Conn& c) -> std::optional<OutboxMail> {
    auto& st = c.prepare(std::string("SELECT ") + std::string(kColumns) +
                         " FROM mail_outbox WHERE id = ?");
    st.bind_all(id);
    if (!st.step()) return std::nullopt;
    return read_mail(st);
  });
}

Result<std::vector<OutboxMail>> MailOutboxRepo::list_for_fax(std::string_view fax_id) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(std::string("SELECT ") + std::string(kColumns) +
                         " FROM mail_outbox WHERE fax_id = ? ORDER BY id");
    st.bind_all(fax_id);
    std::vector<OutboxMail> out;
    while (st.step()) out.push_back(read_mail(st));
    return out;
  });
}

Result<int> MailOutboxRepo::count_pending() {
  return db_.read([](Conn& c) {
    auto& st = c.prepare("SELECT count(*) FROM mail_outbox WHERE status = 'pending'");
    st.step();
    return st.int32(0);
  });
}

Result<std::optional<SysTime>> MailOutboxRepo::next_due() {
  return db_.read([](Conn& c) -> std::optional<SysTime> {
    auto& st = c.prepare("SELECT min(next_attempt_at) FROM mail_outbox WHERE status = 'pending'");
    if (!st.step() || st.is_null(0)) return std::nullopt;
    return parse_rfc3339(st.text(0));
  });
}

Result<std::optional<FaxMailContext>> MailOutboxRepo::fax_context(std::string_view fax_id) {
  return db_.read([&](Conn& c) -> std::optional<FaxMailContext> {
    auto& st = c.prepare(
        "SELECT f.id, f.direction, f.status, f.from_number, f.to_number, "
        "COALESCE(f.remote_station_id, ''), f.pages, f.pages_total, f.created_at, f.completed_at, "
        "f.failure_code, f.failure_message, COALESCE(v.name, ''), co.timezone, co.language, "
        "f.brand_id, f.company_id, co.name, b.name, b.language, f.mail_message_id "
        "FROM faxes f JOIN companies co ON co.id = f.company_id "
        "JOIN brands b ON b.id = f.brand_id "
        "LEFT JOIN virtual_faxes v ON v.id = f.virtual_fax_id WHERE f.id = ?");
    st.bind_all(fax_id);
    if (!st.step()) return std::nullopt;
    FaxMailContext x;
    x.fax_id = st.text(0);
    x.direction = st.text(1);
    x.status = st.text(2);
    x.from_number = st.text(3);
    x.to_number = st.text(4);
    x.remote_station_id = st.text(5);
    x.pages = st.int32(6);
    x.pages_total = st.int32(7);
    x.created_at = st.text(8);
    x.completed_at = st.opt_text(9);
    x.failure_code = st.opt_text(10);
    x.failure_message = st.opt_text(11);
    x.virtual_fax_name = st.text(12);
    x.timezone = st.text(13);
    x.language = st.text(14);
    x.brand_id = st.text(15);
    x.company_id = st.text(16);
    x.company_name = st.text(17);
    x.brand_name = st.text(18);
    x.brand_language = st.text(19);
    x.mail_message_id = st.opt_text(20);
    return x;
  });
}

}  // namespace faxd::store
