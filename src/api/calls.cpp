// GET /api/v1/calls: the call detail records in the caller's scope, newest first, for billing.
// Admins only (a brand admin sees its brand's calls, a company admin its company's). JSON pages
// as every list, or CSV (`?format=csv` or `Accept: text/csv`): the whole selection streamed in
// chunks of a few thousand rows, read page by page from the store while the client takes them,
// never held in memory whole.
#include <atomic>
#include <memory>
#include <thread>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/store/call_csv.hpp"
#include "resource.hpp"
#include "resources.hpp"
#include "scope.hpp"

namespace faxd::api {

using http::Request;
using http::Response;
using nlohmann::json;
using store::Role;

namespace {

constexpr int kCsvPageRows = 2000;
constexpr std::size_t kCsvHighWater = 1u << 20;        // queued bytes before the producer waits
constexpr auto kCsvStall = std::chrono::seconds(120);  // a client that takes nothing this long
constexpr int kMaxCsvExports = 2;  // at once; each holds a worker thread while it streams

json call_json(const store::Call& c) {
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", c.id},
          {"fax_id", c.fax_id},
          {"direction", c.direction},
          {"brand_id", c.brand_id},
          {"company_id", c.company_id},
          {"virtual_fax_id", opt(c.virtual_fax_id)},
          {"from", c.from_number},
          {"to", c.to_number},
          {"carrier_id", opt(c.carrier_id)},
          {"started_at", c.started_at},
          {"answered_at", opt(c.answered_at)},
          {"ended_at", opt(c.ended_at)},
          {"duration_s", opt(c.duration_s)},
          {"billable_s", opt(c.billable_s)},
          {"transport", opt(c.transport)},
          {"bit_rate", opt(c.bit_rate)},
          {"pages", c.pages},
          {"result", c.result},
          {"failure_code", opt(c.failure_code)}};
}

bool is_call_result(std::string_view s) {
  return s == "running" || s == "delivered" || s == "received" || s == "failed" || s == "canceled";
}

// The query of a request (filters and paging), or the error response.
std::variant<store::CallQuery, Response> read_query(const Caller& c, const Request& req) {
  store::CallQuery q;
  if (c.user.role == Role::brand_admin) q.brand_id = c.user.brand_id.value_or("-");
  if (c.user.role == Role::company_admin) q.company_id = c.user.company_id.value_or("-");
  auto param = [&](const char* name) -> std::optional<std::string> {
    auto v = req.query_param(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  auto bad = [](std::string_view field, std::string_view message) {
    return Response::error(422, "invalid_field", fmt::format("{}: {}", field, message), field);
  };
  if (auto v = param("direction")) {
    if (*v != "inbound" && *v != "outbound") return bad("direction", "inbound or outbound");
    q.direction = *v;
  }
  if (auto v = param("result")) {
    if (!is_call_result(*v))
      return bad("result", "one of running, delivered, received, failed, canceled");
    q.result = *v;
  }
  for (auto [name, slot] :
       {std::pair{"company_id", &q.filter_company_id}, std::pair{"carrier_id", &q.carrier_id}}) {
    if (auto v = param(name)) {
      if (!is_valid_id(*v)) return bad(name, "not an id");
      *slot = *v;
    }
  }
  for (auto [name, slot] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
    if (auto v = param(name)) {
      auto t = parse_rfc3339(*v);
      if (!t) return bad(name, "not an RFC 3339 time");
      *slot = *t;
    }
  }
  auto page = read_page(req);
  if (!page) return error_response(page.error());
  q.limit = page->limit;
  if (!page->after.empty()) q.cursor = page->after;
  return q;
}

bool wants_csv(const Request& req) {
  if (auto f = req.query_param("format")) return *f == "csv";
  return req.header("Accept").find("text/csv") != std::string_view::npos;
}

// Streams every call of `q` (from its cursor on) as CSV into `out`. Runs on a worker thread.
void produce_csv(store::CallRepo& calls, store::CallQuery q,
                 const std::shared_ptr<http::StreamWriter>& out) {
  std::string chunk(store::call_csv_header());
  q.limit = kCsvPageRows;
  for (;;) {
    auto page = calls.list(q);
    if (!page) {
      spdlog::error("api.calls_csv_failed error={}", page.error().message);
      out->abort();  // a cut body, not one that looks complete
      return;
    }
    chunk.reserve(page->data.size() * 260 + 64);
    for (const auto& c : page->data) store::append_call_csv(chunk, c);
    if (!out->write(std::move(chunk))) return;  // the client went away
    chunk.clear();
    if (!page->next_cursor) break;
    q.cursor = page->next_cursor;
    // Let a slow client catch up before reading more.
    const auto deadline = std::chrono::steady_clock::now() + kCsvStall;
    while (out->queued_bytes() > kCsvHighWater) {
      if (out->closed()) return;
      if (std::chrono::steady_clock::now() > deadline) {
        spdlog::warn("api.calls_csv_stalled");
        out->abort();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  out->close();
}

}  // namespace

void add_call_routes(http::Router& router, const Api& api, Services& s) {
  auto exports = std::make_shared<std::atomic<int>>(0);
  router.add(
      "GET", "/api/v1/calls",
      api.authed([&s, exports](const Caller& c, const Request& req, const http::Params&) {
        if (!at_least(c, Role::company_admin)) return forbidden("calls are for admins (billing)");
        auto parsed = read_query(c, req);
        if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
        auto q = std::get<store::CallQuery>(std::move(parsed));
        if (!wants_csv(req)) {
          auto page = s.calls.list(q);
          if (!page) return error_response(page.error());
          auto data = json::array();
          for (const auto& call : page->data) data.push_back(call_json(call));
          return Response::json(
              200, {{"data", std::move(data)},
                    {"next_cursor", page->next_cursor ? json(*page->next_cursor) : json(nullptr)}});
        }
        if (exports->fetch_add(1) >= kMaxCsvExports) {
          exports->fetch_sub(1);
          return Response::error(429, "too_many_exports",
                                 "other CSV exports are running; try again shortly")
              .set("Retry-After", "5");
        }
        Response res;
        res.status = 200;
        res.set("Content-Type", "text/csv; charset=utf-8");
        res.set("Content-Disposition", "attachment; filename=\"calls.csv\"");
        res.set("Cache-Control", "no-store");
        auto& calls = s.calls;
        auto run = s.ctx.run_blocking;
        // Holds the export's place until the producer is done, or until the response is
        // dropped unsent (a client gone before the head was written).
        std::shared_ptr<void> slot(nullptr, [exports](void*) { exports->fetch_sub(1); });
        res.on_stream = [&calls, q, run, slot](std::shared_ptr<http::StreamWriter> out) {
          auto job = [&calls, q, out, slot] { produce_csv(calls, q, out); };
          if (run)
            run(std::move(job));
          else
            job();
        };
        return res;
      }));
}

}  // namespace faxd::api
