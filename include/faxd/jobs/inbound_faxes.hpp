#pragma once
// Receiving: decides inbound calls for the SIP engine and records what they bring.
//
// An INVITE's called number (Request-URI user, else To) is read as E.164 with the country of
// the carrier it comes from (source address = carrier host; numbers/phone_number.hpp: a Spanish
// carrier's "910000002" is +34910000002; without a country digits get a "+") and looked up as a
// DDI; a DDI routed to a virtual fax is answered only when the call comes from one of the DDI
// brand's carriers, else 403, and only while its company and brand are switched on, else 403
// with an `inbound.tenant_disabled` log line. A new
// inbound fax (status receiving) is recorded and the fax engine writes its pages into the
// spool, published to the store page by page (so that in a cluster another node can end the fax
// with the pages stored if this node dies). At the end the fax becomes `received`, or `failed`
// keeping the pages that arrived (the message says so); the fax-to-email mail is queued in the
// same transaction, after the document (and its PDF) is published.
//
// Threads: on_inbound_invite and the call callbacks arrive on the control thread; the store
// work runs through `run_blocking` (the worker pool), which then answers through `decide`.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "faxd/common/clock.hpp"
#include "faxd/jobs/spool.hpp"
#include "faxd/sip/sip_engine.hpp"
#include "faxd/store/carrier_repo.hpp"
#include "faxd/store/ddi_repo.hpp"
#include "faxd/store/fax_repo.hpp"
#include "faxd/store/tenant_repo.hpp"
#include "faxd/store/virtual_fax_repo.hpp"

namespace faxd::jobs {

using WorkRunner = std::function<void(std::function<void()>)>;

struct InboundOptions {
  bool ecm = true;
  std::string node_id = "local";   // holds the claim of the faxes it receives
  std::chrono::seconds lease{60};  // renewed by the App's heartbeat (FaxRepo::renew_receiving)
};

class InboundFaxes final : public sip::CallHandler {
 public:
  InboundFaxes(store::FaxRepo& faxes, store::DdiRepo& ddis, store::VirtualFaxRepo& vfaxes,
               store::CarrierRepo& carriers, store::TenantRepo& tenants, const Spool& spool,
               WorkRunner run_blocking, const Clock& clock, InboundOptions options);

  void on_inbound_invite(const sip::InboundCall& call, sip::Decide decide) override;
  // Shutting down: new calls are refused with 503 (callers retry elsewhere or later).
  void stop_accepting() { accepting_ = false; }

  // The decision for a call, synchronously (blocking: the store). Public for tests.
  sip::InboundDecision decide_now(const sip::InboundCall& call);

 private:
  void finished(const std::string& fax_id, const std::string& doc, const sip::CallOutcome& outcome);

  store::FaxRepo& faxes_;
  store::DdiRepo& ddis_;
  store::VirtualFaxRepo& vfaxes_;
  store::CarrierRepo& carriers_;
  store::TenantRepo& tenants_;
  const Spool& spool_;
  WorkRunner run_blocking_;
  const Clock& clock_;
  InboundOptions options_;
  std::atomic<bool> accepting_{true};
};

}  // namespace faxd::jobs
