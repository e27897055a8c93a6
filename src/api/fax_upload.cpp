#include "fax_upload.hpp"

#include <fstream>
#include <string>

#include <spdlog/spdlog.h>

namespace faxd::api {

TempFiles::~TempFiles() {
  std::error_code ec;
  for (const auto& p : paths) std::filesystem::remove(p, ec);
}

bool write_file(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  return !out.fail();
}

http::Response conversion_error(const Error& e, const std::vector<const http::Part*>& files) {
  std::vector<std::string> names;
  for (const auto* f : files) names.emplace_back(f->filename);
  return conversion_error(e, names);
}

http::Response conversion_error(const Error& e, const std::vector<std::string>& names) {
  const int status = e.code == Errc::too_large ? 413 : (e.code == Errc::io ? 507 : 422);
  const std::string name = names.size() == 1 ? names[0] : "";
  const auto message = name.empty() ? e.message : name + ": " + e.message;
  const char* code =
      status == 422 ? "document_invalid" : (status == 507 ? "storage_full" : "too_large");
  return http::Response::error(status, code, message, "file");
}

namespace {

// Whose share a conversion counts against: the caller's company, else brand, else the platform.
std::string tenant_key(const Caller& c) {
  if (c.user.company_id) return "company:" + *c.user.company_id;
  if (c.user.brand_id) return "brand:" + *c.user.brand_id;
  return "platform";
}

}  // namespace

http::Response on_conversion_lane(FaxApiDeps& d, const Caller& caller, const http::Request& req,
                                  ConversionJob job) {
  WorkLane* lane = d.conversions;
  document::ConvertOptions options = d.convert;
  options.cancelled = [gone = req.client_gone, lane] {
    return (gone && gone()) || (lane && lane->stopping());
  };
  if (!lane) return job(options);
  http::Response later;
  later.deferred = [lane, key = tenant_key(caller), job = std::move(job),
                    options = std::move(options),
                    user = caller.user.username](std::function<void(http::Response)> reply) {
    auto admitted = lane->submit(key, [lane, job, options, reply] {
      if (lane->stopping()) {
        reply(http::Response::error(503, "unavailable", "the server is stopping; try again"));
        return;
      }
      reply(job(options));
    });
    if (admitted == WorkLane::Admission::accepted) return;
    const auto wait = lane->retry_after();
    const bool tenant = admitted == WorkLane::Admission::key_full;
    spdlog::warn("api.conversion_refused user={} reason={} retry_after_s={}", user,
                 tenant ? "tenant_share" : "lane_full", wait.count());
    reply(http::Response::error(429, "too_many_conversions",
                                tenant ? "your organisation's documents are still being "
                                         "converted; try again shortly"
                                       : "the server is busy converting documents; try again "
                                         "shortly")
              .set("Retry-After", std::to_string(wait.count())));
  };
  return later;
}

}  // namespace faxd::api
