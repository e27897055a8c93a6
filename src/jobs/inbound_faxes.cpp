#include "faxd/jobs/inbound_faxes.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "faxd/numbers/phone_number.hpp"
#include "faxd/store/mail_outbox_repo.hpp"

namespace faxd::jobs {

namespace {
std::optional<std::string> transport_name(fax::Transport t) {
  if (t == fax::Transport::none) return std::nullopt;
  return std::string(fax::to_string(t));
}

// The caller id as received, for the record: printable ASCII only, at most 128 characters.
std::optional<std::string> raw_caller_id(std::string_view user) {
  if (user.empty()) return std::nullopt;
  std::string out;
  for (char c : user.substr(0, 128)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}
}  // namespace

InboundFaxes::InboundFaxes(store::FaxRepo& faxes, store::DdiRepo& ddis,
                           store::VirtualFaxRepo& vfaxes, store::CarrierRepo& carriers,
                           store::TenantRepo& tenants, const Spool& spool, WorkRunner run_blocking,
                           const Clock& clock, InboundOptions options)
    : faxes_(faxes),
      ddis_(ddis),
      vfaxes_(vfaxes),
      carriers_(carriers),
      tenants_(tenants),
      spool_(spool),
      run_blocking_(std::move(run_blocking)),
      clock_(clock),
      options_(options) {}

void InboundFaxes::on_inbound_invite(const sip::InboundCall& call, sip::Decide decide) {
  if (!accepting_) return decide(sip::InboundDecision::reject(503));
  run_blocking_([this, call, decide = std::move(decide)] { decide(decide_now(call)); });
}

sip::InboundDecision InboundFaxes::decide_now(const sip::InboundCall& call) {
  const std::string raw = !call.called_number.empty() ? call.called_number
                          : call.request_user.empty() ? call.to_user
                                                      : call.request_user;
  auto all = carriers_.all_carriers();
  if (!all) {
    spdlog::error("inbound.lookup_failed call={} error={}", call.call_id, all.error().message);
    return sip::InboundDecision::reject(503);
  }
  // The carriers this call comes from (one host may serve several brands), each reading the
  // number with its own country; the DDI must be of that carrier's brand.
  std::vector<const store::Carrier*> sources;
  for (const auto& c : *all)
    if (c.host == call.source_address) sources.push_back(&c);
  std::optional<store::Ddi> ddi;
  const store::Carrier* carrier = nullptr;
  std::string number;
  for (const auto* c : sources) {
    const auto n = numbers::from_carrier(raw, c->country);
    if (!n) continue;
    auto found = ddis_.find_ddi_by_number(*n);
    if (!found) {
      spdlog::error("inbound.lookup_failed call={} error={}", call.call_id, found.error().message);
      return sip::InboundDecision::reject(503);
    }
    if (*found && (*found)->brand_id == c->brand_id) {
      ddi = **found;
      carrier = c;
      number = *n;
      break;
    }
  }
  if (!carrier) {
    // No carrier of this source has the number. A carrier of another brand is answered exactly
    // like an unknown number: it learns nothing about which numbers this brand has.
    number = numbers::from_carrier(raw, "").value_or(raw);
    auto found = ddis_.find_ddi_by_number(number);
    if (!found) {
      spdlog::error("inbound.lookup_failed call={} error={}", call.call_id, found.error().message);
      return sip::InboundDecision::reject(503);
    }
    if (!*found || !(*found)->virtual_fax_id) {
      spdlog::info("inbound.unknown_ddi call={} number={}", call.call_id, number);
      return sip::InboundDecision::reject(404);
    }
    spdlog::warn("inbound.foreign_source call={} number={} source={}", call.call_id, number,
                 call.source_address);
    return sip::InboundDecision::reject(404);
  }
  if (!ddi->virtual_fax_id) {
    spdlog::info("inbound.unknown_ddi call={} number={}", call.call_id, number);
    return sip::InboundDecision::reject(404);
  }
  auto vfax = vfaxes_.find_virtual_fax(*ddi->virtual_fax_id);
  if (!vfax || !*vfax) return sip::InboundDecision::reject(404);
  const auto& vf = **vfax;
  auto state = tenants_.tenant_state(vf.company_id);
  if (!state) {
    spdlog::error("inbound.lookup_failed call={} error={}", call.call_id, state.error().message);
    return sip::InboundDecision::reject(503);
  }
  if (!state->enabled()) {
    spdlog::warn(
        "inbound.tenant_disabled call={} number={} company={} brand_enabled={} "
        "company_enabled={}",
        call.call_id, number, vf.company_id, state->brand_enabled, state->company_enabled);
    return sip::InboundDecision::reject(403, "Tenant Disabled");
  }
  const auto doc = spool_.new_document("inbound", clock_.now());
  auto fax = faxes_.create_inbound(
      {.carrier_id = carrier->id,
       .brand_id = vf.brand_id,
       .company_id = vf.company_id,
       .virtual_fax_id = vf.id,
       .from_number = numbers::from_carrier(call.from_user, carrier->country).value_or(""),
       .to_number = number,
       .document = doc,
       .node = options_.node_id,
       .claim_until = clock_.now() + options_.lease,
       .from_raw = raw_caller_id(call.from_user)});
  if (!fax) {
    spdlog::error("inbound.store_failed call={} error={}", call.call_id, fax.error().message);
    return sip::InboundDecision::reject(503);
  }
  spdlog::info("inbound.accepted call={} fax={} number={} from={}", call.call_id, fax->id, number,
               fax->from_number);
  fax::FaxJob job{.direction = fax::Direction::receive,
                  .tiff_path = spool_.path(doc).string(),
                  .local_station_id = vf.station_id.empty() ? number : vf.station_id,
                  .ecm = options_.ecm,
                  .call_id = call.call_id};
  const std::string fax_id = fax->id;
  sip::CallCallbacks callbacks{
      .on_progress =
          [this, fax_id, doc](const sip::CallProgress& p) {
            if (p.kind == sip::CallProgress::Kind::answered) {
              run_blocking_([this, fax_id] { (void)faxes_.inbound_answered(fax_id); });
              return;
            }
            if (p.kind != sip::CallProgress::Kind::page &&
                p.kind != sip::CallProgress::Kind::transport)
              return;
            store::TransferStats s{.pages = p.pages_done, .transport = transport_name(p.transport)};
            if (!p.remote_station_id.empty()) s.remote_station_id = p.remote_station_id;
            const bool page = p.kind == sip::CallProgress::Kind::page;
            run_blocking_([this, fax_id, s, doc, page] {
              // The pages so far, for another node to keep should this one die mid-call.
              if (page) (void)spool_.publish(doc);
              (void)faxes_.record_progress(fax_id, s);
            });
          },
      .on_end =
          [this, fax_id, doc](const sip::CallOutcome& o) {
            run_blocking_([this, fax_id, doc, o] { finished(fax_id, doc, o); });
          }};
  auto decision = sip::InboundDecision::accept(std::move(job), std::move(callbacks));
  decision.t38_allowed = carrier->t38;  // the carrier's t38: false holds both ways
  return decision;
}

void InboundFaxes::finished(const std::string& fax_id, const std::string& doc,
                            const sip::CallOutcome& o) {
  const int pages = o.fax ? o.fax->pages : 0;
  // Published before the fax ends: its mail may be sent by another node, which needs the PDF.
  if (pages > 0) {
    if (auto r = spool_.publish(doc); !r)
      spdlog::error("inbound.publish_failed fax={} error={}", fax_id, r.error().message);
    else if (auto pdf = spool_.ensure_pdf(doc); !pdf)
      spdlog::error("inbound.pdf_failed fax={} error={}", fax_id, pdf.error().message);
  }
  store::TransferStats stats{
      .pages = pages,
      .bit_rate = o.fax && o.fax->bit_rate ? std::optional<int>(o.fax->bit_rate) : std::nullopt,
      .ecm = o.fax ? std::optional<bool>(o.fax->ecm) : std::nullopt,
      .transport = transport_name(o.transport),
      .remote_station_id = o.fax && !o.fax->remote_station_id.empty()
                               ? std::optional<std::string>(o.fax->remote_station_id)
                               : std::nullopt};
  const auto now = clock_.now();
  if (o.ok) {
    (void)faxes_.finish(fax_id, store::FaxStatus::received, stats, std::nullopt, "", true,
                        [now](store::Conn& c, const store::Fax& fax) {
                          store::MailOutboxRepo::enqueue_for_fax(c, fax.id, "fax_received", now);
                        });
    spdlog::info("inbound.received fax={} pages={}", fax_id, pages);
    return;
  }
  const auto message = pages > 0 ? fmt::format("partial: {} page{} received; {}", pages,
                                               pages == 1 ? "" : "s", o.message)
                                 : o.message;
  (void)faxes_.finish(fax_id, store::FaxStatus::failed, stats, o.failure, message,
                      o.fax.has_value());
  spdlog::info("inbound.failed fax={} pages={} failure={} message=\"{}\"", fax_id, pages,
               to_string(o.failure), message);
}

}  // namespace faxd::jobs
