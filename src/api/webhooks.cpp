#include "faxd/api/webhooks.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "faxd/api/json.hpp"
#include "faxd/common/id.hpp"
#include "faxd/mail/webhook_signature.hpp"
#include "faxd/mail/webhook_transport.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 8> kEventTypes{
    "fax.queued", "fax.sending",   "fax.page",     "fax.delivered",
    "fax.failed", "fax.receiving", "fax.received", "fax.canceled"};

json webhook_json(const store::Webhook& w) {
  return {{"id", w.id},
          {"url", w.url},
          {"events", w.events},
          {"created_at", w.created_at},
          {"updated_at", w.updated_at}};
}

Result<std::vector<std::string>> events_field(const json& body) {
  std::vector<std::string> out;
  const auto it = body.find("events");
  if (it == body.end() || it->is_null()) return out;
  if (!it->is_array())
    return fail(Errc::invalid_argument, "events: must be an array of event types", "events");
  for (const auto& e : *it) {
    if (!e.is_string())
      return fail(Errc::invalid_argument, "events: must be an array of event types", "events");
    const auto name = e.get<std::string>();
    if (std::find(kEventTypes.begin(), kEventTypes.end(), name) == kEventTypes.end())
      return fail(Errc::invalid_argument,
                  fmt::format("events: unknown event type {}", name.substr(0, 40)), "events");
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

Result<std::string> url_field(const json& body, bool required,
                              const mail::WebhookTargets& targets) {
  auto url = string_field(body, "url", required);
  if (!url) return url;
  if (!required && body.find("url") == body.end()) return url;
  if (auto ok = targets.check(*url); !ok) return std::unexpected(ok.error());
  return url;
}

Result<std::string> secret_field(const json& body) {
  auto secret = string_field(body, "secret", false);
  if (!secret || secret->empty()) return secret;
  if (auto key = mail::decode_webhook_secret(*secret); !key) return std::unexpected(key.error());
  return secret;
}

Result<std::pair<int, std::string>> read_page(const Request& req) {
  int limit = 50;
  if (auto text = req.query_param("limit")) {
    int v = 0;
    const auto* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, v);
    if (ec != std::errc{} || ptr != end || v < 1 || v > 500)
      return fail(Errc::invalid_argument, "limit: must be an integer from 1 to 500", "limit");
    limit = v;
  }
  std::string after;
  if (auto cursor = req.query_param("cursor"); cursor && !cursor->empty()) {
    if (!is_valid_id(*cursor))
      return fail(Errc::invalid_argument, "cursor: not a cursor from a previous page", "cursor");
    after = *cursor;
  }
  return std::pair{limit, after};
}

Response not_found() {
  return Response::error(404, "not_found", "no such webhook");
}

}  // namespace

void add_webhook_routes(http::Router& router, const Api& api, store::WebhookRepo& hooks,
                        const Clock& clock, const mail::WebhookTargets& targets) {
  const std::string base = "/api/v1/webhooks";
  const http::RouteOptions small{.max_body_bytes = 16 * 1024};

  router.add(
      "GET", base, api.authed([&hooks](const Caller& c, const Request& req, const http::Params&) {
        auto page = read_page(req);
        if (!page) return error_response(page.error());
        auto list = hooks.list(c.user.id, page->first, page->second);
        if (!list) return error_response(list.error());
        auto data = json::array();
        for (const auto& w : list->items) data.push_back(webhook_json(w));
        return Response::json(
            200, {{"data", std::move(data)},
                  {"next_cursor", list->next_cursor ? json(*list->next_cursor) : json(nullptr)}});
      }));

  router.add("POST", base,
             api.authed([&hooks, &clock, &targets](const Caller& c, const Request& req,
                                                   const http::Params&) {
               auto body = parse_body(req);
               if (!body) return error_response(body.error());
               auto url = url_field(*body, true, targets);
               if (!url) return error_response(url.error());
               auto secret = secret_field(*body);
               if (!secret) return error_response(secret.error());
               auto events = events_field(*body);
               if (!events) return error_response(events.error());
               const bool generated = secret->empty();
               if (generated) *secret = mail::new_webhook_secret();
               auto created = hooks.create({c.user.id, *url, *secret, *events}, clock.now());
               if (!created) return error_response(created.error());
               auto out = webhook_json(*created);
               if (generated) out["secret"] = *secret;  // shown once: it is write only afterwards
               return Response::json(201, out);
             }),
             small);

  router.add("GET", base + "/{id}",
             api.authed([&hooks](const Caller& c, const Request&, const http::Params& p) {
               const auto& id = p.at("id");
               if (!is_valid_id(id)) return not_found();
               auto w = hooks.find(c.user.id, id);
               if (!w) return error_response(w.error());
               if (!*w) return not_found();
               return Response::json(200, webhook_json(**w));
             }));

  router.add(
      "PATCH", base + "/{id}",
      api.authed([&hooks, &clock, &targets](const Caller& c, const Request& req,
                                            const http::Params& p) {
        const auto& id = p.at("id");
        if (!is_valid_id(id)) return not_found();
        auto body = parse_body(req);
        if (!body) return error_response(body.error());
        store::WebhookPatch patch;
        if (body->contains("url")) {
          auto url = url_field(*body, true, targets);
          if (!url) return error_response(url.error());
          patch.url = *url;
        }
        if (body->contains("secret")) {
          auto secret = secret_field(*body);
          if (!secret) return error_response(secret.error());
          if (secret->empty())
            return error_response({Errc::invalid_argument, "secret: must not be empty", "secret"});
          patch.secret = *secret;
        }
        if (body->contains("events")) {
          auto events = events_field(*body);
          if (!events) return error_response(events.error());
          patch.events = *events;
        }
        auto w = hooks.update(c.user.id, id, patch, clock.now());
        if (!w) return error_response(w.error());
        if (!*w) return not_found();
        return Response::json(200, webhook_json(**w));
      }),
      small);

  // The webhook's recent deliveries, newest first: what was sent, whether the receiver took it,
  // and the last answer or error when it did not (never the body or the secret).
  router.add(
      "GET", base + "/{id}/deliveries",
      api.authed([&hooks](const Caller& c, const Request&, const http::Params& p) {
        const auto& id = p.at("id");
        if (!is_valid_id(id)) return not_found();
        auto w = hooks.find(c.user.id, id);
        if (!w) return error_response(w.error());
        if (!*w) return not_found();
        auto list = hooks.deliveries(id, 20);
        if (!list) return error_response(list.error());
        auto data = json::array();
        for (const auto& d : *list)
          data.push_back(
              {{"id", d.id},
               {"event_type", d.event_type},
               {"status", d.status},
               {"attempts", d.attempts},
               {"last_status", d.last_status ? json(*d.last_status) : json(nullptr)},
               {"last_error", d.last_error ? json(*d.last_error) : json(nullptr)},
               {"next_attempt_at", d.status == "pending" ? json(d.next_attempt_at) : json(nullptr)},
               {"created_at", d.created_at}});
        return Response::json(200, {{"data", std::move(data)}});
      }));

  router.add("DELETE", base + "/{id}",
             api.authed([&hooks](const Caller& c, const Request&, const http::Params& p) {
               const auto& id = p.at("id");
               if (!is_valid_id(id)) return not_found();
               auto removed = hooks.remove(c.user.id, id);
               if (!removed) return error_response(removed.error());
               if (!*removed) return not_found();
               return Response::no_content();
             }));
}

}  // namespace faxd::api
