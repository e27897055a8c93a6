#pragma once
// GET /api/v1/events: the fax events the caller may see, as text/event-stream (SSE).
//   event: fax.page
//   id: 1234                       (resume with the Last-Event-ID header)
//   data: {"id", "type", "created_at", "data": <fax object>}
// A comment line every 15 s keeps proxies from closing an idle stream.
//
// One pump (run on the worker pool every half second by the App) reads new rows of the events
// table once for all subscribers and hands each the ones in its scope, so a thousand open
// streams cost one query. Subscribers are capped in all (503) and per user (429 with
// Retry-After: one user cannot hold every slot); writes never block the pump (the HTTP
// connection queues them on its own strand).
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "faxd/api/api.hpp"
#include "faxd/http/router.hpp"
#include "faxd/store/db.hpp"
#include "faxd/store/fax_repo.hpp"

namespace faxd::api {

class EventStreams {
 public:
  EventStreams(store::Db& db, const Clock& clock, std::size_t max_subscribers = 1000,
               std::size_t max_per_user = 4)
      : db_(db), clock_(clock), max_subscribers_(max_subscribers), max_per_user_(max_per_user) {}

  void add_routes(http::Router& router, const Api& api);
  // Reads new events and writes them to the subscribers in scope; drops closed streams.
  void pump();
  std::size_t subscribers() const;
  // Open streams of one user.
  std::size_t streams_of(const std::string& user_id) const;

 private:
  struct Subscriber {
    std::shared_ptr<http::StreamWriter> writer;
    store::FaxScope scope;
    std::string user_id;
    std::int64_t after = 0;
    std::chrono::steady_clock::time_point last_write;
  };
  store::Db& db_;
  const Clock& clock_;
  std::size_t max_subscribers_;
  std::size_t max_per_user_;
  mutable std::mutex mutex_;
  std::vector<Subscriber> subscribers_;
  std::mutex pump_mutex_;  // one pump at a time
};

}  // namespace faxd::api
