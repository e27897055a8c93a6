#include "faxd/mail/webhook_worker.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "faxd/common/time.hpp"
#include "faxd/mail/webhook_signature.hpp"

namespace faxd::mail {

WebhookWorker::WebhookWorker(store::WebhookRepo& repo, WebhookTransport& transport,
                             const Clock& clock, WebhookOptions options)
    : repo_(repo), transport_(transport), clock_(clock), options_(options) {}

WebhookRun WebhookWorker::run_once(SysTime now) {
  WebhookRun run;
  if (auto q = repo_.fan_out(now, options_.fan_out_events); q)
    run.queued = *q;
  else
    spdlog::warn("webhook.fan_out_failed error={}", q.error().message);

  if (now - last_prune_ >= std::chrono::hours(1)) {
    last_prune_ = now;
    if (auto p = repo_.prune(now - options_.keep); !p)
      spdlog::warn("webhook.prune_failed error={}", p.error().message);
  }

  auto claimed = repo_.claim_due(now, options_.lease, options_.batch);
  if (!claimed) {
    spdlog::warn("webhook.claim_failed error={}", claimed.error().message);
    return run;
  }
  for (const auto& d : *claimed) {
    auto give_up = [&](std::optional<int> status, std::string_view why) {
      spdlog::error("webhook.failed delivery={} webhook={} event={} attempts={} error={}", d.id,
                    d.webhook_id, d.event_id, d.attempts, why);
      if (auto r = repo_.mark_failed(d.id, status, why, now); !r)
        spdlog::warn("webhook.mark_failed_error delivery={} error={}", d.id, r.error().message);
      ++run.failed;
    };
    const auto queued_at = parse_rfc3339(d.created_at).value_or(now);
    if (gives_up(options_.retry, queued_at, now)) {
      give_up(d.last_status, fmt::format("gave up after {} attempts: {}", d.attempts - 1,
                                         d.last_error.value_or("")));
      continue;
    }
    auto key = decode_webhook_secret(d.secret);
    if (!key) {
      give_up(std::nullopt, key.error().message);
      continue;
    }
    const auto ts =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    WebhookRequest req{d.url,
                       {{"Content-Type", "application/json"},
                        {"webhook-id", d.id},
                        {"webhook-timestamp", std::to_string(ts)},
                        {"webhook-signature", sign_webhook(*key, d.id, ts, d.body)}},
                       d.body};
    auto status = transport_.post(req);
    if (!status && status.error().code == Errc::unsupported) {
      give_up(std::nullopt, "target refused: " + status.error().message);
      continue;
    }
    if (status && *status >= 200 && *status < 300) {
      if (auto r = repo_.mark_delivered(d.id, *status, now); !r)
        spdlog::error("webhook.mark_delivered_failed delivery={} error={}", d.id,
                      r.error().message);
      spdlog::info(
          "webhook.delivered delivery={} webhook={} event={} type={} status={} attempts={}", d.id,
          d.webhook_id, d.event_id, d.event_type, *status, d.attempts);
      ++run.delivered;
      continue;
    }
    if (status && *status == 410) {
      give_up(*status, "the receiver answered 410 Gone");
      continue;
    }
    const std::optional<int> http_status = status ? std::optional<int>(*status) : std::nullopt;
    const std::string why = status ? fmt::format("HTTP {}", *status) : status.error().message;
    const auto next = now + retry_delay(options_.retry, d.attempts);
    spdlog::warn("webhook.retry delivery={} webhook={} event={} attempts={} next={} error={}", d.id,
                 d.webhook_id, d.event_id, d.attempts, format_rfc3339(next), why);
    if (auto r = repo_.reschedule(d.id, next, http_status, why, now); !r)
      spdlog::warn("webhook.reschedule_failed delivery={} error={}", d.id, r.error().message);
    ++run.retried;
  }
  return run;
}

}  // namespace faxd::mail
