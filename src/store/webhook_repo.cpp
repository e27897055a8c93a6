#include "faxd/store/webhook_repo.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/event_feed.hpp"
#include "faxd/store/user_repo.hpp"

namespace faxd::store {

namespace {

constexpr std::string_view kHookColumns =
    "id, user_id, url, secret, events, last_seq, created_at, updated_at";

std::vector<std::string> parse_types(const std::string& text) {
  std::vector<std::string> out;
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& t : j)
    if (t.is_string()) out.push_back(t.get<std::string>());
  return out;
}

std::string types_json(const std::vector<std::string>& types) {
  return nlohmann::json(types).dump();
}

Webhook read_hook(const Stmt& st) {
  Webhook w;
  w.id = st.text(0);
  w.user_id = st.text(1);
  w.url = st.text(2);
  w.secret = st.text(3);
  w.events = parse_types(st.text(4));
  w.last_seq = st.int64(5);
  w.created_at = st.text(6);
  w.updated_at = st.text(7);
  return w;
}

std::optional<Webhook> find_in(Conn& c, std::string_view user_id, std::string_view id) {
  auto& st = c.prepare(std::string("SELECT ") + std::string(kHookColumns) +
                       " FROM webhooks WHERE id = ? AND user_id = ?");
  st.bind_all(id, user_id);
  if (!st.step()) return std::nullopt;
  return read_hook(st);
}

constexpr std::string_view kDeliveryColumns =
    "d.id, d.webhook_id, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, "
    "d.last_status, d.last_error, d.body, d.created_at, w.url, w.secret";

WebhookDelivery read_delivery(const Stmt& st) {
  WebhookDelivery d;
  d.id = st.text(0);
  d.webhook_id = st.text(1);
  d.event_id = st.text(2);
  d.event_type = st.text(3);
  d.status = st.text(4);
  d.attempts = st.int32(5);
  d.next_attempt_at = st.text(6);
  if (auto s = st.opt_int64(7)) d.last_status = static_cast<int>(*s);
  d.last_error = st.opt_text(8);
  d.body = st.text(9);
  d.created_at = st.text(10);
  d.url = st.text(11);
  d.secret = st.text(12);
  return d;
}

// The Standard Webhooks payload shape: {"type", "timestamp", "data": <fax object>}.
std::string delivery_body(const Event& e) {
  auto data = nlohmann::json::parse(e.payload, nullptr, false);
  if (data.is_discarded()) data = nullptr;
  // The fax code stores an envelope {id, type, created_at, data: <fax>}; send the fax itself.
  if (data.is_object() && data.contains("type") && data.contains("data")) data = data["data"];
  nlohmann::json body{{"type", e.type}, {"timestamp", e.created_at}, {"data", std::move(data)}};
  return body.dump();
}

std::string clip(std::string_view s) {
  return std::string(s.substr(0, 1000));
}

}  // namespace

std::string WebhookRepo::seal(std::string_view secret) const {
  return secrets_ ? secrets_->seal(secret) : std::string(secret);
}

std::string WebhookRepo::reveal(std::string_view stored) const {
  if (!secrets_) return std::string(stored);
  auto open = secrets_->open(stored);
  if (!open) spdlog::error("store.secret_unreadable table=webhooks error={}", open.error().message);
  return open.value_or("");
}

Result<int> WebhookRepo::seal_plaintext_secrets() {
  if (!secrets_) return 0;
  return db_.write([&](Conn& c) {
    auto& st = c.prepare("SELECT id, secret FROM webhooks WHERE secret <> ''");
    std::vector<std::pair<std::string, std::string>> plain;
    while (st.step())
      if (!SecretBox::is_sealed(st.text(1))) plain.emplace_back(st.text(0), st.text(1));
    for (const auto& [id, secret] : plain)
      c.exec("UPDATE webhooks SET secret = ? WHERE id = ?", secrets_->seal(secret), id);
    return static_cast<int>(plain.size());
  });
}

Result<Webhook> WebhookRepo::create(const NewWebhook& hook, SysTime now) {
  return db_.write([&](Conn& c) {
    Webhook w;
    w.id = new_id(now);
    w.user_id = hook.user_id;
    w.url = hook.url;
    w.secret = hook.secret;
    w.events = hook.events;
    w.last_seq = EventFeed::last_seq(c);
    w.created_at = w.updated_at = format_rfc3339(now);
    c.exec(
        "INSERT INTO webhooks (id, user_id, url, secret, events, last_seq, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        w.id, w.user_id, w.url, seal(w.secret), types_json(w.events), w.last_seq, w.created_at,
        w.updated_at);
    return w;
  });
}

Result<WebhookList> WebhookRepo::list(std::string_view user_id, int limit, std::string_view after) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(std::string("SELECT ") + std::string(kHookColumns) +
                         " FROM webhooks WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?");
    st.bind_all(user_id, after, limit + 1);
    WebhookList out;
    while (st.step()) {
      if (static_cast<int>(out.items.size()) == limit) {
        out.next_cursor = out.items.back().id;
        break;
      }
      out.items.push_back(read_hook(st));
      out.items.back().secret = reveal(out.items.back().secret);
    }
    return out;
  });
}

Result<std::optional<Webhook>> WebhookRepo::find(std::string_view user_id, std::string_view id) {
  auto w = db_.read([&](Conn& c) { return find_in(c, user_id, id); });
  if (w && *w) (*w)->secret = reveal((*w)->secret);
  return w;
}

Result<std::optional<Webhook>> WebhookRepo::update(std::string_view user_id, std::string_view id,
                                                   const WebhookPatch& p, SysTime now) {
  return db_.write([&](Conn& c) -> std::optional<Webhook> {
    auto w = find_in(c, user_id, id);
    if (!w) return std::nullopt;
    w->secret = reveal(w->secret);
    if (p.url) w->url = *p.url;
    if (p.secret) w->secret = *p.secret;
    if (p.events) w->events = *p.events;
    w->updated_at = format_rfc3339(now);
    c.exec("UPDATE webhooks SET url = ?, secret = ?, events = ?, updated_at = ? WHERE id = ?",
           w->url, seal(w->secret), types_json(w->events), w->updated_at, w->id);
    return w;
  });
}

Result<bool> WebhookRepo::remove(std::string_view user_id, std::string_view id) {
  return db_.write([&](Conn& c) {
    return c.exec("DELETE FROM webhooks WHERE id = ? AND user_id = ?", id, user_id) > 0;
  });
}

Result<int> WebhookRepo::fan_out(SysTime now, int max_events) {
  return db_.write([&](Conn& c) {
    struct Owner {
      std::string id, user_id, types_text;
      std::int64_t last_seq;
      EventScope scope;
    };
    std::vector<Owner> hooks;
    {
      auto& st = c.prepare(
          "SELECT w.id, w.user_id, w.events, w.last_seq, u.role, u.brand_id, u.company_id "
          "FROM webhooks w JOIN users u ON u.id = w.user_id WHERE w.last_seq < ?");
      st.bind_all(EventFeed::last_seq(c));
      while (st.step()) {
        const auto role = parse_role(st.text(4)).value_or(Role::user);
        hooks.push_back({st.text(0), st.text(1), st.text(2), st.int64(3),
                         EventScope::of(role, st.text(1), st.opt_text(5), st.opt_text(6))});
      }
    }
    const auto newest = EventFeed::last_seq(c);
    const auto ts = format_rfc3339(now);
    int queued = 0;
    for (const auto& h : hooks) {
      const auto types = parse_types(h.types_text);
      const auto events = EventFeed::read_after(c, h.last_seq, h.scope, max_events, newest);
      for (const auto& e : events) {
        if (!types.empty() && std::find(types.begin(), types.end(), e.type) == types.end())
          continue;
        queued += c.exec(
            "INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, "
            "status, attempts, next_attempt_at, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?) "
            "ON CONFLICT (webhook_id, event_id) DO NOTHING",
            new_id(now), h.id, e.id, e.type, ts, delivery_body(e), ts, ts);
      }
      // A short page means every event up to `newest` in this scope was seen: jump there, so
      // events outside the scope are not read again.
      const auto cursor = static_cast<int>(events.size()) < max_events ? newest : events.back().seq;
      c.exec("UPDATE webhooks SET last_seq = ? WHERE id = ?", cursor, h.id);
    }
    return queued;
  });
}

Result<std::vector<WebhookDelivery>> WebhookRepo::claim_due(SysTime now, std::chrono::seconds lease,
                                                            int limit) {
  const auto ts = format_rfc3339(now);
  const auto until = format_rfc3339(now + lease);
  return db_.write([&](Conn& c) {
    std::vector<std::string> ids;
    {
      auto& st = c.prepare(
          "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
          "ORDER BY next_attempt_at, id LIMIT ?");
      st.bind_all(ts, limit);
      while (st.step()) ids.push_back(st.text(0));
    }
    std::vector<WebhookDelivery> out;
    for (const auto& id : ids) {
      c.exec(
          "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = ?, "
          "updated_at = ? WHERE id = ?",
          until, ts, id);
      auto& st = c.prepare(std::string("SELECT ") + std::string(kDeliveryColumns) +
                           " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                           "WHERE d.id = ?");
      st.bind_all(id);
      if (st.step()) {
        out.push_back(read_delivery(st));
        out.back().secret = reveal(out.back().secret);
      }
    }
    return out;
  });
}

Result<void> WebhookRepo::mark_delivered(std::string_view id, int http_status, SysTime now) {
  return db_.write([&](Conn& c) {
    c.exec(
        "UPDATE webhook_deliveries SET status = 'delivered', last_status = ?, last_error = NULL, "
        "updated_at = ? WHERE id = ? AND status = 'pending'",
        http_status, format_rfc3339(now), id);
  });
}

Result<void> WebhookRepo::reschedule(std::string_view id, SysTime next_attempt,
                                     std::optional<int> http_status, std::string_view error,
                                     SysTime now) {
  return db_.write([&](Conn& c) {
    c.exec(
        "UPDATE webhook_deliveries SET next_attempt_at = ?, last_status = ?, last_error = ?, "
        "updated_at = ? WHERE id = ? AND status = 'pending'",
        format_rfc3339(next_attempt), http_status, clip(error), format_rfc3339(now), id);
  });
}

Result<void> WebhookRepo::mark_failed(std::string_view id, std::optional<int> http_status,
                                      std::string_view error, SysTime now) {
  return db_.write([&](Conn& c) {
    c.exec(
        "UPDATE webhook_deliveries SET status = 'failed', last_status = ?, last_error = ?, "
        "updated_at = ? WHERE id = ? AND status = 'pending'",
        http_status, clip(error), format_rfc3339(now), id);
  });
}

Result<int> WebhookRepo::prune(SysTime before) {
  const auto ts = format_rfc3339(before);
  return db_.write([&](Conn& c) {
    int n =
        c.exec("DELETE FROM webhook_deliveries WHERE status != 'pending' AND updated_at < ?", ts);
    n += c.exec(
        "DELETE FROM events WHERE created_at < ? AND seq <= "
        "(SELECT COALESCE(min(last_seq), 9223372036854775807) FROM webhooks)",
        ts);
    return n;
  });
}

Result<std::vector<WebhookDelivery>> WebhookRepo::deliveries(std::string_view webhook_id,
                                                             int limit) {
  return db_.read([&](Conn& c) {
    auto& st = c.prepare(std::string("SELECT ") + std::string(kDeliveryColumns) +
                         " FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                         "WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?");
    st.bind_all(webhook_id, limit);
    std::vector<WebhookDelivery> out;
    while (st.step()) {
      out.push_back(read_delivery(st));
      out.back().secret = reveal(out.back().secret);
    }
    return out;
  });
}

}  // namespace faxd::store
