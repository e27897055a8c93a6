#pragma once
// The persistent mail outbox (table mail_outbox). A mail is queued in the same transaction as
// the fax change that causes it (enqueue_for_fax with the caller's Conn), so a fax is never
// recorded without its mail nor the other way round, and nothing is lost while SMTP is down.
//
// Sending protocol (OutboxWorker): claim_due() leases due rows by moving next_attempt_at forward
// by the lease and counting the attempt, in one write transaction, so several workers (or
// several faxd sharing one store) never send the same row at once. After the server accepted the
// message the worker calls mark_sent(); a crash between the two leaves the row pending and it is
// sent again when the lease ends: a rare duplicate (with the same Message-ID), never a loss.
//
// Times are passed in (no clock inside). Threads: any thread; blocking (SQLite).
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct OutboxMail {
  std::string id;
  std::optional<std::string> fax_id;
  std::string kind;  // fax_received | fax_delivered | fax_failed
  std::string to_address;
  std::string status;  // pending | sent | failed
  int attempts = 0;
  std::string next_attempt_at;
  std::optional<std::string> last_error;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> sent_at;
};

struct NewMail {
  std::optional<std::string> fax_id;
  std::string kind;
  std::string to_address;
};

// The addresses of a virtual fax's `email` ("a@x, b@y"): split at commas, trimmed, empty ones
// and repeats (compared without case) left out, in the order written.
std::vector<std::string> split_email_list(std::string_view list);

// What a fax mail is written from: the fax, its virtual fax, its company and brand.
struct FaxMailContext {
  std::string fax_id;
  std::string direction;
  std::string status;
  std::string from_number;
  std::string to_number;
  std::string remote_station_id;
  int pages = 0;
  int pages_total = 0;
  std::string created_at;
  std::optional<std::string> completed_at;
  std::optional<std::string> failure_code;
  std::optional<std::string> failure_message;
  std::string virtual_fax_name;
  std::string timezone = "UTC";
  std::string language = "en";
  std::string brand_id;
  std::string company_id;
  std::string company_name;
  std::string brand_name;
  std::string brand_language = "en";
  std::optional<std::string> mail_message_id;  // a fax sent by mail: the mail it answers
};

class MailOutboxRepo {
 public:
  explicit MailOutboxRepo(Db& db) : db_(db) {}

  // Inside the caller's write transaction. Returns the new row's id.
  static std::string enqueue(Conn& c, const NewMail& mail, SysTime now);
  // Inside the caller's write transaction: queues the mail a fax event calls for, if any.
  //   fax_received: when the fax's virtual fax has send_by_email and an email address;
  //   fax_delivered / fax_failed: when it has notify_sender and an email address (the virtual
  //   fax's address is the sender's mailbox: users have no address of their own); for a fax
  //   that came by mail (faxes.mail_from), always, to that sender instead.
  // One mail per address of the virtual fax's `email` (split_email_list), so each address gets
  // it once and a refusing address does not hold up the others.
  // Returns the first mail's id, or nullopt when no mail is due. Idempotent per (fax, kind).
  static std::optional<std::string> enqueue_for_fax(Conn& c, std::string_view fax_id,
                                                    std::string_view kind, SysTime now);

  Result<std::string> enqueue(const NewMail& mail, SysTime now);
  Result<std::optional<std::string>> enqueue_for_fax(std::string_view fax_id, std::string_view kind,
                                                     SysTime now);

  // Leases up to `limit` pending rows due at `now` (oldest first), counting one attempt each.
  Result<std::vector<OutboxMail>> claim_due(SysTime now, std::chrono::seconds lease, int limit);
  Result<void> mark_sent(std::string_view id, SysTime now);
  Result<void> reschedule(std::string_view id, SysTime next_attempt, std::string_view error,
                          SysTime now);
  Result<void> mark_failed(std::string_view id, std::string_view error, SysTime now);

  Result<std::optional<OutboxMail>> find(std::string_view id);
  Result<std::vector<OutboxMail>> list_for_fax(std::string_view fax_id);
  Result<int> count_pending();
  // Earliest next_attempt_at of a pending row (for the worker's timer); nullopt when none.
  Result<std::optional<SysTime>> next_due();

  Result<std::optional<FaxMailContext>> fax_context(std::string_view fax_id);

 private:
  Db& db_;
};

}  // namespace faxd::store
