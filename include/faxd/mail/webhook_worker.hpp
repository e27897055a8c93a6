#pragma once
// Delivers webhooks. run_once(now) first fans new fax events out into deliveries
// (WebhookRepo::fan_out), then claims due deliveries and POSTs each one, signed the Standard
// Webhooks way (headers webhook-id = the delivery id, stable across retries; webhook-timestamp
// = now in Unix seconds; webhook-signature = v1,<base64 HMAC-SHA256>), Content-Type
// application/json, body {"type", "timestamp", "data": <fax object>}.
//   2xx                        -> delivered
//   no answer, 408, 429, 5xx,
//   other 4xx                  -> retried with backoff (receivers fix themselves)
//   410 Gone, or older than the policy's give-up age, or a broken secret -> failed
// The fax path never waits for this: events are rows, this runs on the worker pool.
//
// Threads: run_once blocks and runs on the worker pool, one run at a time (PeriodicTask).
#include <chrono>

#include "faxd/common/clock.hpp"
#include "faxd/mail/retry_policy.hpp"
#include "faxd/mail/webhook_transport.hpp"
#include "faxd/store/webhook_repo.hpp"

namespace faxd::mail {

struct WebhookOptions {
  RetryPolicy retry = kWebhookRetry;
  std::chrono::seconds lease{std::chrono::minutes(2)};  // > the transport's total timeout
  int batch = 50;
  int fan_out_events = 500;  // events looked at per webhook per run
  // Events and finished deliveries older than this are removed (at most once an hour).
  std::chrono::hours keep{24 * 7};
};

struct WebhookRun {
  int queued = 0;  // deliveries created by the fan-out
  int delivered = 0;
  int retried = 0;
  int failed = 0;
};

class WebhookWorker {
 public:
  WebhookWorker(store::WebhookRepo& repo, WebhookTransport& transport, const Clock& clock,
                WebhookOptions options = {});

  WebhookRun run_once(SysTime now);
  WebhookRun tick() { return run_once(clock_.now()); }

 private:
  store::WebhookRepo& repo_;
  WebhookTransport& transport_;
  const Clock& clock_;
  WebhookOptions options_;
  SysTime last_prune_{};
};

}  // namespace faxd::mail
