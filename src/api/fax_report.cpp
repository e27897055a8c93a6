#include "fax_report.hpp"

#include <fmt/format.h>

#include "faxd/api/json.hpp"
#include "faxd/common/local_time.hpp"
#include "faxd/common/time.hpp"
#include "faxd/document/render.hpp"
#include "faxd/mail/fax_mail_template.hpp"
#include "faxd/store/tenant_repo.hpp"

namespace faxd::api {

using http::Response;

namespace {

struct Zone {
  std::string timezone = "UTC";
  std::string language = "en";
  std::string company;
};

Zone zone_of(FaxApiDeps& d, const store::Fax& f) {
  Zone z;
  if (auto c = store::TenantRepo(d.db, d.clock).find_company(f.company_id); c && *c) {
    z.timezone = (*c)->timezone;
    z.language = (*c)->language;
    z.company = (*c)->name;
  }
  return z;
}

std::string when(const std::optional<std::string>& rfc3339, const Zone& z) {
  if (!rfc3339) return "";
  auto t = parse_rfc3339(*rfc3339);
  return t ? format_local_short(*t, z.timezone, z.language) : *rfc3339;
}

std::string duration_text(long seconds) {
  if (seconds < 60) return fmt::format("{} s", seconds);
  return fmt::format("{} min {} s", seconds / 60, seconds % 60);
}

}  // namespace

std::string fax_download_name(FaxApiDeps& d, const store::Fax& f, std::string_view suffix,
                              std::string_view ext) {
  const auto z = zone_of(d, f);
  const auto t = parse_rfc3339(f.created_at).value_or(d.clock.now());
  const auto& other = f.direction == "inbound" ? f.from_number : f.to_number;
  auto name = mail::attachment_filename(t, z.timezone, other);  // fax-...-NUMBER.pdf
  name.resize(name.size() - 4);
  return fmt::format("{}{}.{}", name, suffix, ext);
}

Response fax_report(FaxApiDeps& d, const store::Fax& f) {
  if (f.direction != "outbound")
    return Response::error(409, "conflict", "a delivery report is made for sent faxes only");
  if (!store::is_final(f.status))
    return Response::error(
        409, "conflict",
        fmt::format("the fax is {}: the report is made when it ends", to_string(f.status)));
  const auto z = zone_of(d, f);
  const bool es = z.language.starts_with("es");
  document::DeliveryReport r{.language = z.language,
                             .company_name = z.company,
                             .fax_id = f.id,
                             .from_number = f.from_number,
                             .to_number = f.to_number,
                             .submitted = when(f.created_at, z),
                             .date = when(f.completed_at, z),
                             .pages = fmt::format("{} / {}", f.pages, f.pages_total),
                             .ok = f.status == store::FaxStatus::delivered};
  if (f.virtual_fax_id)
    if (auto v = d.vfaxes.find_virtual_fax(*f.virtual_fax_id); v && *v) r.from_name = (*v)->name;
  if (r.ok) {
    r.result = es ? "Entregado" : "Delivered";
  } else {
    const auto status = std::string(to_string(f.status));
    r.result = (es ? (f.status == store::FaxStatus::canceled ? "Cancelado" : "No entregado")
                   : (f.status == store::FaxStatus::canceled ? "Canceled" : "Not delivered"));
    if (f.failure_code)
      r.result +=
          ": " + *f.failure_code +
          (f.failure_message && !f.failure_message->empty() ? " (" + *f.failure_message + ")" : "");
  }
  // The call that delivered it (or the last one): its length and connection.
  if (auto attempts = d.faxes.attempts(f.id); attempts && !attempts->empty()) {
    const store::Attempt* a = &attempts->back();
    for (const auto& x : *attempts)
      if (x.result == "delivered") a = &x;
    if (a->ended_at) {
      auto t0 = parse_rfc3339(a->started_at), t1 = parse_rfc3339(*a->ended_at);
      if (t0 && t1)
        r.duration =
            duration_text(std::chrono::duration_cast<std::chrono::seconds>(*t1 - *t0).count());
    }
    std::string conn;
    if (a->transport) conn = *a->transport == "t38" ? "T.38" : "G.711";
    if (a->bit_rate) conn += fmt::format("{}{} bit/s", conn.empty() ? "" : ", ", *a->bit_rate);
    if (a->ecm) conn += *a->ecm ? ", ECM" : (es ? ", sin ECM" : ", no ECM");
    r.connection = conn;
  }
  r.remote_station_id = f.remote_station_id.value_or("");
  // The first page as sent (fetched from the store when another node wrote it).
  if (f.document && !f.document_purged_at)
    if (auto tiff = d.spool.local(*f.document)) r.first_page_tiff = tiff->string();
  auto pdf = document::render_delivery_report(r);
  if (!pdf) return error_response(pdf.error());
  auto res = Response::text(200, std::move(*pdf), "application/pdf");
  res.set("Content-Disposition",
          fmt::format("attachment; filename=\"{}\"", fax_download_name(d, f, "-report", "pdf")));
  res.set("Cache-Control", "private, no-store");
  return res;
}

}  // namespace faxd::api
