#include "faxd/api/event_stream.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "faxd/api/faxes.hpp"
#include "faxd/api/json.hpp"

namespace faxd::api {

namespace {

constexpr auto kKeepAlive = std::chrono::seconds(15);

struct Row {
  std::int64_t seq;
  std::string type, brand_id, company_id;
  std::optional<std::string> virtual_fax_id;
  std::string payload;
};

bool visible(const store::FaxScope& s, const Row& r) {
  if (s.brand_id && *s.brand_id != r.brand_id) return false;
  if (s.company_id && *s.company_id != r.company_id) return false;
  if (s.virtual_fax_ids)
    return r.virtual_fax_id && std::find(s.virtual_fax_ids->begin(), s.virtual_fax_ids->end(),
                                         *r.virtual_fax_id) != s.virtual_fax_ids->end();
  return true;
}

}  // namespace

std::size_t EventStreams::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

std::size_t EventStreams::streams_of(const std::string& user_id) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(
      subscribers_.begin(), subscribers_.end(),
      [&](const Subscriber& s) { return s.user_id == user_id && !s.writer->closed(); }));
}

void EventStreams::add_routes(http::Router& router, const Api& api) {
  router.add(
      "GET", "/api/v1/events",
      api.authed([this](const Caller& caller, const http::Request& req, const http::Params&) {
        if (subscribers() >= max_subscribers_)
          return http::Response::error(503, "unavailable",
                                       "too many event streams; try again later");
        if (streams_of(caller.user.id) >= max_per_user_)
          return http::Response::error(429, "too_many_streams",
                                       "you have too many event streams open; close one")
              .set("Retry-After", "30");
        Subscriber sub{.scope = fax_scope(caller, db_), .user_id = caller.user.id};
        // Resume after the last event the client saw, else start from now.
        std::int64_t after = -1;
        if (auto last = req.header("Last-Event-ID"); !last.empty()) {
          try {
            after = std::stoll(std::string(last));
          } catch (...) {
          }
        }
        if (after < 0) {
          auto seq = db_.read([](store::Conn& c) {
            auto& st = c.prepare("SELECT COALESCE(MAX(seq), 0) FROM events");
            st.step();
            return st.int64(0);
          });
          if (!seq) return error_response(seq.error());
          after = *seq;
        }
        sub.after = after;
        http::Response res;
        res.status = 200;
        res.set("Content-Type", "text/event-stream");
        res.set("Cache-Control", "no-store");
        res.set("X-Accel-Buffering", "no");
        res.on_stream = [this,
                         sub = std::move(sub)](std::shared_ptr<http::StreamWriter> w) mutable {
          w->write(": faxd events\nretry: 3000\n\n");
          sub.writer = std::move(w);
          sub.last_write = std::chrono::steady_clock::now();
          std::lock_guard lock(mutex_);
          subscribers_.push_back(std::move(sub));
        };
        return res;
      }));
}

void EventStreams::pump() {
  std::lock_guard pump_lock(pump_mutex_);
  std::int64_t from;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(subscribers_, [](const Subscriber& s) { return s.writer->closed(); });
    if (subscribers_.empty()) return;
    from = std::min_element(subscribers_.begin(), subscribers_.end(),
                            [](const auto& a, const auto& b) { return a.after < b.after; })
               ->after;
  }
  auto rows = db_.read([&](store::Conn& c) {
    auto& st = c.prepare(
        "SELECT seq, type, brand_id, company_id, virtual_fax_id, payload FROM events "
        "WHERE seq > ? ORDER BY seq LIMIT 500");
    st.bind_all(from);
    std::vector<Row> out;
    while (st.step())
      out.push_back({st.int64(0), st.text(1), st.text(2), st.text(3), st.opt_text(4), st.text(5)});
    return out;
  });
  if (!rows) {
    spdlog::warn("api.events_read_failed error={}", rows.error().message);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  for (auto& sub : subscribers_) {
    std::string chunk;
    for (const auto& r : *rows) {
      if (r.seq <= sub.after) continue;
      sub.after = r.seq;
      if (visible(sub.scope, r))
        chunk += fmt::format("event: {}\nid: {}\ndata: {}\n\n", r.type, r.seq, r.payload);
    }
    if (chunk.empty() && now - sub.last_write >= kKeepAlive) chunk = ": keep-alive\n\n";
    if (!chunk.empty()) {
      sub.writer->write(std::move(chunk));
      sub.last_write = now;
    }
  }
}

}  // namespace faxd::api
