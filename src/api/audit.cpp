#include "audit.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include <spdlog/spdlog.h>

#include "faxd/common/id.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxChangesBytes = 16 * 1024;
constexpr std::size_t kMaxText = 500;

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

// What a request path says: /api/v1/<resource>[/<id>[/<verb>...]] or /api/v1/<resource>/<verb>.
struct Target {
  std::string resource;
  std::optional<std::string> id;
  std::string verb;       // the segment after the id (or after the collection)
  std::string item_path;  // /api/v1/<resource>/<id>, for the "before" GET
};

Target parse_target(std::string_view path) {
  Target t;
  auto seg = segments(path);
  if (seg.size() < 3) return t;
  t.resource = std::string(seg[2]);
  std::size_t next = 3;
  if (seg.size() > 3 && is_valid_id(seg[3])) {
    t.id = std::string(seg[3]);
    t.item_path = "/api/v1/" + t.resource + "/" + *t.id;
    next = 4;
  }
  for (std::size_t i = next; i < seg.size(); ++i) {
    if (!t.verb.empty()) t.verb += '_';
    t.verb += std::string(seg[i]);
  }
  return t;
}

std::string action_for(std::string_view method, const Target& t) {
  if (t.resource == "logout") return "logout";
  if (!t.verb.empty()) return t.verb;
  if (method == "POST") return "create";
  if (method == "DELETE") return "delete";
  return "update";  // PATCH, PUT
}

json clip(const json& v) {
  if (v.is_string() && v.get_ref<const std::string&>().size() > kMaxText)
    return v.get_ref<const std::string&>().substr(0, kMaxText) + "...";
  return v;
}

bool ignored_field(const std::string& key) {
  return key == "id" || key == "created_at" || key == "updated_at";
}

std::optional<std::string> text_member(const json& obj, const char* key) {
  if (obj.is_object())
    if (auto it = obj.find(key); it != obj.end() && it->is_string()) return it->get<std::string>();
  return std::nullopt;
}

}  // namespace

bool is_secret_key(std::string_view key) noexcept {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto has = [&](std::string_view s) { return k.find(s) != std::string::npos; };
  return has("password") || has("secret") || has("token") || has("hash") || k == "key" ||
         k.ends_with("_key") || k == "credentials";
}

json redact(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : value.items())
      out[k] = is_secret_key(k) ? json{{"changed", true}} : redact(v);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& v : value) out.push_back(redact(v));
    return out;
  }
  return clip(value);
}

Response Auditor::run(const Caller& caller, const Request& req, const http::Params& params,
                      const AuthedHandler& handler) const {
  auto target = parse_target(req.path);
  json before;
  const bool on_item = target.id.has_value();
  if (on_item && router_ && (req.method != "POST" || !target.verb.empty())) {
    Request get;
    get.method = "GET";
    get.path = get.target = target.item_path;
    get.headers = req.headers;
    get.remote_address = req.remote_address;
    get.secure = req.secure;
    auto r = router_->dispatch(get);
    if (r.status == 200 && !r.on_stream) before = json::parse(r.body, nullptr, false);
    if (before.is_discarded()) before = nullptr;
  }

  auto res = handler(caller, req, params);
  if (res.status < 200 || res.status >= 300) return res;

  json after;
  if (!res.on_stream && !res.body.empty() && res.body.front() == '{') {
    after = json::parse(res.body, nullptr, false);
    if (after.is_discarded()) after = nullptr;
  }
  json body;
  if (!req.body.empty() && req.body.front() == '{') {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) body = nullptr;
  }

  store::AuditEvent e;
  e.action = action_for(req.method, target);
  e.resource = target.resource == "logout" ? "session" : target.resource;
  e.resource_id = target.id;
  if (target.resource == "me") {
    e.resource = "users";
    e.resource_id = caller.user.id;
  }
  if (!e.resource_id) {
    if (auto id = text_member(after, "id"))
      e.resource_id = id;
    else if (auto batch = text_member(after, "batch_id"))
      e.resource_id = batch;
  }

  json changes = json::object();
  if (body.is_object()) {
    for (const auto& [k, v] : body.items()) {
      if (ignored_field(k)) continue;
      if (is_secret_key(k)) {
        changes[k] = {{"changed", true}};
        continue;
      }
      json to = after.is_object() && after.contains(k) ? after[k] : v;
      if (e.action == "update") {
        json from = before.is_object() && before.contains(k) ? before[k] : json(nullptr);
        if (before.is_object() && from == to) continue;  // named but unchanged
        changes[k] = {{"from", redact(from)}, {"to", redact(to)}};
      } else {
        changes[k] = {{"to", redact(to)}};
      }
    }
  } else if (e.action == "delete" && before.is_object()) {
    for (const auto& [k, v] : before.items())
      if (!ignored_field(k) && !is_secret_key(k)) changes[k] = {{"from", redact(v)}};
  }
  if (!changes.empty()) {
    auto text = changes.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > kMaxChangesBytes) text = json{{"truncated", true}}.dump();
    e.changes = std::move(text);
  }
  e.user_id = caller.user.id;
  e.username = caller.user.username;
  e.remote_address = req.remote_address;
  record(std::move(e), after.is_object() ? after : before, caller.user);
  return res;
}

void Auditor::login(const std::string& username, const std::optional<store::User>& user,
                    const Request& req, std::optional<std::string> reason) const {
  store::AuditEvent e;
  e.action = reason ? "login_failed" : "login";
  e.resource = "session";
  e.username = username.substr(0, 100);
  if (user) {
    e.user_id = user->id;
    e.resource_id = user->id;
  }
  if (reason) e.changes = json{{"reason", *reason}}.dump();
  e.remote_address = req.remote_address;
  record(std::move(e), nullptr, user);
}

void Auditor::record(store::AuditEvent e, const json& object,
                     const std::optional<store::User>& actor) const {
  // Whose scope the event is in: the object's, else the actor's.
  if (e.resource == "brands") {
    e.brand_id = e.resource_id;
  } else if (e.resource == "companies") {
    e.company_id = e.resource_id;
    e.brand_id = text_member(object, "brand_id");
  } else {
    e.brand_id = text_member(object, "brand_id");
    e.company_id = text_member(object, "company_id");
  }
  if (e.company_id && !e.brand_id)
    if (auto co = tenants_.find_company(*e.company_id); co && *co) e.brand_id = (*co)->brand_id;
  if (!e.brand_id && !e.company_id && actor) {
    e.brand_id = actor->brand_id;
    e.company_id = actor->company_id;
  }
  if (auto r = repo_.record(std::move(e)); !r)
    spdlog::error("audit.record_failed error={}", r.error().message);
}

}  // namespace faxd::api
