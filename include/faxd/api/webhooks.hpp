#pragma once
// /api/v1/webhooks: {url, secret (write only), events[]}, owned by the calling user.
//   GET    /api/v1/webhooks            the caller's webhooks, {data, next_cursor} (?limit, ?cursor)
//   POST   /api/v1/webhooks            201; without "secret" one is generated and returned once
//                                      in that answer ("secret": "whsec_...")
//   GET    /api/v1/webhooks/{id}       the webhook (404 when it is not the caller's)
//   PATCH  /api/v1/webhooks/{id}       changes url, secret, events
//   DELETE /api/v1/webhooks/{id}       204
// url: http:// or https:// (see mail::validate_webhook_url). secret: "whsec_<base64 key>"
// (24..64 byte key) as the Standard Webhooks libraries expect. events: a subset of the fax event
// types (fax.queued, fax.sending, fax.page, fax.delivered, fax.failed, fax.receiving,
// fax.received, fax.canceled); empty or absent = all. A webhook gets the events of the faxes its
// owner may see, from its creation on.
// Threads: handlers run on the worker pool like every API handler.
#include "faxd/api/api.hpp"
#include "faxd/common/clock.hpp"
#include "faxd/http/router.hpp"
#include "faxd/mail/webhook_target.hpp"
#include "faxd/store/webhook_repo.hpp"

namespace faxd::api {

// `targets` decides which URLs may be saved (internal addresses refused: 422 on url).
void add_webhook_routes(http::Router& router, const Api& api, store::WebhookRepo& webhooks,
                        const Clock& clock, const mail::WebhookTargets& targets);

}  // namespace faxd::api
