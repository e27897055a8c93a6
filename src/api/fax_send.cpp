#include "fax_send.hpp"

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "fax_compose.hpp"
#include "fax_sender.hpp"
#include "fax_submission.hpp"
#include "fax_upload.hpp"
#include "faxd/api/json.hpp"
#include "faxd/common/id.hpp"
#include "faxd/store/fax_json.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "validate.hpp"

namespace faxd::api {

using http::Request;
using http::Response;

namespace {

// Removes the documents written for a request unless it is kept.
struct Documents {
  const jobs::Spool& spool;
  std::vector<std::string> paths;
  bool keep = false;
  ~Documents() {
    if (keep) return;
    for (const auto& p : std::set<std::string>(paths.begin(), paths.end())) spool.remove(p);
  }
};

// A submission checked and its uploads written: what the conversion job needs, nothing of the
// request (which may be gone when the job runs).
struct Outgoing {
  store::VirtualFax vf;
  Submission form;  // without files
  std::vector<std::string> numbers;
  std::string from;
  std::string key;
  document::Quality quality;
  std::string user_id, username;
  std::shared_ptr<TempFiles> temps;
  std::vector<std::string> inputs, names;
};

// Converts the uploads, adds covers, stores the documents and queues a fax per number.
Response convert_and_queue(FaxApiDeps& d, const Outgoing& o,
                           const document::ConvertOptions& options) {
  Documents docs{d.spool};
  const std::string converted = d.spool.new_document("outbound", d.clock.now());
  docs.paths.push_back(converted);
  auto info =
      document::convert_to_fax_tiff(o.inputs, d.spool.path(converted).string(), o.quality, options);
  if (!info) return conversion_error(info.error(), o.names);

  // Without a cover every fax shares the converted document; a cover names its recipient, so
  // each fax then gets its own copy with its cover first (the pages are copied, not converted).
  std::vector<std::string> fax_docs(o.numbers.size(), converted);
  int pages_total = info->pages;
  if (o.form.has_cover()) {
    auto cover =
        cover_context(d, o.vf, o.from, o.form, d.spool.path(converted).string(), o.quality);
    if (!cover) return error_response(cover.error());
    for (std::size_t i = 0; i < o.numbers.size(); ++i) {
      fax_docs[i] = d.spool.new_document("outbound", d.clock.now());
      docs.paths.push_back(fax_docs[i]);
      auto joined =
          write_with_cover(d, *cover, o.numbers[i], info->pages, d.spool.path(converted).string(),
                           d.spool.path(fax_docs[i]).string());
      if (!joined) {
        if (joined.error().code == Errc::invalid_argument)  // a template's bad logo, say
          return Response::error(422, "invalid_field", "cover: " + joined.error().message,
                                 "cover_to");
        return error_response(joined.error());
      }
    }
    pages_total = info->pages + 1;
  }

  // In a cluster another node may send them: each document is in the store before its fax.
  for (const auto& doc : std::set<std::string>(fax_docs.begin(), fax_docs.end()))
    if (auto published = d.spool.publish(doc); !published) return error_response(published.error());

  const bool broadcast = o.numbers.size() > 1;
  const std::optional<std::string> batch_id =
      broadcast ? std::optional<std::string>(new_id(d.clock.now())) : std::nullopt;
  std::vector<store::NewOutboundFax> rows;
  for (std::size_t i = 0; i < o.numbers.size(); ++i)
    rows.push_back(
        {.brand_id = o.vf.brand_id,
         .company_id = o.vf.company_id,
         .virtual_fax_id = o.vf.id,
         .created_by = o.user_id,
         .from_number = o.from,
         .to_number = o.numbers[i],
         .pages_total = pages_total,
         .quality = std::string(document::to_string(o.quality)),
         .header = o.form.header.value_or(""),
         .idempotency_key = o.key.empty() ? std::nullopt : std::optional<std::string>(o.key),
         .document = fax_docs[i],
         .batch_id = batch_id,
         .send_at = o.form.send_at});
  auto created = d.faxes.create_outbound_batch(rows);
  if (!created) return error_response(created.error());
  auto& [faxes, fresh] = *created;
  if (fresh) {
    docs.keep = true;
    // With covers the converted document itself is in no fax: only its copies are.
    if (o.form.has_cover()) d.spool.remove(converted);
  }
  spdlog::info("api.fax_queued fax={} batch={} recipients={} pages={} cover={} send_at={} user={}",
               faxes.front().id, batch_id.value_or("-"), o.numbers.size(), pages_total,
               o.form.has_cover(), faxes.front().send_at.value_or("-"), o.username);
  if (d.wake_queue) d.wake_queue();
  const int status = fresh ? 202 : 200;
  if (!fresh && faxes.front().batch_id)
    return batch_response(status, *faxes.front().batch_id, faxes);
  if (!broadcast || !fresh) return Response::json(status, store::to_json(faxes.front()));
  return batch_response(status, *batch_id, faxes);
}

}  // namespace

Response batch_response(int status, const std::string& batch_id,
                        const std::vector<store::Fax>& faxes) {
  std::string body = "{\"batch_id\":";
  store::append_json_string(body, batch_id);
  body += ",\"data\":[";
  for (const auto& f : faxes) {
    store::append_json(body, f);
    body += ',';
  }
  if (!faxes.empty()) body.pop_back();
  body += "]}";
  return Response::text(status, std::move(body), "application/json");
}

Response send_faxes(FaxApiDeps& d, const Caller& caller, const Request& req) {
  auto boundary = http::multipart_boundary(req.header("Content-Type"));
  if (!boundary) return error_response(boundary.error());
  auto parts = http::parse_multipart(req.body, *boundary);
  if (!parts) return error_response(parts.error());
  auto sub = read_submission(*parts, d.clock.now(), /*strict=*/true);
  if (!sub) return error_response(sub.error());
  if (sub->to.empty())
    return Response::error(422, "invalid_field", "to: give the number to send to", "to");
  auto quality = document::parse_quality(sub->quality);
  if (!quality)
    return Response::error(422, "invalid_field", "quality: must be standard or fine", "quality");
  if (sub->files.empty())
    return Response::error(422, "invalid_field", "file: attach at least one PDF or TIFF", "file");
  if (!is_valid_id(sub->virtual_fax_id))
    return Response::error(422, "invalid_field", "virtual_fax_id: no such virtual fax",
                           "virtual_fax_id");
  auto vfax = d.vfaxes.find_virtual_fax(sub->virtual_fax_id);
  if (!vfax) return error_response(vfax.error());
  if (!*vfax || !may_use_virtual_fax(**vfax, fax_scope(caller, d.db)))
    return Response::error(422, "invalid_field", "virtual_fax_id: no such virtual fax",
                           "virtual_fax_id");
  const auto& vf = **vfax;
  // The tenant switched on and a caller id (api/fax_sender.hpp), then each `to` as typed, read
  // with `country` (default the company's) as E.164.
  store::TenantRepo tenants(d.db, d.clock);
  auto sender = tenants.sending_context(vf.id);
  if (!sender) return error_response(sender.error());
  if (!*sender)
    return Response::error(422, "invalid_field", "virtual_fax_id: no such virtual fax",
                           "virtual_fax_id");
  if (auto refused = refuse_sender(**sender)) return *refused;
  std::vector<std::string> numbers;
  for (const auto& to : sub->to) {
    auto n = destination_e164(to, sub->country.value_or(""), (*sender)->tenant.country);
    if (!n) return error_response(n.error());
    if (std::find(numbers.begin(), numbers.end(), *n) != numbers.end())
      return Response::error(422, "invalid_field", fmt::format("to: {} is given twice", *n), "to");
    numbers.push_back(std::move(*n));
  }

  const auto key = std::string(req.header("Idempotency-Key"));
  if (key.size() > 200) return Response::error(422, "invalid_field", "Idempotency-Key: too long");
  if (!key.empty()) {  // a retried request gets the first answer, without converting again
    auto first = d.faxes.find_by_idempotency_key(caller.user.id, key);
    if (!first) return error_response(first.error());
    if (*first) {
      if (!(*first)->batch_id) return Response::json(200, store::to_json(**first));
      auto all = d.faxes.batch(*(*first)->batch_id);
      if (!all) return error_response(all.error());
      return batch_response(200, *(*first)->batch_id, *all);
    }
  }

  // Convert once, before answering: a bad document is refused now and nothing is queued. The
  // conversion runs on its own lane (fax_upload.hpp); the job keeps nothing of the request.
  auto out = std::make_shared<Outgoing>(Outgoing{.vf = vf,
                                                 .form = *sub,
                                                 .numbers = std::move(numbers),
                                                 .from = (*sender)->caller_id,
                                                 .key = key,
                                                 .quality = *quality,
                                                 .user_id = caller.user.id,
                                                 .username = caller.user.username,
                                                 .temps = std::make_shared<TempFiles>()});
  out->form.files.clear();
  for (const auto* f : sub->files) {
    const auto path = d.spool.new_temp(d.clock.now(), ".upload").string();
    out->temps->paths.push_back(path);
    if (!write_file(path, f->data))
      return Response::error(507, "storage_full", "cannot store the upload");
    out->inputs.push_back(path);
    out->names.emplace_back(f->filename);
  }
  return on_conversion_lane(d, caller, req, [&d, out](const document::ConvertOptions& options) {
    return convert_and_queue(d, *out, options);
  });
}

}  // namespace faxd::api
