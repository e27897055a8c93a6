#pragma once
// Faxes, their attempts and their events. The outbound queue is the faxes table: a due `queued`
// row is claimed by one node with a lease (claimed_by, claim_until) and becomes `sending`; every
// change of state appends its event (fax.queued, fax.sending, ...) in the same transaction, so
// SSE clients and webhooks never miss or invent one.
//
// Threads: any (blocking; call from the worker pool).
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/common/failure.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

enum class FaxStatus { queued, sending, delivered, failed, canceled, receiving, received };
std::string_view to_string(FaxStatus s) noexcept;
std::optional<FaxStatus> parse_fax_status(std::string_view s) noexcept;
bool is_final(FaxStatus s) noexcept;

struct Fax {
  std::string id;
  std::string direction;  // outbound | inbound
  std::string brand_id;
  std::string company_id;
  std::optional<std::string> virtual_fax_id;
  std::optional<std::string> created_by;
  std::string from_number;
  std::string to_number;
  FaxStatus status = FaxStatus::queued;
  int pages = 0;
  int pages_total = 0;
  std::string quality = "fine";
  std::string header;
  int attempts = 0;  // calls in which a transfer was attempted (the API's "tries")
  int dials = 0;     // claims that placed calls (the retry policy's count)
  int calls = 0;     // calls made: the fax's fax_attempts rows (the API's "attempts")
  std::optional<int> bit_rate;
  std::optional<bool> ecm;
  std::optional<std::string> transport;
  std::optional<std::string> remote_station_id;
  std::optional<std::string> failure_code;
  std::optional<std::string> failure_message;
  std::optional<std::string> idempotency_key;
  std::optional<std::string> document;  // spool path relative to data_dir
  std::optional<std::string> claimed_by;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> started_at;
  std::optional<std::string> completed_at;
  std::optional<std::string> next_attempt_at;
  std::optional<std::string> document_purged_at;  // the retention policy removed the document
  std::optional<std::string> batch_id;            // the broadcast it belongs to
  std::optional<std::string> send_at;             // asked-for send time (RFC 3339), if scheduled
};

// The api.md fax object.
nlohmann::json to_json(const Fax& fax);

struct NewOutboundFax {
  std::string brand_id;
  std::string company_id;
  std::string virtual_fax_id;
  std::optional<std::string> created_by;
  std::string from_number;
  std::string to_number;
  int pages_total = 0;
  std::string quality = "fine";
  std::string header;
  std::optional<std::string> idempotency_key;
  std::string document;
  std::optional<std::string> batch_id;
  std::optional<SysTime> send_at;  // queued until then; unset = due now
  // A fax that came by mail (no creating user): its sender gets the result mail, which answers
  // the mail's Message-ID; its idempotency key is unique per virtual fax.
  std::optional<std::string> mail_from;
  std::optional<std::string> mail_message_id;
};

struct NewInboundFax {
  std::optional<std::string> carrier_id;  // the carrier the call came from (for billing)
  std::string brand_id;
  std::string company_id;
  std::string virtual_fax_id;
  std::string from_number;  // normalised: "+" and digits, or "" when the caller gave none
  std::string to_number;
  std::string document;
  std::string node;                     // the node taking the call: it holds the claim
  std::optional<SysTime> claim_until;   // until when, unless renewed (renew_receiving)
  std::optional<std::string> from_raw;  // the caller id as received (bounded, printable)
};

// Who may see what: unset members do not restrict (a platform admin sets none).
struct FaxScope {
  std::optional<std::string> brand_id;
  std::optional<std::string> company_id;
  std::optional<std::vector<std::string>> virtual_fax_ids;  // a `user`: only these
};

struct FaxQuery {
  FaxScope scope;
  std::optional<std::string> direction;
  std::optional<std::string> status;
  std::optional<std::string> virtual_fax_id;
  std::optional<std::string> from_number;
  std::optional<std::string> to_number;
  std::optional<std::string> since;  // created_at >= since (RFC 3339)
  std::optional<std::string> until;  // created_at < until
  std::optional<std::string> batch_id;
  int limit = 50;
  std::optional<std::string> cursor;  // the last id of the previous page
  bool oldest_first = false;          // id (creation) order: newest first unless set
};

struct FaxPage {
  std::vector<Fax> data;
  std::optional<std::string> next_cursor;
};

struct Attempt {
  std::string id;
  std::string fax_id;
  std::optional<std::string> carrier_id;
  std::string carrier_name;
  std::optional<std::string> transport;
  std::optional<bool> ecm;
  std::optional<int> bit_rate;
  int pages = 0;
  std::optional<int> sip_status;
  std::string result;  // running | delivered | failed | canceled
  std::optional<std::string> failure_code;
  std::optional<std::string> failure_message;
  std::string started_at;
  std::optional<std::string> ended_at;
};
nlohmann::json to_json(const Attempt& attempt);

struct AttemptEnd {
  std::string result;  // delivered | failed | canceled
  std::optional<FailureCode> failure;
  std::string message;
  std::optional<int> sip_status;
  std::optional<std::string> transport;
  std::optional<bool> ecm;
  std::optional<int> bit_rate;
  int pages = 0;
};

// Results of a transfer, written onto the fax.
struct TransferStats {
  int pages = 0;
  std::optional<int> bit_rate;
  std::optional<bool> ecm;
  std::optional<std::string> transport;
  std::optional<std::string> remote_station_id;
};

enum class CancelResult { canceled, hangup_needed, not_cancelable };

// Told about changes after they are committed (faxd's metrics). Called on the thread that made
// the change (control thread or a worker), so implementations must be thread-safe and quick.
class FaxListener {
 public:
  virtual ~FaxListener() = default;
  virtual void fax_finished(const Fax& fax) = 0;  // delivered, received, failed or canceled
  virtual void attempt_ended(const AttemptEnd& end) = 0;
  virtual void fax_requeued(const Fax& fax) = 0;  // a retry was scheduled
};

class FaxRepo {
 public:
  FaxRepo(Db& db, const Clock& clock) : db_(db), clock_(clock) {}
  // At most one listener; it must outlive the repository (nullptr removes it).
  void set_listener(FaxListener* listener) { listener_ = listener; }

  // A queued outbound fax, due now. When the creator (or, for a fax without one, the virtual
  // fax) already used this idempotency key, the first fax is returned with `created == false`
  // and nothing is written.
  Result<std::pair<Fax, bool>> create_outbound(const NewOutboundFax& fax);
  // A broadcast: every fax or none, in order, in one transaction. Only the first carries the
  // idempotency key; when it was used already, the faxes of that first batch are returned with
  // `created == false`.
  Result<std::pair<std::vector<Fax>, bool>> create_outbound_batch(
      const std::vector<NewOutboundFax>& faxes);
  // The faxes of a batch, in order of creation.
  Result<std::vector<Fax>> batch(std::string_view batch_id);
  // An inbound fax being received (status receiving).
  Result<Fax> create_inbound(const NewInboundFax& fax);

  Result<std::optional<Fax>> find(std::string_view id);
  Result<std::optional<Fax>> find_by_idempotency_key(std::string_view created_by,
                                                     std::string_view key);
  // A fax that came by mail (created_by NULL) with this idempotency key.
  Result<std::optional<Fax>> find_by_mail_key(std::string_view virtual_fax_id,
                                              std::string_view key);
  // find() limited to a scope: nullopt for a fax outside it, exactly as for a missing one.
  Result<std::optional<Fax>> find_in_scope(std::string_view id, const FaxScope& scope);
  Result<FaxPage> list(const FaxQuery& query);
  // How many faxes the query matches (cursor aside), at most cap + 1.
  Result<int> count(const FaxQuery& query, int cap);
  Result<std::vector<Attempt>> attempts(std::string_view fax_id);

  // Claims up to `limit` due queued faxes for `node` until `lease_until`: they become sending,
  // their dial count goes up, and fax.sending is recorded.
  Result<std::vector<Fax>> claim_due(std::string_view node, SysTime lease_until, int limit);
  Result<void> extend_claim(std::string_view fax_id, std::string_view node, SysTime lease_until);

  // Records a call starting on a carrier whose `max_calls` (0 = unlimited) holds across every
  // node sharing the store: nullopt, and nothing recorded, when the carrier's running calls
  // already reach it.
  Result<std::optional<std::string>> reserve_attempt(std::string_view fax_id,
                                                     const std::string& carrier_id,
                                                     std::string carrier_name, int max_calls);
  Result<std::string> begin_attempt(std::string_view fax_id, std::optional<std::string> carrier_id,
                                    std::string carrier_name);
  Result<void> end_attempt(std::string_view attempt_id, const AttemptEnd& end);
  // The call was answered (200 OK to our INVITE, or sent by us for an inbound fax): the call
  // record's billable time starts now.
  Result<void> attempt_answered(std::string_view attempt_id);
  Result<void> inbound_answered(std::string_view fax_id);

  // Pages confirmed during a transfer (fax.page).
  Result<void> record_progress(std::string_view fax_id, const TransferStats& stats);
  // Back to queued for another attempt at `next_attempt_at`, keeping the last failure.
  // `dialed` false: no call was placed (every carrier at its call limit), so the claim's dial is
  // given back and no retry is reported: waiting for a free line must not use up max_dials.
  Result<Fax> requeue(std::string_view fax_id, SysTime next_attempt_at, FailureCode failure,
                      std::string message, bool tried, bool dialed = true);
  // Final states: delivered / received (failure empty) or failed / canceled. `also` runs inside
  // the same transaction with the finished fax (to queue its mail: both or neither are stored).
  using InTransaction = std::function<void(Conn&, const Fax&)>;
  Result<Fax> finish(std::string_view fax_id, FaxStatus status, const TransferStats& stats,
                     std::optional<FailureCode> failure, std::string message, bool tried = false,
                     const InTransaction& also = {});

  // Queued: canceled at once. Sending: the caller must hang the call up (the call's end then
  // finishes the fax as canceled). Final: not cancelable.
  Result<CancelResult> cancel(std::string_view fax_id);
  // A queued outbound fax is due at `send_at` instead (fax.queued again). Not queued:
  // nullopt, nothing changed.
  Result<std::optional<Fax>> reschedule(std::string_view fax_id, SysTime send_at);
  // Removes the fax with its attempts; returns its document path when no other fax (of the same
  // batch) still uses it, so the caller deletes it from the spool.
  Result<std::optional<std::string>> remove(std::string_view fax_id);

  // Renews the claim of every fax `node` is receiving (a heartbeat of the node's live calls).
  Result<void> renew_receiving(std::string_view node, SysTime lease_until);

  // After a crash or restart: outbound faxes left `sending` by `node` (or whose lease expired)
  // go back to queued, due now, their running attempt marked failed; inbound faxes left
  // `receiving` end failed ("interrupted"), keeping the pages that arrived. Returns how many.
  Result<int> recover_interrupted(std::string_view node);
  // While running, on every node of a cluster: the same for the faxes of *other* nodes whose
  // lease ran out (a node that died): sending ones are queued again, receiving ones end failed
  // with the pages stored. Returns how many.
  Result<int> take_over_expired(std::string_view node);

  Result<int> count_with_status(FaxStatus status);
  // The next time a queued fax becomes due (to sleep until then), if any.
  Result<std::optional<SysTime>> next_due();

 private:
  Db& db_;
  const Clock& clock_;
  FaxListener* listener_ = nullptr;
};

// Appends an event for `fax` inside a transaction (used by the fax repository and by others
// that change a fax in their own transaction).
void append_event(Conn& c, const Clock& clock, std::string_view type, const Fax& fax);

}  // namespace faxd::store
