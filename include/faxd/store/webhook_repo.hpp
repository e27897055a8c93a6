#pragma once
// Webhooks (table webhooks) and their deliveries (webhook_deliveries).
//
// A webhook belongs to the user who created it; only that user lists, reads, changes or deletes
// it, and it receives the fax events that user may see (EventScope of the owner's role).
// fan_out() turns new rows of `events` into one pending delivery per matching webhook, advancing
// each webhook's cursor (webhooks.last_seq) in the same transaction, so an event is queued once
// per webhook even with several workers. claim_due() leases due deliveries (moves
// next_attempt_at forward by the lease, counts the attempt); the worker then marks each one
// delivered, rescheduled or failed. A crash between the receiver's 2xx and mark_delivered()
// resends once after the lease (same webhook-id, so receivers can de-duplicate).
//
// Times are passed in. Threads: any thread; blocking (SQLite).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faxd/common/clock.hpp"
#include "faxd/common/error.hpp"
#include "faxd/common/secret_box.hpp"
#include "faxd/store/db.hpp"

namespace faxd::store {

struct Webhook {
  std::string id;
  std::string user_id;
  std::string url;
  std::string secret;               // never shown by the API
  std::vector<std::string> events;  // event types; empty = all
  std::int64_t last_seq = 0;
  std::string created_at;
  std::string updated_at;
};

struct NewWebhook {
  std::string user_id;
  std::string url;
  std::string secret;
  std::vector<std::string> events;
};

struct WebhookPatch {
  std::optional<std::string> url;
  std::optional<std::string> secret;
  std::optional<std::vector<std::string>> events;
};

struct WebhookList {
  std::vector<Webhook> items;
  std::optional<std::string> next_cursor;  // the last id when more follow
};

struct WebhookDelivery {
  std::string id;  // also the webhook-id header: stable across retries
  std::string webhook_id;
  std::string event_id;
  std::string event_type;
  std::string status;  // pending | delivered | failed
  int attempts = 0;
  std::string next_attempt_at;
  std::optional<int> last_status;  // HTTP status of the last try
  std::optional<std::string> last_error;
  std::string body;
  std::string created_at;
  // Joined from the webhook at claim time.
  std::string url;
  std::string secret;
};

class WebhookRepo {
 public:
  // With `secrets`, signing secrets are stored sealed (common/secret_box.hpp), returned opened.
  explicit WebhookRepo(Db& db, const SecretBox* secrets = nullptr) : db_(db), secrets_(secrets) {}

  Result<Webhook> create(const NewWebhook& hook, SysTime now);
  // The owner's webhooks by id (ascending), keyset paged after `after`.
  Result<WebhookList> list(std::string_view user_id, int limit, std::string_view after);
  Result<std::optional<Webhook>> find(std::string_view user_id, std::string_view id);
  Result<std::optional<Webhook>> update(std::string_view user_id, std::string_view id,
                                        const WebhookPatch& patch, SysTime now);
  Result<bool> remove(std::string_view user_id, std::string_view id);

  // Queues deliveries for events newer than each webhook's cursor, at most `max_events` events
  // looked at per webhook and call. Returns the number of deliveries queued.
  Result<int> fan_out(SysTime now, int max_events);
  Result<std::vector<WebhookDelivery>> claim_due(SysTime now, std::chrono::seconds lease,
                                                 int limit);
  Result<void> mark_delivered(std::string_view id, int http_status, SysTime now);
  Result<void> reschedule(std::string_view id, SysTime next_attempt, std::optional<int> http_status,
                          std::string_view error, SysTime now);
  Result<void> mark_failed(std::string_view id, std::optional<int> http_status,
                           std::string_view error, SysTime now);
  // Housekeeping: removes finished deliveries last changed before `before`, and events created
  // before `before` that every webhook's cursor has passed. Returns the rows removed.
  Result<int> prune(SysTime before);
  // A webhook's deliveries, newest first (for tests and a future deliveries view).
  Result<std::vector<WebhookDelivery>> deliveries(std::string_view webhook_id, int limit);
  // Seals secrets stored in plain text by an older faxd; returns how many (needs secrets).
  Result<int> seal_plaintext_secrets();

 private:
  std::string seal(std::string_view secret) const;
  std::string reveal(std::string_view stored) const;

  Db& db_;
  const SecretBox* secrets_;
};

}  // namespace faxd::store
