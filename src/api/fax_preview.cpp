#include "fax_preview.hpp"
#include "fax_compose.hpp"
#include "fax_submission.hpp"
#include "fax_upload.hpp"
#include "faxd/common/id.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "faxd/api/json.hpp"
#include "faxd/http/multipart.hpp"

namespace faxd::api {

namespace fs = std::filesystem;
using http::Request;
using http::Response;

double estimate_line_seconds(const document::FaxDocumentInfo& info) noexcept {
  double seconds = info.pages > 0 ? kCallSetupSeconds : 0.0;
  for (const auto& page : info.page_info)
    seconds += document::line_seconds(page) * kEcmFraming + kPerPageSeconds;
  return seconds;
}

namespace {

std::string base64(std::string_view in) {
  static constexpr char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += digits[(v >> shift) & 63];
  }
  if (const auto rest = in.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += rest == 2 ? digits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Response preview(FaxApiDeps& d, const Caller& caller, const Request& req) {
  auto boundary = http::multipart_boundary(req.header("Content-Type"));
  if (!boundary) return error_response(boundary.error());
  auto parts = http::parse_multipart(req.body, *boundary);
  if (!parts) return error_response(parts.error());
  // The send form's fields; others are ignored here (POST /faxes refuses them).
  auto sub = read_submission(*parts, d.clock.now(), /*strict=*/false);
  if (!sub) return error_response(sub.error());
  const auto& files = sub->files;
  auto quality = document::parse_quality(sub->quality);
  if (!quality)
    return Response::error(422, "invalid_field", "quality: must be standard or fine", "quality");
  if (files.empty())
    return Response::error(422, "invalid_field", "file: attach at least one PDF or TIFF", "file");
  // With a virtual fax the preview shows its header line and cover as the fax will carry them.
  std::optional<store::VirtualFax> vf;
  if (!sub->virtual_fax_id.empty()) {
    auto found = is_valid_id(sub->virtual_fax_id)
                     ? d.vfaxes.find_virtual_fax(sub->virtual_fax_id)
                     : Result<std::optional<store::VirtualFax>>(std::nullopt);
    if (!found) return error_response(found.error());
    if (!*found || !may_use_virtual_fax(**found, fax_scope(caller, d.db)))
      return Response::error(422, "invalid_field", "virtual_fax_id: no such virtual fax",
                             "virtual_fax_id");
    vf = **found;
  }

  auto temps = std::make_shared<TempFiles>();
  std::vector<std::string> inputs;
  std::vector<std::string> names;
  for (const auto* f : files) {
    const auto path = d.spool.new_temp(d.clock.now(), ".upload");
    temps->paths.push_back(path);
    if (!write_file(path, f->data))
      return Response::error(507, "storage_full", "cannot store the upload");
    inputs.push_back(path.string());
    names.emplace_back(f->filename);
  }
  const auto tiff = d.spool.new_temp(d.clock.now(), ".tiff");
  temps->paths.push_back(tiff);
  auto form = *sub;
  form.files.clear();  // they point into the request, which may be gone when the job runs
  return on_conversion_lane(
      d, caller, req,
      [&d, temps, inputs, names, tiff, vf, form = std::move(form), quality = *quality,
       user = caller.user.username](const document::ConvertOptions& options) -> Response {
        auto page_file = tiff;
        auto info = document::convert_to_fax_tiff(inputs, page_file.string(), quality, options);
        // The same answers as POST /faxes, so the form shows them at the file field.
        if (!info) return conversion_error(info.error(), names);

        if (vf) {
          std::string from;
          if (vf->outgoing_ddi_id)
            if (auto ddi = d.ddis.find_ddi(*vf->outgoing_ddi_id); ddi && *ddi)
              from = (*ddi)->number;
          if (form.has_cover()) {
            auto cover = cover_context(d, *vf, from, form, page_file.string(), quality);
            if (!cover) return error_response(cover.error());
            const auto with_cover = d.spool.new_temp(d.clock.now(), ".tiff");
            temps->paths.push_back(with_cover);
            auto joined = write_with_cover(d, *cover, form.to.empty() ? "" : form.to.front(),
                                           info->pages, page_file.string(), with_cover.string());
            if (!joined) return error_response(joined.error());
            info = std::move(joined);
            page_file = with_cover;
          }
          const auto header = header_context(d, *vf, from, form);
          if (!header.header.empty()) {
            const auto stamped = d.spool.new_temp(d.clock.now(), ".tiff");
            temps->paths.push_back(stamped);
            auto done = document::stamp_page_headers(
                page_file.string(), stamped.string(),
                [&](int n, int m) { return jobs::page_header_line(header, n, m); });
            if (!done) return error_response(done.error());
            info = std::move(done);
            page_file = stamped;
          }
        }

        // Thumbnails come from our own TIFF-F output (trusted), so no isolation is needed here.
        auto thumbnails = nlohmann::json::array();
        for (int i = 0; i < std::min(info->pages, kPreviewThumbnails); ++i) {
          auto png = document::thumbnail_png(page_file.string(), i, kPreviewThumbnailWidth);
          if (!png) return error_response(png.error());
          thumbnails.push_back("data:image/png;base64," + base64(*png));
        }
        const double seconds = estimate_line_seconds(*info);
        spdlog::debug("api.fax_preview pages={} coded_bytes={} line_s={:.1f} user={}", info->pages,
                      info->coded_bytes, seconds, user);
        auto res = Response::json(200, {{"pages", info->pages},
                                        {"quality", std::string(document::to_string(quality))},
                                        {"coded_bytes", info->coded_bytes},
                                        {"line_seconds", std::lround(seconds)},
                                        {"thumbnails", std::move(thumbnails)}});
        res.set("Cache-Control", "no-store");
        return res;
      });
}

}  // namespace

void add_fax_preview_routes(http::Router& r, const Api& api, FaxApiDeps& deps) {
  r.add("POST", "/api/v1/faxes/preview",
        api.authed([&deps](const Caller& c, const Request& req,
                           const http::Params&) { return preview(deps, c, req); },
                   /*audited=*/false),  // a preview changes nothing
        {.max_body_bytes = deps.max_upload_bytes + 64 * 1024});
}

}  // namespace faxd::api
