#include "faxd/api/faxes.hpp"

#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "fax_preview.hpp"
#include "fax_report.hpp"
#include "fax_send.hpp"
#include "fax_sender.hpp"
#include "fax_submission.hpp"
#include "fax_upload.hpp"
#include "faxd/api/json.hpp"
#include "faxd/common/id.hpp"
#include "faxd/common/time.hpp"
#include "faxd/http/multipart.hpp"
#include "faxd/store/fax_json.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "validate.hpp"

namespace faxd::api {

namespace fs = std::filesystem;
using http::Request;
using http::Response;

namespace {

Response fax_not_found() {
  return Response::error(404, "not_found", "no such fax");
}

std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class FaxHandlers {
 public:
  explicit FaxHandlers(FaxApiDeps& deps) : d_(deps), tenants_(deps.db, deps.clock) {}

  Response send(const Caller& caller, const Request& req) { return send_faxes(d_, caller, req); }

  Response list(const Caller& caller, const Request& req) {
    store::FaxQuery q{.scope = fax_scope(caller, d_.db)};
    auto param = [&](std::string_view name) { return req.query_param(name); };
    if (auto v = param("limit")) {
      try {
        q.limit = std::stoi(*v);
      } catch (...) {
        return Response::error(422, "invalid_field", "limit: must be a number from 1 to 500",
                               "limit");
      }
      if (q.limit < 1 || q.limit > 500)
        return Response::error(422, "invalid_field", "limit: must be a number from 1 to 500",
                               "limit");
    }
    if (auto v = param("cursor")) {
      if (!is_valid_id(*v))
        return Response::error(422, "invalid_field", "cursor: not a cursor", "cursor");
      q.cursor = *v;
    }
    if (auto v = param("direction")) {
      if (*v != "inbound" && *v != "outbound")
        return Response::error(422, "invalid_field", "direction: inbound or outbound", "direction");
      q.direction = *v;
    }
    if (auto v = param("status")) {
      if (!store::parse_fax_status(*v))
        return Response::error(422, "invalid_field", "status: unknown status", "status");
      q.status = *v;
    }
    if (auto v = param("order")) {
      if (*v != "asc" && *v != "desc")
        return Response::error(422, "invalid_field", "order: asc (oldest first) or desc", "order");
      q.oldest_first = *v == "asc";
    }
    if (auto v = param("virtual_fax_id")) q.virtual_fax_id = *v;
    if (auto v = param("from")) q.from_number = *v;
    if (auto v = param("to")) q.to_number = *v;
    if (auto v = param("batch_id")) {
      if (!is_valid_id(*v))
        return Response::error(422, "invalid_field", "batch_id: not a batch id", "batch_id");
      q.batch_id = *v;
    }
    for (auto [name, slot] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
      if (auto v = param(name)) {
        auto t = parse_rfc3339(*v);
        if (!t)
          return Response::error(422, "invalid_field",
                                 fmt::format("{}: not an RFC 3339 time", name), name);
        *slot = format_rfc3339(*t);
      }
    }
    auto page = d_.faxes.list(q);
    if (!page) return error_response(page.error());
    // Written straight out (store/fax_json.hpp): same bytes as the nlohmann tree, a fraction of
    // the allocations; this reply is the API's hottest.
    std::string body = "{\"data\":[";
    body.reserve(page->data.size() * 700 + 64);
    for (const auto& f : page->data) {
      store::append_json(body, f);
      body += ',';
    }
    if (!page->data.empty()) body.pop_back();
    body += "],\"next_cursor\":";
    if (page->next_cursor)
      store::append_json_string(body, *page->next_cursor);
    else
      body += "null";
    // ?count=1: how many match the filters ("total"), counted up to kMaxCount; past it
    // "total_capped" is true and total is kMaxCount.
    if (param("count").value_or("") == "1") {
      constexpr int kMaxCount = 10000;
      auto total = d_.faxes.count(q, kMaxCount);
      if (!total) return error_response(total.error());
      body += fmt::format(",\"total\":{},\"total_capped\":{}", std::min(*total, kMaxCount),
                          *total > kMaxCount ? "true" : "false");
    }
    body += '}';
    return Response::text(200, std::move(body), "application/json");
  }

  // The fax if the caller may see it.
  std::optional<store::Fax> visible(const Caller& caller, const std::string& id, Response& error) {
    if (!is_valid_id(id)) {
      error = fax_not_found();
      return std::nullopt;
    }
    auto f = d_.faxes.find_in_scope(id, fax_scope(caller, d_.db));
    if (!f) {
      error = error_response(f.error());
      return std::nullopt;
    }
    if (!*f) error = fax_not_found();
    return *f;
  }

  Response get(const Caller& caller, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    std::string body;
    store::append_json(body, *f);
    return Response::text(200, std::move(body), "application/json");
  }

  Response attempts(const Caller& caller, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    auto list = d_.faxes.attempts(id);
    if (!list) return error_response(list.error());
    auto data = nlohmann::json::array();
    for (const auto& a : *list) data.push_back(store::to_json(a));
    return Response::json(200, {{"data", data}, {"next_cursor", nullptr}});
  }

  // The company's retention policy removed the document; the fax row stays.
  static Response purged() {
    return Response::error(410, "gone", "document removed by the retention policy");
  }

  Response document(const Caller& caller, const Request& req, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    if (f->document_purged_at) return purged();
    if (!f->document) return Response::error(404, "not_found", "this fax has no document");
    const bool as_tiff = req.query_param("format").value_or("pdf") == "tiff";
    auto file = as_tiff ? d_.spool.local(*f->document) : d_.spool.ensure_pdf(*f->document);
    if (!file) return error_response(file.error());
    auto data = read_file(*file);
    if (!data) return Response::error(404, "not_found", "the document is missing");
    auto res = Response::text(200, std::move(*data), as_tiff ? "image/tiff" : "application/pdf");
    // Named like the fax-to-email attachment: fax-YYYYMMDD-HHMMSS-NUMBER.pdf (company's zone).
    res.set("Content-Disposition",
            fmt::format("inline; filename=\"{}\"",
                        fax_download_name(d_, *f, "", as_tiff ? "tiff" : "pdf")));
    return res;
  }

  Response report(const Caller& caller, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    return fax_report(d_, *f);
  }

  Response thumbnail(const Caller& caller, const std::string& id, const std::string& n) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    int page = 0;
    try {
      page = std::stoi(n);
    } catch (...) {
      return Response::error(404, "not_found", "no such page");
    }
    if (f->document_purged_at) return purged();
    if (!f->document || page < 1 || page > std::max(f->pages_total, f->pages))
      return Response::error(404, "not_found", "no such page");
    auto tiff = d_.spool.local(*f->document);
    if (!tiff) return error_response(tiff.error());
    auto png = document::thumbnail_png(tiff->string(), page - 1, 400);
    if (!png) return error_response(png.error());
    auto res = Response::text(200, std::move(*png), "image/png");
    res.set("Cache-Control", "private, max-age=3600");
    return res;
  }

  // PATCH /faxes/{id} {send_at}: a queued fax goes at another time.
  Response patch(const Caller& caller, const Request& req, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object()) return Response::error(422, "invalid_field", "the body is not JSON");
    for (const auto& [name, value] : body.items())
      if (name != "send_at")
        return Response::error(422, "invalid_field",
                               fmt::format("{}: cannot be changed (only send_at)", name), name);
    if (!body.contains("send_at") || !body["send_at"].is_string())
      return Response::error(422, "invalid_field", "send_at: an RFC 3339 time", "send_at");
    const auto now = d_.clock.now();
    auto when = parse_rfc3339(body["send_at"].get<std::string>());
    if (!when)
      return Response::error(422, "invalid_field", "send_at: not an RFC 3339 time", "send_at");
    if (*when > now + kMaxSchedule)
      return Response::error(422, "invalid_field", "send_at: at most 30 days ahead", "send_at");
    if (*when < now - std::chrono::minutes(5))
      return Response::error(422, "invalid_field", "send_at: in the past", "send_at");
    auto r = d_.faxes.reschedule(id, std::max(*when, now));
    if (!r) return error_response(r.error());
    if (!*r)
      return Response::error(
          409, "conflict",
          fmt::format("a {} fax cannot be rescheduled: only a queued one", to_string(f->status)));
    if (d_.wake_queue) d_.wake_queue();
    return Response::json(200, store::to_json(**r));
  }

  // POST /faxes/batches/{batch_id}/cancel: every fax of the broadcast not yet finished.
  Response cancel_batch(const Caller& caller, const std::string& batch_id) {
    if (!is_valid_id(batch_id)) return Response::error(404, "not_found", "no such batch");
    auto all = d_.faxes.batch(batch_id);
    if (!all) return error_response(all.error());
    const auto scope = fax_scope(caller, d_.db);
    std::vector<std::string> ids;
    for (const auto& f : *all) {
      auto seen = d_.faxes.find_in_scope(f.id, scope);
      if (seen && *seen) ids.push_back(f.id);
    }
    if (ids.empty()) return Response::error(404, "not_found", "no such batch");
    std::vector<store::Fax> out;
    for (const auto& id : ids) {
      auto r = d_.faxes.cancel(id);
      if (!r) return error_response(r.error());
      if (*r == store::CancelResult::hangup_needed && d_.hang_up) d_.hang_up(id);
      if (auto now = d_.faxes.find(id); now && *now) out.push_back(**now);
    }
    return batch_response(202, batch_id, out);
  }

  Response cancel(const Caller& caller, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    auto r = d_.faxes.cancel(id);
    if (!r) return error_response(r.error());
    switch (*r) {
      case store::CancelResult::not_cancelable:
        return Response::error(409, "conflict",
                               fmt::format("a {} fax cannot be canceled", to_string(f->status)));
      case store::CancelResult::hangup_needed:
        if (d_.hang_up) d_.hang_up(id);
        break;
      case store::CancelResult::canceled:
        break;
    }
    auto now = d_.faxes.find(id);
    if (!now || !*now) return fax_not_found();
    return Response::json(202, store::to_json(**now));
  }

  Response resend(const Caller& caller, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    if (f->direction != "outbound" ||
        (f->status != store::FaxStatus::failed && f->status != store::FaxStatus::canceled))
      return Response::error(409, "conflict",
                             "only a failed or canceled outbound fax can be resent");
    if (f->document_purged_at) return purged();
    if (!f->document || !f->virtual_fax_id)
      return Response::error(409, "conflict", "the document is gone");
    auto sender = tenants_.sending_context(*f->virtual_fax_id);
    if (!sender) return error_response(sender.error());
    if (!*sender) return Response::error(409, "conflict", "the virtual fax is gone");
    if (auto refused = refuse_sender(**sender)) return *refused;
    const std::string doc = d_.spool.new_document("outbound", d_.clock.now());
    std::error_code ec;
    auto source = d_.spool.local(*f->document);
    if (source) fs::copy_file(*source, d_.spool.path(doc), ec);
    if (!source || ec) return Response::error(409, "conflict", "the document is gone");
    if (auto published = d_.spool.publish(doc); !published) {
      d_.spool.remove(doc);
      return error_response(published.error());
    }
    auto created = d_.faxes.create_outbound({.brand_id = f->brand_id,
                                             .company_id = f->company_id,
                                             .virtual_fax_id = *f->virtual_fax_id,
                                             .created_by = caller.user.id,
                                             .from_number = (*sender)->caller_id,
                                             .to_number = f->to_number,
                                             .pages_total = f->pages_total,
                                             .quality = f->quality,
                                             .header = f->header,
                                             .document = doc});
    if (!created) return error_response(created.error());
    if (d_.wake_queue) d_.wake_queue();
    return Response::json(202, store::to_json(created->first));
  }

  Response remove(const Caller& caller, const std::string& id) {
    Response err;
    auto f = visible(caller, id, err);
    if (!f) return err;
    if (f->status == store::FaxStatus::sending || f->status == store::FaxStatus::receiving)
      return Response::error(409, "conflict", "the fax is in a call: cancel it first");
    auto doc = d_.faxes.remove(id);
    if (!doc) return error_response(doc.error());
    if (*doc) d_.spool.remove(**doc);
    return Response::no_content();
  }

 private:
  FaxApiDeps& d_;
  store::TenantRepo tenants_;
};

}  // namespace

store::FaxScope fax_scope(const Caller& caller, store::Db& db) {
  const auto& u = caller.user;
  switch (u.role) {
    case store::Role::platform_admin:
      return {};
    case store::Role::brand_admin:
      return {.brand_id = u.brand_id.value_or("-")};
    case store::Role::company_admin:
      return {.company_id = u.company_id.value_or("-")};
    case store::Role::user: {
      auto ids = db.read([&](store::Conn& c) {
        auto& st = c.prepare("SELECT virtual_fax_id FROM user_virtual_faxes WHERE user_id = ?");
        st.bind_all(u.id);
        std::vector<std::string> out;
        while (st.step()) out.push_back(st.text(0));
        return out;
      });
      return {.virtual_fax_ids = ids ? *ids : std::vector<std::string>{}};
    }
  }
  return {.virtual_fax_ids = std::vector<std::string>{}};
}

void add_fax_routes(http::Router& r, const Api& api, FaxApiDeps& deps) {
  auto h = std::make_shared<FaxHandlers>(deps);
  const std::string base = "/api/v1/faxes";
  r.add("POST", base, api.authed([h](const Caller& c, const Request& req, const http::Params&) {
    return h->send(c, req);
  }),
        {.max_body_bytes = deps.max_upload_bytes + 64 * 1024});
  add_fax_preview_routes(r, api, deps);
  r.add("GET", base, api.authed([h](const Caller& c, const Request& req, const http::Params&) {
    return h->list(c, req);
  }));
  r.add("GET", base + "/{id}",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->get(c, p.at("id"));
        }));
  r.add("DELETE", base + "/{id}",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->remove(c, p.at("id"));
        }));
  r.add("GET", base + "/{id}/attempts",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->attempts(c, p.at("id"));
        }));
  r.add("GET", base + "/{id}/document",
        api.authed([h](const Caller& c, const Request& req, const http::Params& p) {
          return h->document(c, req, p.at("id"));
        }));
  r.add("GET", base + "/{id}/report",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->report(c, p.at("id"));
        }));
  r.add("GET", base + "/{id}/pages/{n}/thumbnail",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->thumbnail(c, p.at("id"), p.at("n"));
        }));
  r.add("PATCH", base + "/{id}",
        api.authed([h](const Caller& c, const Request& req, const http::Params& p) {
          return h->patch(c, req, p.at("id"));
        }));
  r.add("POST", base + "/batches/{batch_id}/cancel",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->cancel_batch(c, p.at("batch_id"));
        }));
  r.add("POST", base + "/{id}/cancel",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->cancel(c, p.at("id"));
        }));
  r.add("POST", base + "/{id}/resend",
        api.authed([h](const Caller& c, const Request&, const http::Params& p) {
          return h->resend(c, p.at("id"));
        }));
}

}  // namespace faxd::api
